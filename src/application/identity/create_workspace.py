"""Create another workspace; its creator is its owner.

Rule: one person owns at most `max_per_user` workspaces (`POSTWIZARD_MAX_WORKSPACES_PER_USER`),
so workspaces cannot be multiplied to multiply per-workspace allowances. Workspaces joined by
invitation do not count: only owning is capped, and it is counted under a lock on the user.
"""

from __future__ import annotations

from application.identity.commands import CreateWorkspace
from application.identity.unit_of_work import UnitOfWorkFactory
from application.shared.ports import Clock, IdGenerator
from domain.identity.model import Membership, Workspace, check_name
from domain.shared.errors import RuleViolated
from domain.shared.roles import Role

DEFAULT_MAX_PER_USER = 20


class CreateWorkspaceHandler:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator,
                 max_per_user: int = DEFAULT_MAX_PER_USER) -> None:
        self.uow, self.clock, self.ids, self.max_per_user = uow, clock, ids, max_per_user

    async def __call__(self, cmd: CreateWorkspace) -> Workspace:
        workspace = Workspace(id=self.ids.new(), name=check_name(cmd.name, "name"),
                              requires_approval=bool(cmd.requires_approval), created_at=self.clock.now())
        async with self.uow() as uow:
            await uow.users.lock(cmd.user_id)
            owned = sum(1 for _, role in await uow.memberships.of_user(cmd.user_id) if role is Role.OWNER)
            if owned >= self.max_per_user:
                raise RuleViolated("workspace_limit", f"you own {owned} workspaces, the most one person may own on this "
                                                      "server; hand one over first (make another member owner, then step down)")
            await uow.workspaces.add(workspace)
            await uow.memberships.add(Membership(workspace.id, cmd.user_id, Role.OWNER))
            await uow.commit()
        return workspace
