"""Channels ports."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from domain.channels.channel import Channel


class Channels(Protocol):
    async def get(self, workspace_id: UUID, channel_id: UUID) -> Channel | None: ...
    async def of_workspace(self, workspace_id: UUID) -> list[Channel]: ...
    async def add(self, channel: Channel) -> None: ...
