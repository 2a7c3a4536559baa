"""Engagement queries on PostgreSQL: a post's targets with their latest numbers and series, always
within the caller's workspace."""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.engagement.tables import engagement_snapshots, engagement_targets
from adapters.publishing.tables import post_views
from application.engagement.views import PostEngagement, SeriesPoint, TargetEngagement
from domain.engagement.engagement import METRICS, Counters

_t, _s = engagement_targets, engagement_snapshots


def _counters(row) -> Counters:
    return Counters(**{name: getattr(row, name) for name in METRICS})


class SqlEngagementReader:
    """Implements EngagementReader."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def post_engagement(self, workspace_id: UUID, post_id: UUID) -> PostEngagement | None:
        async with self.engine.connect() as conn:
            exists = await conn.scalar(select(post_views.c.id).where(post_views.c.workspace_id == workspace_id,
                                                                     post_views.c.id == post_id))
            if exists is None:
                return None
            targets = (await conn.execute(select(_t).where(_t.c.workspace_id == workspace_id, _t.c.post_id == post_id)
                                          .order_by(_t.c.platform, _t.c.channel_id))).all()
            points = (await conn.execute(select(_s).where(_s.c.workspace_id == workspace_id, _s.c.post_id == post_id)
                                         .order_by(_s.c.channel_id, _s.c.captured_at))).all()
        series: dict[UUID, list[SeriesPoint]] = defaultdict(list)
        for point in points:
            series[point.channel_id].append(SeriesPoint(point.captured_at, _counters(point), tuple(point.flags)))
        return PostEngagement(post_id, [
            TargetEngagement(channel_id=row.channel_id, platform=row.platform, remote_id=row.remote_id,
                             published_at=row.published_at, counters=_counters(row), flags=tuple(row.flags),
                             captured_at=row.captured_at, next_poll_at=row.next_poll_at, error=row.error,
                             series=series.get(row.channel_id, []))
            for row in targets])
