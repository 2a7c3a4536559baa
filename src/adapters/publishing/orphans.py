"""Targets that need a publishing job but have none waiting or running (read from the calendar
projection and procrastinate's job table): what the worker's safety sweep re-defers."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.publishing.job_queue import PUBLISH_TASK
from adapters.publishing.tables import calendar_entries

_NO_JOB_WAITING = text(
    "NOT EXISTS (SELECT 1 FROM procrastinate_jobs j WHERE j.status IN ('todo', 'doing') "
    "AND j.task_name = :task AND j.args->>'post_id' = calendar_entries.post_id::text "
    "AND j.args->>'channel_id' = calendar_entries.channel_id::text)").bindparams(task=PUBLISH_TASK)


async def orphaned_targets(engine: AsyncEngine, now: datetime, overdue_after: timedelta, stale_after: timedelta
                           ) -> tuple[list[tuple[UUID, UUID, datetime]], list[tuple[UUID, UUID, datetime]]]:
    """(overdue scheduled targets with their due time, abandoned attempts with their start time)."""
    c = calendar_entries.c
    async with engine.connect() as conn:
        overdue = (await conn.execute(select(c.post_id, c.channel_id, c.scheduled_at).where(
            c.state == "scheduled", c.scheduled_at <= now - overdue_after, _NO_JOB_WAITING))).all()
        stuck = (await conn.execute(select(c.post_id, c.channel_id, c.attempt_started_at).where(
            c.state.in_(("publishing", "unconfirmed")), c.attempt_started_at <= now - stale_after,
            _NO_JOB_WAITING))).all()
    return [tuple(r) for r in overdue], [tuple(r) for r in stuck]
