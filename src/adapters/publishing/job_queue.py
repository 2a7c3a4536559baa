"""Publishing jobs on procrastinate (PostgreSQL), deferred through procrastinate's own SQL function.
Two ways in, both implementing the JobQueue port:

- `TransactionJobQueue(conn)`: in the caller's transaction (the projection's), so a job is
  deferred exactly when the event that calls for it is applied;
- `ProcrastinateJobQueue(engine)`: in a transaction of its own (the safety sweep, a job that
  fired early deferring itself again).

Here a job becomes a procrastinate job: the task and queue, the arguments (ids and the due time,
never content) and a queueing lock per job, so a second deferral of a job that is still waiting
is a no-op and both ways are safe to repeat.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.shared.job_deferral import defer_once
from application.publishing.jobs import PublishAt, PublishJob, ReconcileAttempt, RecoverAttempt

PUBLISH_QUEUE = "publishing"
PUBLISH_TASK = "publish_target"


def task_arguments(job: PublishJob) -> dict[str, str | None]:
    """What the `publish_target` task is called with."""
    due_at = job.due_at
    return {"post_id": str(job.post_id), "channel_id": str(job.channel_id),
            "due_at": due_at.isoformat() if due_at else None}


def queueing_lock(job: PublishJob) -> str:
    """One name per job: a publish job per due time, a reconcile job per attempt, a recover job per
    abandoned attempt (by its start time, as the sweep reads it)."""
    target = f"{job.post_id}:{job.channel_id}"
    match job.purpose:
        case PublishAt(due_at):
            return f"publish:{target}:{due_at.isoformat()}"
        case ReconcileAttempt(attempt_id):
            return f"reconcile:{target}:{attempt_id}"
        case RecoverAttempt(started_at):
            return f"stuck:{target}:{started_at.isoformat()}"
    raise TypeError(f"no queueing lock for {job.purpose!r}")


class TransactionJobQueue:
    """Implements the JobQueue port in the caller's transaction: the job exists once it commits."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def defer(self, job: PublishJob) -> bool:
        # No procrastinate `lock`: a waiting job would block later ones of the same target until its own
        # time. Two jobs of one target running at once are safe: the post's version check lets one attempt
        # start, and the other sees it in progress.
        return await defer_once(self.conn, queue=PUBLISH_QUEUE, task=PUBLISH_TASK, queueing_lock=queueing_lock(job),
                                args=task_arguments(job), at=job.run_at)


class ProcrastinateJobQueue:
    """Implements the JobQueue port, each deferral in a transaction of its own."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def defer(self, job: PublishJob) -> bool:
        async with self.engine.begin() as conn:
            return await TransactionJobQueue(conn).defer(job)
