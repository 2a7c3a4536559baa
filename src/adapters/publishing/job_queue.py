"""Jobs on procrastinate (PostgreSQL). Two ways in:

- `defer_in(conn, ...)`: inside a projection's transaction, through procrastinate's own SQL
  function, so a job is deferred exactly when the event that calls for it is applied;
- `ProcrastinateJobQueue.defer`: from anywhere else (the safety sweep, a job re-deferring itself).

A queueing lock makes a second deferral of the same job a no-op, so both paths are safe to repeat.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

PUBLISH_QUEUE = "publishing"
PUBLISH_TASK = "publish_target"

_DEFER = text("SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, :lock, :queueing_lock, "
              "CAST(:args AS jsonb), :at)::procrastinate_job_to_defer_v1])")


def publish_job(post_id: Any, channel_id: Any, due_at: datetime | None) -> dict:
    """The job of one target at one due time: ids only, never content."""
    args = {"post_id": str(post_id), "channel_id": str(channel_id), "due_at": due_at.isoformat() if due_at else None}
    # No procrastinate `lock`: a waiting job would block later ones of the same target until its
    # own time. Two jobs of one target running at once are safe: the post's version check lets one
    # attempt start, and the other sees it in progress.
    return {"task": PUBLISH_TASK, "queue": PUBLISH_QUEUE, "args": args, "at": due_at, "lock": None,
            "queueing_lock": f"publish:{post_id}:{channel_id}:{args['due_at']}"}


async def defer_in(conn: AsyncConnection, job: dict) -> bool:
    """Defer in the caller's transaction; False when the same job is already waiting."""
    try:
        async with conn.begin_nested():
            await conn.execute(_DEFER, {**job, "args": json.dumps(job["args"])})
        return True
    except IntegrityError:
        return False


class ProcrastinateJobQueue:
    """Implements the JobQueue port."""

    def __init__(self, app: procrastinate.App) -> None:
        self.app = app

    async def defer(self, task: str, *, at: datetime | None = None, lock: str | None = None,
                    queueing_lock: str | None = None, queue: str = PUBLISH_QUEUE, **args: Any) -> bool:
        try:
            await self.app.configure_task(task, queue=queue, schedule_at=at, lock=lock,
                                          queueing_lock=queueing_lock).defer_async(**args)
            return True
        except AlreadyEnqueued:
            return False

    async def defer_publish(self, job: dict) -> bool:
        return await self.defer(job["task"], at=job["at"], lock=job["lock"], queueing_lock=job["queueing_lock"],
                                queue=job["queue"], **job["args"])
