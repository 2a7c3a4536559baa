"""Post events -> live announcements of targets' publishing states, in the projection's transaction:
browsers hear of an attempt, a publication, a failure or a retry once the read model shows it (the
announcement is sent on commit, after the post's view is written in the same transaction).

Rule: each publishing event of a target (attempt started, published, unconfirmed, failed, retry
requested) announces one "target" change of that post and channel; other events announce nothing
(users make those changes themselves, and the page that made them shows them).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.live.journal import Change, announce
from adapters.shared.projector import Change as PostChange
from application.live.ports import ChangeKind
from domain.publishing.post import Post

PUBLISHING_EVENTS = frozenset({"PublishAttemptStarted", "TargetPublished", "TargetUnconfirmed", "TargetFailed",
                               "RetryRequested"})


class LiveTargetProjection:
    kind = Post

    async def apply(self, conn: AsyncConnection, changes: Sequence[PostChange]) -> None:
        await announce(conn, [Change(change.aggregate.workspace_id, ChangeKind.TARGET, change.aggregate.id, event.channel_id)
                              for change in changes for event in change.events
                              if type(event).__name__ in PUBLISHING_EVENTS])

    async def mark_stale(self, conn: AsyncConnection, aggregate_id: UUID, stale: bool) -> None:
        """Announcements are no view of the post: nothing to flag."""
