"""Rename a workspace or turn its approval step on or off (owners only)."""

from __future__ import annotations

from application.identity.commands import UpdateWorkspaceSettings
from application.identity.unit_of_work import UnitOfWorkFactory
from application.shared.errors import NotFound
from domain.identity.model import Workspace, check_name
from domain.shared.roles import Permission


class UpdateWorkspaceSettingsHandler:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    async def __call__(self, cmd: UpdateWorkspaceSettings) -> Workspace:
        cmd.actor.require(Permission.MANAGE_WORKSPACE)
        name = check_name(cmd.name, "name") if cmd.name is not None else None
        async with self.uow() as uow:
            workspace = await uow.workspaces.get(cmd.actor.workspace_id)
            if workspace is None:
                raise NotFound("workspace", cmd.actor.workspace_id)
            if name is not None:
                workspace.name = name
            if cmd.requires_approval is not None:
                workspace.requires_approval = cmd.requires_approval
            await uow.workspaces.update(workspace)
            await uow.commit()
        return workspace
