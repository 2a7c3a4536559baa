"""Post and calendar queries; they read projections, never aggregates."""

from __future__ import annotations

from datetime import timedelta

from application.publishing.commands import CalendarRange, GetPost
from application.publishing.views import CalendarEntry, CalendarReader, PostReader, PostView
from application.shared.errors import NotFound
from domain.shared.errors import InvalidValue
from domain.shared.roles import Permission
from domain.shared.timezones import as_utc

MAX_CALENDAR_SPAN = timedelta(days=92)


class CalendarRangeHandler:
    def __init__(self, reader: CalendarReader) -> None:
        self.reader = reader

    async def __call__(self, query: CalendarRange) -> list[CalendarEntry]:
        """Targets scheduled in [start, end): at most about three months at a time."""
        query.actor.require(Permission.READ)
        if query.start.tzinfo is None or query.end.tzinfo is None:
            raise InvalidValue("start", "start and end need a UTC offset, e.g. 2026-05-01T00:00:00Z")
        start, end = as_utc(query.start, "start"), as_utc(query.end, "end")
        if end <= start:
            raise InvalidValue("end", "must be after start")
        if end - start > MAX_CALENDAR_SPAN:
            raise InvalidValue("end", f"a calendar range spans at most {MAX_CALENDAR_SPAN.days} days")
        return await self.reader.range(query.actor.workspace_id, start, end, query.channel_ids, query.campaign_id)


class GetPostHandler:
    def __init__(self, reader: PostReader) -> None:
        self.reader = reader

    async def __call__(self, query: GetPost) -> PostView:
        """The post with its targets and its history (the audit trail of its events)."""
        query.actor.require(Permission.READ)
        view = await self.reader.get(query.actor.workspace_id, query.post_id, with_history=True)
        if view is None:
            raise NotFound("post", query.post_id)
        return view
