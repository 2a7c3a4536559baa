"""Post events -> engagement tracking, in the projection's transaction: a target starts being polled
exactly when its publication is applied to the read model, and never twice.

Rule: a `TargetPublished` event adds the target (its platform, remote id and publication time) with
its first read due one step of the cadence's first band after publication (`first_poll_at`). A
target already tracked is left as it is (a replayed batch changes nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.engagement.tables import engagement_targets
from adapters.shared.projector import Change
from domain.engagement.cadence import first_poll_at
from domain.publishing.post import Post
from domain.publishing.states import TargetState

_TRACK = insert(engagement_targets).on_conflict_do_nothing(index_elements=["post_id", "channel_id"])


class EngagementTrackingProjection:
    kind = Post

    async def apply(self, conn: AsyncConnection, changes: Sequence[Change]) -> None:
        rows = []
        for change in changes:
            post: Post = change.aggregate
            for event in change.events:
                if type(event).__name__ != "TargetPublished":
                    continue
                target = post.targets.get(event.channel_id)
                if target is None or target.state is not TargetState.PUBLISHED or not target.remote_id \
                        or target.published_at is None:
                    continue
                rows.append({"post_id": post.id, "channel_id": target.channel_id, "workspace_id": post.workspace_id,
                             "platform": target.platform, "remote_id": target.remote_id,
                             "published_at": target.published_at, "flags": [], "unchanged": 0,
                             "next_poll_at": first_poll_at(target.published_at)})
        if rows:
            await conn.execute(_TRACK, rows)

    async def mark_stale(self, conn: AsyncConnection, aggregate_id: UUID, stale: bool) -> None:
        """Tracking rows are no view of the post: a set-aside post's published targets are tracked once replayed."""
