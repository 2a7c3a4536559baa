"""Set or clear one channel's own text for a post."""

from __future__ import annotations

from application.publishing.commands import SetVariant
from application.shared.loading import change
from application.shared.ports import EventStore
from application.shared.results import Saved
from domain.publishing.post import Post
from domain.shared.roles import Permission


class SetVariantHandler:
    def __init__(self, store: EventStore) -> None:
        self.store = store

    async def __call__(self, cmd: SetVariant) -> Saved:
        cmd.actor.require(Permission.EDIT_CONTENT)
        return await change(self.store, cmd.actor, Post, cmd.post_id, "post",
                            lambda post: post.set_variant(by=cmd.actor.user_id, channel_id=cmd.channel_id, text=cmd.text),
                            cmd.expected_version)
