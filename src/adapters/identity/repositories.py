"""SQL repositories of the identity write model (Core statements on one AsyncConnection).

The reads every request makes (its session or token, the caller's membership, a post command's
workspace) are statements built once with bound parameters: building a statement and its cache
key anew costs SQLAlchemy more than running it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import bindparam, delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.identity.tables import api_tokens, invitations, memberships, sessions, users, workspaces
from application.identity.ports import ApiTokenRecord, SessionRecord
from domain.identity.model import Invitation, Membership, User, Workspace
from domain.shared.roles import Role


def _row(row) -> dict:
    return dict(row._mapping)


_WORKSPACE = select(workspaces).where(workspaces.c.id == bindparam("id"))
_MEMBERSHIP = select(memberships).where(memberships.c.workspace_id == bindparam("workspace_id"),
                                        memberships.c.user_id == bindparam("user_id"))
_SESSION = select(sessions).where(sessions.c.token_hash == bindparam("token_hash"))
_API_TOKEN = select(api_tokens).where(api_tokens.c.token_hash == bindparam("token_hash"))


class SqlUsers:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, user_id: UUID) -> User | None:
        row = (await self.conn.execute(select(users).where(users.c.id == user_id))).first()
        return User(**_row(row)) if row else None

    async def by_email(self, email: str) -> User | None:
        row = (await self.conn.execute(select(users).where(users.c.email == email))).first()
        return User(**_row(row)) if row else None

    async def add(self, user: User) -> None:
        await self.conn.execute(users.insert().values(vars(user)))

    async def set_time_zone(self, user_id: UUID, time_zone: str | None) -> None:
        await self.conn.execute(update(users).where(users.c.id == user_id).values(time_zone=time_zone))

    async def none_yet(self) -> bool:
        await self.conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('postwizard:sign-up'))"))
        return (await self.conn.execute(select(users.c.id).limit(1))).first() is None

    async def lock(self, user_id: UUID) -> None:
        await self.conn.execute(select(users.c.id).where(users.c.id == user_id).with_for_update())


class SqlWorkspaces:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, workspace_id: UUID) -> Workspace | None:
        row = (await self.conn.execute(_WORKSPACE, {"id": workspace_id})).first()
        return Workspace(**_row(row)) if row else None

    async def add(self, workspace: Workspace) -> None:
        await self.conn.execute(workspaces.insert().values(vars(workspace)))

    async def update(self, workspace: Workspace) -> None:
        await self.conn.execute(update(workspaces).where(workspaces.c.id == workspace.id).values(
            name=workspace.name, requires_approval=workspace.requires_approval))


class SqlMemberships:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, workspace_id: UUID, user_id: UUID) -> Membership | None:
        row = (await self.conn.execute(_MEMBERSHIP, {"workspace_id": workspace_id, "user_id": user_id})).first()
        return Membership(row.workspace_id, row.user_id, Role(row.role)) if row else None

    async def of_user(self, user_id: UUID) -> list[tuple[Workspace, Role]]:
        rows = await self.conn.execute(
            select(workspaces, memberships.c.role).join(memberships, memberships.c.workspace_id == workspaces.c.id)
            .where(memberships.c.user_id == user_id).order_by(workspaces.c.created_at))
        result = []
        for row in rows:
            data = _row(row)
            role = Role(data.pop("role"))
            result.append((Workspace(**data), role))
        return result

    async def of_workspace(self, workspace_id: UUID) -> list[Membership]:
        rows = await self.conn.execute(select(memberships).where(memberships.c.workspace_id == workspace_id))
        return [Membership(r.workspace_id, r.user_id, Role(r.role)) for r in rows]

    async def add(self, membership: Membership) -> None:
        await self.conn.execute(memberships.insert().values(
            workspace_id=membership.workspace_id, user_id=membership.user_id, role=membership.role.value))

    async def update(self, membership: Membership) -> None:
        await self.conn.execute(update(memberships).where(
            memberships.c.workspace_id == membership.workspace_id, memberships.c.user_id == membership.user_id,
        ).values(role=membership.role.value))


class SqlInvitations:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, invitation: Invitation) -> None:
        await self.conn.execute(invitations.insert().values({**vars(invitation), "role": invitation.role.value}))

    async def by_token_hash(self, token_hash: str) -> Invitation | None:
        row = (await self.conn.execute(select(invitations).where(invitations.c.token_hash == token_hash))).first()
        if row is None:
            return None
        data = _row(row)
        data["role"] = Role(data["role"])
        return Invitation(**data)

    async def update(self, invitation: Invitation) -> None:
        await self.conn.execute(update(invitations).where(invitations.c.id == invitation.id).values(
            accepted_at=invitation.accepted_at))

    async def pending_of_workspace(self, workspace_id: UUID, now: datetime) -> list[Invitation]:
        rows = await self.conn.execute(
            select(invitations).where(invitations.c.workspace_id == workspace_id, invitations.c.accepted_at.is_(None),
                                      invitations.c.expires_at >= now)
            .order_by(invitations.c.expires_at, invitations.c.email))
        return [Invitation(**{**_row(r), "role": Role(r.role)}) for r in rows]

    async def delete(self, workspace_id: UUID, invitation_id: UUID) -> bool:
        result = await self.conn.execute(delete(invitations).where(
            invitations.c.workspace_id == workspace_id, invitations.c.id == invitation_id,
            invitations.c.accepted_at.is_(None)))
        return result.rowcount > 0


class SqlSessions:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, session: SessionRecord) -> None:
        await self.conn.execute(sessions.insert().values(vars(session)))

    async def get(self, token_hash: str) -> SessionRecord | None:
        row = (await self.conn.execute(_SESSION, {"token_hash": token_hash})).first()
        return SessionRecord(**_row(row)) if row else None

    async def delete(self, token_hash: str) -> None:
        await self.conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))


class SqlApiTokens:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, token: ApiTokenRecord) -> None:
        await self.conn.execute(api_tokens.insert().values(vars(token)))

    async def by_hash(self, token_hash: str) -> ApiTokenRecord | None:
        row = (await self.conn.execute(_API_TOKEN, {"token_hash": token_hash})).first()
        return ApiTokenRecord(**_row(row)) if row else None

    async def of_user(self, user_id: UUID) -> list[ApiTokenRecord]:
        rows = await self.conn.execute(select(api_tokens).where(api_tokens.c.user_id == user_id))
        return [ApiTokenRecord(**_row(r)) for r in rows]

    async def record_use(self, token_id: UUID, at: datetime) -> None:
        await self.conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=at))

    async def revoke(self, token_id: UUID, at: datetime) -> None:
        await self.conn.execute(update(api_tokens).where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
                                .values(revoked_at=at))
