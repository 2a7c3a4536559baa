"""Accept an invitation: the invited user joins the workspace with the invited role."""

from __future__ import annotations

from application.identity.commands import AcceptInvitation
from application.identity.unit_of_work import UnitOfWorkFactory
from application.shared.bearer_secrets import digest
from application.shared.errors import NotFound
from application.shared.ports import Clock
from domain.identity.model import Membership
from domain.shared.errors import RuleViolated


class AcceptInvitationHandler:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, cmd: AcceptInvitation) -> Membership:
        async with self.uow() as uow:
            invitation = await uow.invitations.by_token_hash(digest(cmd.token or ""))
            user = await uow.users.get(cmd.user_id)
            if invitation is None or user is None:
                raise NotFound("invitation", "token")
            invitation.accept(user.email, self.clock.now())
            if await uow.memberships.get(invitation.workspace_id, user.id):
                raise RuleViolated("already_member", "you are already a member of this workspace")
            membership = Membership(invitation.workspace_id, user.id, invitation.role)
            await uow.memberships.add(membership)
            await uow.invitations.update(invitation)
            await uow.commit()
        return membership
