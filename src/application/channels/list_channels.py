"""The workspace's channels with their token health."""

from __future__ import annotations

from application.channels.commands import ChannelView, ListChannels
from application.channels.connecting import view
from application.channels.unit_of_work import UnitOfWorkFactory
from application.shared.ports import Clock
from domain.shared.roles import Permission


class ListChannelsHandler:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, query: ListChannels) -> list[ChannelView]:
        query.actor.require(Permission.READ)
        async with self.uow() as uow:
            channels = await uow.channels.of_workspace(query.actor.workspace_id)
        return [view(c, self.clock) for c in channels]
