"""Retry a failed target now. Safe: the retry is a new attempt of a target that did not publish;
a published or unconfirmed target refuses (rule retry_not_failed)."""

from __future__ import annotations

from application.publishing.commands import RetryTarget
from application.shared.loading import change
from application.shared.ports import Clock, EventStore
from application.shared.results import Saved
from domain.publishing.post import Post
from domain.shared.roles import Permission


class RetryTargetHandler:
    def __init__(self, store: EventStore, clock: Clock) -> None:
        self.store, self.clock = store, clock

    async def __call__(self, cmd: RetryTarget) -> Saved:
        cmd.actor.require(Permission.EDIT_CONTENT)
        now = self.clock.now()
        return await change(self.store, cmd.actor, Post, cmd.post_id, "post",
                            lambda post: post.retry(by=cmd.actor.user_id, channel_id=cmd.channel_id, at=now))
