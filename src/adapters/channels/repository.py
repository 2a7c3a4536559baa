"""SQL repository of channels."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.channels.tables import channels
from domain.channels.channel import Channel
from domain.shared.platforms import Platform

_FIELDS = ("id", "workspace_id", "platform", "handle", "display_name", "created_at", "connected",
           "token_expires_at", "revoked")


def _channel(row) -> Channel:
    data = {k: row._mapping[k] for k in _FIELDS}
    data["platform"] = Platform(data["platform"])
    return Channel(**data)


class SqlChannels:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, workspace_id: UUID, channel_id: UUID) -> Channel | None:
        row = (await self.conn.execute(select(channels).where(
            channels.c.workspace_id == workspace_id, channels.c.id == channel_id))).first()
        return _channel(row) if row else None

    async def of_workspace(self, workspace_id: UUID) -> list[Channel]:
        rows = await self.conn.execute(select(channels).where(channels.c.workspace_id == workspace_id)
                                       .order_by(channels.c.created_at))
        return [_channel(r) for r in rows]

    async def add(self, channel: Channel) -> None:
        await self.conn.execute(channels.insert().values({**vars(channel), "platform": channel.platform.value}))
