"""A post's engagement: each target's latest numbers with their freshness (captured at, next read)
and series, and the numbers summed over its targets."""

from __future__ import annotations

from application.engagement.commands import GetPostEngagement
from application.engagement.ports import EngagementReader
from application.engagement.views import PostEngagement
from application.shared.errors import NotFound
from domain.shared.roles import Permission


class GetPostEngagementHandler:
    def __init__(self, reader: EngagementReader) -> None:
        self.reader = reader

    async def __call__(self, query: GetPostEngagement) -> PostEngagement:
        query.actor.require(Permission.READ)
        found = await self.reader.post_engagement(query.actor.workspace_id, query.post_id)
        if found is None:
            raise NotFound("post", query.post_id)
        return found
