"""The caller's profile and the workspaces they belong to, with their role in each."""

from __future__ import annotations

from application.identity.commands import GetMe
from application.identity.results import MeView, WorkspaceView
from application.identity.unit_of_work import UnitOfWorkFactory
from application.shared.errors import Unauthenticated


class GetMeHandler:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    async def __call__(self, query: GetMe) -> MeView:
        async with self.uow() as uow:
            user = await uow.users.get(query.user_id)
            if user is None:
                raise Unauthenticated("this account no longer exists")
            workspaces = await uow.memberships.of_user(user.id)
        return MeView(id=user.id, email=user.email, name=user.name, time_zone=user.time_zone, workspaces=[
            WorkspaceView(id=w.id, name=w.name, role=role.value, requires_approval=w.requires_approval)
            for w, role in workspaces])
