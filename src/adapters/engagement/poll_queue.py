"""Engagement polls on procrastinate, deferred through procrastinate's own SQL function (as publishing's
jobs are): queue `engagement`, priority below publishing's, one waiting job per channel.

Publishing and polling share the workers. procrastinate hands a free worker the waiting job of the
highest priority first (whatever its queue), so a due publish is always taken before any poll; a
poll in flight is short (a few reads) and stops at the first rate-limit answer.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.shared.job_deferral import defer_once
from application.engagement.jobs import PollJob

POLL_QUEUE = "engagement"
POLL_TASK = "poll_engagement"
POLL_PRIORITY = -10  # publishing defers at 0


def task_arguments(job: PollJob) -> dict[str, str]:
    """What the `poll_engagement` task is called with."""
    return {"workspace_id": str(job.workspace_id), "channel_id": str(job.channel_id)}


def queueing_lock(job: PollJob) -> str:
    """One waiting poll per channel: it reads whatever is due when it runs."""
    return f"engagement:{job.channel_id}"


class ProcrastinatePollQueue:
    """Implements PollQueue, each deferral in a transaction of its own."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def defer(self, job: PollJob) -> bool:
        async with self.engine.begin() as conn:
            return await defer_once(conn, queue=POLL_QUEUE, task=POLL_TASK, priority=POLL_PRIORITY,
                                    queueing_lock=queueing_lock(job), args=task_arguments(job), at=job.run_at)
