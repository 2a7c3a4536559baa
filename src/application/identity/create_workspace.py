"""Create another workspace; its creator is its owner."""

from __future__ import annotations

from application.identity.commands import CreateWorkspace
from application.shared.ports import Clock, IdGenerator
from application.shared.unit_of_work import UnitOfWorkFactory
from domain.identity.model import Membership, Workspace, check_name
from domain.shared.roles import Role


class CreateWorkspaceHandler:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self.uow, self.clock, self.ids = uow, clock, ids

    async def __call__(self, cmd: CreateWorkspace) -> Workspace:
        workspace = Workspace(id=self.ids.new(), name=check_name(cmd.name, "name"),
                              requires_approval=bool(cmd.requires_approval), created_at=self.clock.now())
        async with self.uow() as uow:
            await uow.workspaces.add(workspace)
            await uow.memberships.add(Membership(workspace.id, cmd.user_id, Role.OWNER))
            await uow.commit()
        return workspace
