"""Cancel a post or some of its targets; a target already publishing or published cannot be cancelled."""

from __future__ import annotations

from application.publishing.commands import CancelPost
from application.shared.loading import change
from application.shared.ports import EventStore
from application.shared.results import Saved
from domain.publishing.post import Post
from domain.shared.roles import Permission


class CancelPostHandler:
    def __init__(self, store: EventStore) -> None:
        self.store = store

    async def __call__(self, cmd: CancelPost) -> Saved:
        cmd.actor.require(Permission.EDIT_CONTENT)
        return await change(self.store, cmd.actor, Post, cmd.post_id, "post",
                            lambda post: post.cancel(by=cmd.actor.user_id, channel_ids=cmd.channel_ids))
