"""Ports of the live context: the feed of changes as they are committed, and who may hear of them."""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol
from uuid import UUID


class ChangeKind(StrEnum):
    """What changed; the name browsers receive as the event's type."""

    METRICS = "metrics"  # a target's numbers
    TARGET = "target"  # a target's publishing state


@dataclass(frozen=True)
class LiveEvent:
    """One committed change. `id` grows with each change; a browser sends the last it saw to resume."""

    id: int
    workspace_id: UUID
    kind: ChangeKind
    post_id: UUID
    channel_id: UUID


class FellBehind(Exception):
    """A subscriber did not take its events fast enough and some were dropped: it must resume from
    the journal (`LiveFeed.since`) to get them."""


class Subscription(Protocol):
    async def next(self, timeout: float) -> LiveEvent | None:
        """The next event of any workspace, or None after `timeout` seconds without one; raises FellBehind."""


class LiveFeed(Protocol):
    def subscribe(self) -> AbstractAsyncContextManager[Subscription]:
        """Every event committed from now on, while the context is open."""

    async def since(self, after: int, workspace_ids: Collection[UUID], limit: int) -> list[LiveEvent]:
        """Recorded events of these workspaces with an id above `after`, oldest first (kept about an hour)."""


class MemberWorkspaces(Protocol):
    async def of_user(self, user_id: UUID) -> frozenset[UUID]:
        """The workspaces the user is a member of now."""
