"""Add a planned channel (owners only): posts can target it before its account is connected."""

from __future__ import annotations

from application.channels.commands import AddPlannedChannel
from application.channels.unit_of_work import UnitOfWorkFactory
from application.shared.ports import Clock, IdGenerator
from domain.channels.channel import Channel, check_handle, parse_platform, same_handle
from domain.shared.errors import RuleViolated
from domain.shared.roles import Permission


class AddPlannedChannelHandler:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self.uow, self.clock, self.ids = uow, clock, ids

    async def __call__(self, cmd: AddPlannedChannel) -> Channel:
        cmd.actor.require(Permission.MANAGE_WORKSPACE)
        platform, handle = parse_platform(cmd.platform), check_handle(cmd.handle)
        channel = Channel(id=self.ids.new(), workspace_id=cmd.actor.workspace_id, platform=platform, handle=handle,
                          display_name=(cmd.display_name or "").strip() or handle, created_at=self.clock.now())
        async with self.uow() as uow:
            existing = await uow.channels.of_workspace(channel.workspace_id)
            if any(c.platform == platform and same_handle(c.handle, handle) for c in existing):
                raise RuleViolated("channel_exists", f"{handle} on {platform.value} is already a channel of this workspace")
            await uow.channels.add(channel)
            await uow.commit()
        return channel
