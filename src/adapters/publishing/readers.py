"""PostReader and CalendarReader on the post read tables (SQLAlchemy async). Every query is workspace-scoped.

A post's detail (read after every command) and the calendar use statements built once with bound
parameters: building a statement and its cache key anew costs SQLAlchemy more than running it. The
calendar's rows (hundreds a week) are fetched by the driver itself (`DriverQuery`)."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from uuid import UUID

from sqlalchemy import ARRAY, Uuid, and_, any_, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.publishing.tables import calendar_entries, post_history, post_views
from adapters.shared.database import DriverQuery, std_uuid
from application.publishing.views import CalendarEntry, HistoryEntry, PostFilters, PostPosition, PostView, TargetView


def _columns(table, view) -> list:
    """The table's columns named by the view's fields, in their order: rows then build views positionally
    (a row's mapping view costs more than the rest of its handling)."""
    return [table.c[f.name] for f in fields(view)]


_POST = select(post_views).where(post_views.c.workspace_id == bindparam("workspace_id"),
                                 post_views.c.id == bindparam("post_id"))
_HISTORY_COLUMNS = [c.label(f"history_{c.name}") for c in _columns(post_history, HistoryEntry)]
# A post's detail in one round trip: the post on every row, one row per history entry (one with NULLs for none).
_POST_WITH_HISTORY = (select(post_views, *_HISTORY_COLUMNS)
                      .select_from(post_views.outerjoin(post_history, and_(
                          post_history.c.workspace_id == post_views.c.workspace_id,
                          post_history.c.post_id == post_views.c.id)))
                      .where(post_views.c.workspace_id == bindparam("workspace_id"), post_views.c.id == bindparam("post_id"))
                      .order_by(post_history.c.version))
_POST_KEYS = tuple(post_views.c.keys())
_POST_FIELDS = len(_POST_KEYS)
_CALENDAR = (select(*_columns(calendar_entries, CalendarEntry))
             .where(calendar_entries.c.workspace_id == bindparam("workspace_id"),
                    calendar_entries.c.scheduled_at >= bindparam("start"), calendar_entries.c.scheduled_at < bindparam("end"))
             .order_by(calendar_entries.c.scheduled_at, calendar_entries.c.post_id, calendar_entries.c.channel_id))


def _calendar_query(by_channels: bool, by_campaign: bool) -> DriverQuery:
    query, c = _CALENDAR, calendar_entries.c
    if by_channels:
        query = query.where(c.channel_id == any_(bindparam("channel_ids", type_=ARRAY(Uuid))))
    if by_campaign:
        query = query.where(c.campaign_id == bindparam("campaign_id"))
    return DriverQuery(query)


_CALENDAR_QUERIES = {(channels, campaign): _calendar_query(channels, campaign)
                     for channels in (False, True) for campaign in (False, True)}


def _target(data: dict) -> TargetView:
    return TargetView(
        channel_id=UUID(data["channel_id"]), platform=data["platform"], state=data["state"],
        scheduled_at=datetime.fromisoformat(data["scheduled_at"]) if data.get("scheduled_at") else None,
        attempts=data.get("attempts", 0), remote_id=data.get("remote_id"), url=data.get("url"),
        failure=data.get("failure"))


def _post(row, history: list[HistoryEntry] | None = None) -> PostView:
    data = dict(zip(_POST_KEYS, row[:_POST_FIELDS]))
    data.pop("workspace_id")
    data["targets"] = [_target(t) for t in data["targets"]]
    return PostView(**data, history=history)


class SqlPostReader:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def get(self, workspace_id: UUID, post_id: UUID, with_history: bool) -> PostView | None:
        key = {"workspace_id": workspace_id, "post_id": post_id}
        async with self.engine.connect() as conn:
            rows = (await conn.execute(_POST_WITH_HISTORY if with_history else _POST, key)).all()
        if not rows:
            return None
        history = [HistoryEntry(*r[_POST_FIELDS:]) for r in rows if r[_POST_FIELDS] is not None] if with_history else None
        return _post(rows[0], history)

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


class SqlCalendarReader:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def range(self, workspace_id: UUID, start: datetime, end: datetime,
                    channel_ids: list[UUID] | None, campaign_id: UUID | None) -> list[CalendarEntry]:
        query = _CALENDAR_QUERIES[bool(channel_ids), bool(campaign_id)]
        rows = await query.fetch(self.engine, {"workspace_id": workspace_id, "start": start, "end": end,
                                               "channel_ids": channel_ids, "campaign_id": campaign_id})
        return _calendar_entries(rows)


def _calendar_entries(rows, new=object.__new__, set_=object.__setattr__) -> list[CalendarEntry]:
    """Entries from the driver's rows, at about half the cost of `CalendarEntry(...)` with a UUID
    conversion per column: a week's channels and campaigns repeat, so each is converted once, and
    each entry gets its fields as its frozen dataclass `__init__` would set them (it has no
    `__post_init__`; `tests/unit/adapters/test_calendar_entries.py` holds both to the same result)."""
    uuids: dict = {}
    entries = []
    for post, channel, platform, campaign, at, zone, state, preview in rows:
        channel_id = uuids.get(channel)
        if channel_id is None:
            channel_id = uuids[channel] = std_uuid(channel.int)
        campaign_id = None if campaign is None else uuids.get(campaign)
        if campaign is not None and campaign_id is None:
            campaign_id = uuids[campaign] = std_uuid(campaign.int)
        entry = new(CalendarEntry)
        set_(entry, "__dict__", {"post_id": std_uuid(post.int), "channel_id": channel_id, "platform": platform,
                                 "campaign_id": campaign_id, "scheduled_at": at, "timezone": zone, "state": state,
                                 "preview": preview})
        entries.append(entry)
    return entries
