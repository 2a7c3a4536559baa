"""Workspaces, members, invitations and roles."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from application.identity.commands import (
    AcceptInvitation,
    CancelInvitation,
    ChangeRole,
    CreateWorkspace,
    GetMe,
    InviteMember,
    ListInvitations,
    ListMembers,
    UpdateWorkspaceSettings,
)
from application.identity.results import WorkspaceView
from domain.shared.roles import Role
from entrypoints.api.dependencies import ActorDep, ContainerDep, PrincipalDep
from entrypoints.api.schemas import (
    AcceptInvitationIn,
    InvitationIn,
    InvitationOut,
    MemberOut,
    PendingInvitationOut,
    RoleIn,
    WorkspaceIn,
    WorkspaceOut,
    WorkspaceSettingsIn,
)

router = APIRouter(prefix="/api", tags=["workspaces"])


@router.post("/workspaces", response_model=WorkspaceOut, status_code=201)
async def create_workspace(body: WorkspaceIn, who: PrincipalDep, c: ContainerDep) -> WorkspaceOut:
    ws = await c.create_workspace()(CreateWorkspace(user_id=who.user_id, **body.model_dump()))
    return WorkspaceOut(id=ws.id, name=ws.name, role=Role.OWNER.value, requires_approval=ws.requires_approval)


@router.patch("/workspaces/{workspace_id}", response_model=WorkspaceOut)
async def update_workspace(body: WorkspaceSettingsIn, actor: ActorDep, c: ContainerDep) -> WorkspaceOut:
    ws = await c.update_workspace_settings()(UpdateWorkspaceSettings(actor=actor, **body.model_dump()))
    return WorkspaceOut.model_validate(WorkspaceView(ws.id, ws.name, actor.role.value, ws.requires_approval))


@router.get("/workspaces/{workspace_id}/members", response_model=list[MemberOut])
async def list_members(actor: ActorDep, c: ContainerDep) -> list[MemberOut]:
    return [MemberOut.model_validate(m) for m in await c.list_members()(ListMembers(actor))]


@router.put("/workspaces/{workspace_id}/members/{user_id}", response_model=MemberOut)
async def change_role(user_id: UUID, body: RoleIn, actor: ActorDep, c: ContainerDep) -> MemberOut:
    await c.change_role()(ChangeRole(actor=actor, user_id=user_id, role=body.role))
    members = await c.list_members()(ListMembers(actor))
    return MemberOut.model_validate(next(m for m in members if m.user_id == user_id))


@router.post("/workspaces/{workspace_id}/invitations", response_model=InvitationOut, status_code=201)
async def invite(body: InvitationIn, actor: ActorDep, c: ContainerDep) -> InvitationOut:
    """Invite by email with a role; send the token to the invitee (shown once)."""
    created = await c.invite_member()(InviteMember(actor=actor, email=body.email, role=body.role))
    return InvitationOut(id=created.id, token=created.token, expires_at=created.expires_at)


@router.get("/workspaces/{workspace_id}/invitations", response_model=list[PendingInvitationOut])
async def list_invitations(actor: ActorDep, c: ContainerDep) -> list[PendingInvitationOut]:
    """Pending invitations (neither accepted nor expired), soonest to expire first; owners only."""
    return [PendingInvitationOut.model_validate(i) for i in await c.list_invitations()(ListInvitations(actor))]


@router.delete("/workspaces/{workspace_id}/invitations/{invitation_id}", status_code=204)
async def cancel_invitation(invitation_id: UUID, actor: ActorDep, c: ContainerDep) -> Response:
    """Cancel a pending invitation: its link stops working at once (owners only)."""
    await c.cancel_invitation()(CancelInvitation(actor=actor, invitation_id=invitation_id))
    return Response(status_code=204)


@router.post("/invitations/accept", response_model=WorkspaceOut)
async def accept(body: AcceptInvitationIn, who: PrincipalDep, c: ContainerDep) -> WorkspaceOut:
    membership = await c.accept_invitation()(AcceptInvitation(user_id=who.user_id, token=body.token))
    me = await c.get_me()(GetMe(who.user_id))
    return WorkspaceOut.model_validate(next(w for w in me.workspaces if w.id == membership.workspace_id))
