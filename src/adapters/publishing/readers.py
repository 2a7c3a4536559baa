"""PostReader and CalendarReader on the post read tables (SQLAlchemy async). Every query is workspace-scoped."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from uuid import UUID

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.publishing.tables import calendar_entries, post_history, post_views
from application.publishing.views import CalendarEntry, HistoryEntry, PostFilters, PostPosition, PostView, TargetView


def _target(data: dict) -> TargetView:
    return TargetView(
        channel_id=UUID(data["channel_id"]), platform=data["platform"], state=data["state"],
        scheduled_at=datetime.fromisoformat(data["scheduled_at"]) if data.get("scheduled_at") else None,
        attempts=data.get("attempts", 0), remote_id=data.get("remote_id"), url=data.get("url"),
        failure=data.get("failure"))


def _post(row, history: list[HistoryEntry] | None = None) -> PostView:
    data = dict(row._mapping)
    data.pop("workspace_id")
    data["targets"] = [_target(t) for t in data["targets"]]
    return PostView(**data, history=history)


class SqlPostReader:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def get(self, workspace_id: UUID, post_id: UUID, with_history: bool) -> PostView | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(post_views).where(
                post_views.c.workspace_id == workspace_id, post_views.c.id == post_id))).first()
            if row is None:
                return None
            history = None
            if with_history:
                rows = await conn.execute(select(post_history).where(
                    post_history.c.workspace_id == workspace_id, post_history.c.post_id == post_id)
                    .order_by(post_history.c.version))
                history = [HistoryEntry(version=r.version, event=r.event, at=r.at, actor_id=r.actor_id,
                                        details=r.details) for r in rows]
        return _post(row, history)

    async def list(self, workspace_id: UUID, filters: PostFilters, limit: int, offset: int,
                   after: PostPosition | None = None) -> list[PostView]:
        c = post_views.c
        query = (select(post_views).where(c.workspace_id == workspace_id)
                 .order_by(c.updated_at.desc(), c.id).limit(limit).offset(offset))
        if filters.status:
            query = query.where(c.status == filters.status)
        if filters.campaign_id:
            query = query.where(c.campaign_id == filters.campaign_id)
        if filters.channel_ids:  # JSONB containment: a target object with that channel
            query = query.where(or_(*(c.targets.contains([{"channel_id": str(channel)}])
                                      for channel in filters.channel_ids)))
        if filters.state:
            query = query.where(c.targets.contains([{"state": filters.state}]))
        if filters.scheduled_from:
            query = query.where(c.scheduled_at >= filters.scheduled_from)
        if filters.scheduled_to:
            query = query.where(c.scheduled_at < filters.scheduled_to)
        if after:
            query = query.where(or_(c.updated_at < after.updated_at,
                                    and_(c.updated_at == after.updated_at, c.id > after.id)))
        async with self.engine.connect() as conn:
            return [_post(r) for r in await conn.execute(query)]


_CALENDAR_COLUMNS = [calendar_entries.c[f.name] for f in fields(CalendarEntry)]  # in the dataclass's order


class SqlCalendarReader:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def range(self, workspace_id: UUID, start: datetime, end: datetime,
                    channel_ids: list[UUID] | None, campaign_id: UUID | None) -> list[CalendarEntry]:
        c = calendar_entries.c
        query = (select(*_CALENDAR_COLUMNS)
                 .where(c.workspace_id == workspace_id, c.scheduled_at >= start, c.scheduled_at < end)
                 .order_by(c.scheduled_at, c.post_id, c.channel_id))
        if channel_ids:
            query = query.where(c.channel_id.in_(channel_ids))
        if campaign_id:
            query = query.where(c.campaign_id == campaign_id)
        async with self.engine.connect() as conn:
            # Positional: a row's mapping view costs more than the rest of its handling (a week holds hundreds).
            return [CalendarEntry(*row) for row in await conn.execute(query)]
