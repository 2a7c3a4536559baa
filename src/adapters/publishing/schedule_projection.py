"""Post events -> publishing jobs, in the projection's transaction, so each job is deferred exactly
when its event is applied, and again never. Which events call for which job is publishing's rule
(`application.publishing.jobs.jobs_for`); this projection defers what it answers."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.publishing.job_queue import TransactionJobQueue
from adapters.shared.projector import Change
from application.publishing.jobs import jobs_for
from domain.publishing.post import Post


class PublishingScheduleProjection:
    kind = Post

    async def apply(self, conn: AsyncConnection, changes: Sequence[Change]) -> None:
        queue = TransactionJobQueue(conn)
        for change in changes:
            for job in jobs_for(change.aggregate, change.events):
                await queue.defer(job)

    async def mark_stale(self, conn: AsyncConnection, aggregate_id: UUID, stale: bool) -> None:
        """Jobs are no read rows: a set-aside post simply gets no new job until it is replayed."""
