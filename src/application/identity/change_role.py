"""Change a member's role (owners only); the last owner stays an owner."""

from __future__ import annotations

from application.identity.commands import ChangeRole
from application.identity.invite_member import parse_role
from application.identity.unit_of_work import UnitOfWorkFactory
from application.shared.errors import NotFound
from domain.identity.model import Membership, ensure_owner_remains
from domain.shared.roles import Permission


class ChangeRoleHandler:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    async def __call__(self, cmd: ChangeRole) -> Membership:
        cmd.actor.require(Permission.MANAGE_WORKSPACE)
        role = parse_role(cmd.role)
        async with self.uow() as uow:
            members = await uow.memberships.of_workspace(cmd.actor.workspace_id)
            membership = next((m for m in members if m.user_id == cmd.user_id), None)
            if membership is None:
                raise NotFound("member", cmd.user_id)
            ensure_owner_remains(members, cmd.user_id, role)
            membership.role = role
            await uow.memberships.update(membership)
            await uow.commit()
        return membership
