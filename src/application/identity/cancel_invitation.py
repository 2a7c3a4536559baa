"""Cancel a pending invitation (owners only): its link stops working at once.

One already accepted, or of another workspace, is not found."""

from __future__ import annotations

from application.identity.commands import CancelInvitation
from application.identity.unit_of_work import UnitOfWorkFactory
from application.shared.errors import NotFound
from domain.shared.roles import Permission


class CancelInvitationHandler:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    async def __call__(self, cmd: CancelInvitation) -> None:
        cmd.actor.require(Permission.MANAGE_WORKSPACE)
        async with self.uow() as uow:
            if not await uow.invitations.delete(cmd.actor.workspace_id, cmd.invitation_id):
                raise NotFound("invitation", cmd.invitation_id)
            await uow.commit()
