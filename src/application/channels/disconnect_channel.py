"""Disconnect a channel: its tokens are deleted; the channel stays (planned) so its posts keep their history."""

from __future__ import annotations

from application.channels.commands import ChannelView, DisconnectChannel
from application.channels.connecting import view
from application.channels.unit_of_work import UnitOfWorkFactory
from application.shared.errors import NotFound
from application.shared.ports import Clock
from domain.shared.roles import Permission


class DisconnectChannelHandler:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, cmd: DisconnectChannel) -> ChannelView:
        cmd.actor.require(Permission.MANAGE_WORKSPACE)
        async with self.uow() as uow:
            channel = await uow.channels.get(cmd.actor.workspace_id, cmd.channel_id)
            if channel is None:
                raise NotFound("channel", cmd.channel_id)
            channel.disconnect()
            await uow.channels.update(channel)
            await uow.channels.store_secret(channel.id, None)
            await uow.commit()
        return view(channel, self.clock)
