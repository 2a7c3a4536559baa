"""Post events -> post_views, calendar_entries (one row per scheduled target) and post_history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.publishing.tables import calendar_entries, post_history, post_views
from adapters.shared.jsonable import event_details, event_name, jsonable
from domain.publishing.post import Post
from domain.publishing.states import TargetState

PREVIEW_LENGTH = 140
_ACTOR_FIELDS = ("by", "author_id")


class PostProjection:
    kind = Post

    async def apply(self, conn: AsyncConnection, post: Post, events: Sequence[Any]) -> None:
        await self._upsert_view(conn, post)
        await self._replace_calendar(conn, post)
        # Plain INSERT: applying an event twice would violate the primary key, never pass silently.
        await conn.execute(post_history.insert(), [self._history_row(post, e) for e in events])

    async def mark_stale(self, conn: AsyncConnection, aggregate_id: UUID, stale: bool) -> None:
        await conn.execute(update(post_views).where(post_views.c.id == aggregate_id).values(stale=stale))

    @staticmethod
    async def _upsert_view(conn: AsyncConnection, post: Post) -> None:
        row = {
            "id": post.id, "workspace_id": post.workspace_id, "campaign_id": post.campaign_id,
            "author_id": post.author_id, "status": post.status.value, "publish_state": post.publish_state,
            "text": post.text, "variants": {str(k): v for k, v in post.variants.items()}, "media": post.media,
            "targets": [jsonable(vars(t)) for t in post.targets.values()],
            "timezone": post.timezone, "local_time": post.local_time, "scheduled_at": post.scheduled_at,
            "version": post.version, "created_at": post.created_on, "updated_at": post.modified_on,
        }
        await conn.execute(insert(post_views).values(row).on_conflict_do_update(
            index_elements=["id"], set_={k: v for k, v in row.items() if k not in ("id", "created_at")}))

    @staticmethod
    async def _replace_calendar(conn: AsyncConnection, post: Post) -> None:
        await conn.execute(delete(calendar_entries).where(calendar_entries.c.post_id == post.id))
        rows = [{
            "post_id": post.id, "channel_id": t.channel_id, "workspace_id": post.workspace_id,
            "campaign_id": post.campaign_id, "platform": t.platform, "scheduled_at": t.scheduled_at,
            "timezone": post.timezone, "state": t.state.value,
            "preview": post.text_for(t.channel_id)[:PREVIEW_LENGTH], "attempt_started_at": t.attempt_started_at,
        } for t in post.targets.values() if t.scheduled_at is not None and t.state is not TargetState.CANCELLED]
        if rows:
            await conn.execute(calendar_entries.insert(), rows)

    @staticmethod
    def _history_row(post: Post, event: Any) -> dict:
        details = event_details(event)
        actor = next((getattr(event, f) for f in _ACTOR_FIELDS if getattr(event, f, None)), None)
        return {"post_id": post.id, "version": event.originator_version, "workspace_id": post.workspace_id,
                "event": event_name(event), "at": event.timestamp, "actor_id": actor, "details": details}
