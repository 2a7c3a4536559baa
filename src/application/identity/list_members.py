"""The members of the caller's workspace and their roles."""

from __future__ import annotations

from application.identity.commands import ListMembers
from application.identity.results import MemberView
from application.identity.unit_of_work import UnitOfWorkFactory
from domain.shared.roles import Permission


class ListMembersHandler:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    async def __call__(self, query: ListMembers) -> list[MemberView]:
        query.actor.require(Permission.READ)
        async with self.uow() as uow:
            members = await uow.memberships.of_workspace(query.actor.workspace_id)
            views = []
            for m in members:
                user = await uow.users.get(m.user_id)
                if user:
                    views.append(MemberView(user_id=user.id, email=user.email, name=user.name, role=m.role.value))
        return views
