"""Post events -> publishing jobs, in the projection's transaction (so each is deferred exactly
when its event is applied, and again never).

A target that is scheduled after the batch gets a job at its due time; an unconfirmed target
gets a reconciliation job a few seconds later (the platform needs a moment to list the post).
Jobs of an old schedule stay queued and do nothing when they run: they re-read the post.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.publishing.job_queue import defer_in, publish_job
from adapters.shared.projector import Change
from domain.publishing.post import Post
from domain.publishing.states import TargetState

RECONCILE_AFTER = timedelta(seconds=3)
_SCHEDULING_EVENTS = {"Scheduled", "Rescheduled", "RetryRequested", "TargetFailed", "TargetsChanged", "Approved"}


class PublishingScheduleProjection:
    kind = Post

    async def apply(self, conn: AsyncConnection, changes: Sequence[Change]) -> None:
        for change in changes:
            await self._defer(conn, change.aggregate, change.events)

    async def _defer(self, conn: AsyncConnection, post: Post, events: Sequence[Any]) -> None:
        names = {type(e).__qualname__.split(".")[-1] for e in events}
        for target in post.targets.values():
            if target.state is TargetState.SCHEDULED and target.scheduled_at and names & _SCHEDULING_EVENTS:
                await defer_in(conn, publish_job(post.id, target.channel_id, target.scheduled_at))
            elif target.state is TargetState.UNCONFIRMED and "TargetUnconfirmed" in names:
                job = publish_job(post.id, target.channel_id, None)
                job["at"] = max(e.timestamp for e in events) + RECONCILE_AFTER
                job["queueing_lock"] = f"reconcile:{post.id}:{target.channel_id}:{target.attempt_id}"
                await defer_in(conn, job)

    async def mark_stale(self, conn: AsyncConnection, aggregate_id: UUID, stale: bool) -> None:
        """Jobs are no read rows: a set-aside post simply gets no new job until it is replayed."""
