"""What engagement tracking needs from storage, the job queue and the read side.

A published target is tracked from the moment its publication is applied to the read model (the
adapter's projection adds it, first read due a minute later); from then on polling reads and
writes only these ports. Every method but the scheduler's `channels_due` is scoped to a workspace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.engagement.jobs import PollJob
from application.engagement.views import PostEngagement
from domain.engagement.engagement import Snapshot


@dataclass(frozen=True)
class TrackedTarget:
    """A published target as polling finds it: where it is, and what the last reads found."""

    workspace_id: UUID
    post_id: UUID
    channel_id: UUID
    platform: str
    remote_id: str
    published_at: datetime
    latest: Snapshot | None  # the last point of its series (None before the first read)
    unchanged: int           # reads in a row that found nothing new


@dataclass(frozen=True)
class TargetRead:
    """One read of one target, to store: a new point of the series when the numbers changed, and the
    polling state after it."""

    target: TrackedTarget
    read_at: datetime
    snapshot: Snapshot | None      # None: nothing changed, or the read failed
    unchanged: int
    next_poll_at: datetime | None  # None: polling has stopped
    error: str | None = None       # the read failed (the numbers and their time stay as they were)


class EngagementStore(Protocol):
    async def due(self, workspace_id: UUID, channel_id: UUID, now: datetime, limit: int) -> list[TrackedTarget]:
        """The channel's targets whose next read is due, oldest due first."""

    async def save(self, reads: Sequence[TargetRead]) -> None:
        """Append the new snapshots and set each target's polling state, all in one transaction."""

    async def make_due(self, workspace_id: UUID, post_id: UUID, now: datetime) -> list[UUID]:
        """Make every tracked target of the post due now (polling stopped included); their channels."""

    async def channels_due(self, now: datetime, limit: int) -> list[tuple[UUID, UUID]]:
        """(workspace, channel) of every channel with a target due (the scheduler's, across workspaces)."""


class EngagementReader(Protocol):
    async def post_engagement(self, workspace_id: UUID, post_id: UUID) -> PostEngagement | None:
        """The post's targets with their latest numbers and series; None when the workspace has no such post."""


class PollQueue(Protocol):
    async def defer(self, job: PollJob) -> bool:
        """Queue the poll; False when one for the channel is already waiting (it will read what is due)."""
