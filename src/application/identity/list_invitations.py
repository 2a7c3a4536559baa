"""The workspace's pending invitations (owners only): whom, as what, invited by whom, until when.

Accepted and expired invitations are not pending; an expired one is simply invited again."""

from __future__ import annotations

from application.identity.commands import ListInvitations
from application.identity.results import PendingInvitationView
from application.identity.unit_of_work import UnitOfWorkFactory
from application.shared.ports import Clock
from domain.shared.roles import Permission


class ListInvitationsHandler:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, query: ListInvitations) -> list[PendingInvitationView]:
        query.actor.require(Permission.MANAGE_WORKSPACE)
        async with self.uow() as uow:
            pending = await uow.invitations.pending_of_workspace(query.actor.workspace_id, self.clock.now())
            views = []
            for invitation in pending:
                inviter = await uow.users.get(invitation.invited_by)
                views.append(PendingInvitationView(
                    id=invitation.id, email=invitation.email, role=invitation.role.value,
                    invited_by_name=inviter.name if inviter else "", invited_by_email=inviter.email if inviter else "",
                    expires_at=invitation.expires_at))
        return views
