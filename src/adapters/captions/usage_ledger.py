"""UsageLedger on PostgreSQL: one row per generation, counted for the hourly limits (per workspace and
per user) and summed for usage."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.captions.tables import caption_generations as g
from application.captions.ports import GenerationRateLimited, Usage, UsageSummary

HOUR = timedelta(hours=1)


class SqlUsageLedger:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def begin(self, workspace_id: UUID, at: datetime, limit_per_hour: int, *,
                    user_id: UUID | None = None, user_limit_per_hour: int | None = None) -> UUID:
        generation_id = uuid.uuid4()
        async with self.engine.begin() as conn:
            # One admission at a time per workspace and per user, so two concurrent requests cannot both
            # take the last slot. The workspace's lock is always taken first: no two admissions wait in a circle.
            await conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('captions:' || :ws))"),
                               {"ws": str(workspace_id)})
            await self._admit(conn, g.c.workspace_id == workspace_id, at, limit_per_hour, "workspace")
            if user_id is not None and user_limit_per_hour is not None:
                await conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('captions-user:' || :user))"),
                                   {"user": str(user_id)})
                await self._admit(conn, g.c.user_id == user_id, at, user_limit_per_hour, "user")
            await conn.execute(insert(g).values(id=generation_id, workspace_id=workspace_id, user_id=user_id,
                                                started_at=at))
        return generation_id

    @staticmethod
    async def _admit(conn, whose, at: datetime, limit_per_hour: int, scope: str) -> None:
        window = (await conn.execute(select(func.count(), func.min(g.c.started_at))
                                     .where(whose, g.c.started_at > at - HOUR))).one()
        if window[0] >= limit_per_hour:
            raise GenerationRateLimited(limit_per_hour, (window[1] + HOUR - at).total_seconds(), scope=scope)

    async def finish(self, generation_id: UUID, at: datetime, model: str, usage: Usage, outcome: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(g).where(g.c.id == generation_id).values(
                finished_at=at, model=model, prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens, outcome=outcome))

    async def summary(self, workspace_id: UUID, at: datetime, limit_per_hour: int) -> UsageSummary:
        day = at.replace(hour=0, minute=0, second=0, microsecond=0)
        month = day.replace(day=1)
        tokens = g.c.prompt_tokens + g.c.completion_tokens
        since = lambda start: g.c.started_at >= start  # noqa: E731
        query = select(
            func.count().filter(since(day)),
            func.coalesce(func.sum(tokens).filter(since(day)), 0),
            func.count().filter(since(month)),
            func.coalesce(func.sum(g.c.prompt_tokens).filter(since(month)), 0),
            func.coalesce(func.sum(g.c.completion_tokens).filter(since(month)), 0),
            func.count().filter(g.c.started_at > at - HOUR),
        ).where(g.c.workspace_id == workspace_id, since(min(month, at - HOUR)))
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).one()
        return UsageSummary(requests_today=row[0], tokens_today=int(row[1]), requests_this_month=row[2],
                            prompt_tokens_this_month=int(row[3]), completion_tokens_this_month=int(row[4]),
                            limit_per_hour=limit_per_hour, used_this_hour=row[5])
