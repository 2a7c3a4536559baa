"""Post events -> post_views, calendar_entries (one row per scheduled target) and post_history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.publishing.tables import calendar_entries, post_history, post_views
from adapters.shared.jsonable import event_details, event_name, jsonable
from adapters.shared.projector import Change, upsert
from domain.publishing.post import Post
from domain.publishing.states import TargetState

PREVIEW_LENGTH = 140
_ACTOR_FIELDS = ("by", "author_id")


class PostProjection:
    kind = Post

    async def apply(self, conn: AsyncConnection, changes: Sequence[Change]) -> None:
        posts: list[Post] = [c.aggregate for c in changes]
        await upsert(conn, post_views, [self._view_row(post) for post in posts])
        await conn.execute(delete(calendar_entries).where(calendar_entries.c.post_id.in_([p.id for p in posts])))
        calendar = [row for post in posts for row in self._calendar_rows(post)]
        if calendar:
            await conn.execute(calendar_entries.insert(), calendar)
        # Plain INSERT: applying an event twice would violate the primary key, never pass silently.
        await conn.execute(post_history.insert(), [self._history_row(c.aggregate, e) for c in changes for e in c.events])

    async def mark_stale(self, conn: AsyncConnection, aggregate_id: UUID, stale: bool) -> None:
        await conn.execute(update(post_views).where(post_views.c.id == aggregate_id).values(stale=stale))

    @staticmethod
    def _view_row(post: Post) -> dict[str, Any]:
        return {
            "id": post.id, "workspace_id": post.workspace_id, "campaign_id": post.campaign_id,
            "author_id": post.author_id, "status": post.status.value, "publish_state": post.publish_state,
            "text": post.text, "variants": {str(k): v for k, v in post.variants.items()}, "media": post.media,
            "targets": [jsonable(vars(t)) for t in post.targets.values()],
            "timezone": post.timezone, "local_time": post.local_time, "scheduled_at": post.scheduled_at,
            "version": post.version, "created_at": post.created_on, "updated_at": post.modified_on,
        }

    @staticmethod
    def _calendar_rows(post: Post) -> list[dict[str, Any]]:
        """One row per target that has a time and is not cancelled."""
        return [{
            "post_id": post.id, "channel_id": t.channel_id, "workspace_id": post.workspace_id,
            "campaign_id": post.campaign_id, "platform": t.platform, "scheduled_at": t.scheduled_at,
            "timezone": post.timezone, "state": t.state.value,
            "preview": post.text_for(t.channel_id)[:PREVIEW_LENGTH], "attempt_started_at": t.attempt_started_at,
        } for t in post.targets.values() if t.scheduled_at is not None and t.state is not TargetState.CANCELLED]

    @staticmethod
    def _history_row(post: Post, event: Any) -> dict:
        details = event_details(event)
        actor = next((getattr(event, f) for f in _ACTOR_FIELDS if getattr(event, f, None)), None)
        return {"post_id": post.id, "version": event.originator_version, "workspace_id": post.workspace_id,
                "event": event_name(event), "at": event.timestamp, "actor_id": actor, "details": details}
