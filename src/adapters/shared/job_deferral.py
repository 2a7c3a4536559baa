"""Deferring a procrastinate job once, through procrastinate's own SQL function, in the caller's
transaction: publishing's jobs and engagement's polls both go this way."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from procrastinate.manager import QUEUEING_LOCK_CONSTRAINT
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

_DEFER = text("SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, :priority, NULL, :queueing_lock, "
              "CAST(:args AS jsonb), :at)::procrastinate_job_to_defer_v1])")


async def defer_once(conn: AsyncConnection, *, queue: str, task: str, queueing_lock: str,
                     args: Mapping[str, str | None], at: datetime | None, priority: int = 0) -> bool:
    """Defer the job unless one with the same queueing lock is waiting; whether it was deferred.
    A savepoint keeps the caller's transaction usable when it was not."""
    try:
        async with conn.begin_nested():
            await conn.execute(_DEFER, {"queue": queue, "task": task, "priority": priority,
                                        "queueing_lock": queueing_lock, "args": json.dumps(args), "at": at})
        return True
    except IntegrityError as exc:
        if QUEUEING_LOCK_CONSTRAINT not in str(exc.orig):
            raise
        return False
