"""Edit a post's base text, media or channels; refused for targets already publishing or published,
for a scheduled post whose new content would break a platform's rules, and for media that are not
images of the workspace."""

from __future__ import annotations

from application.publishing.commands import EditPost
from application.publishing.targets import check_media, reported_limits, resolve_targets
from application.publishing.unit_of_work import UnitOfWorkFactory
from application.shared.loading import change
from application.shared.ports import Clock, EventStore
from application.shared.results import Saved
from domain.publishing.post import Post
from domain.shared.roles import Permission


class EditPostHandler:
    def __init__(self, store: EventStore, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.store, self.uow, self.clock = store, uow, clock

    async def __call__(self, cmd: EditPost) -> Saved:
        cmd.actor.require(Permission.EDIT_CONTENT)
        async with self.uow.reads() as uow:
            channels = await uow.channels.of_workspace(cmd.actor.workspace_id)
            targets = None if cmd.channel_ids is None else resolve_targets(channels, cmd.channel_ids)
            await check_media(uow, cmd.actor, cmd.media)
        now, limits = self.clock.now(), reported_limits(channels)

        def apply(post: Post) -> None:
            if targets is not None:
                post.change_targets(by=cmd.actor.user_id, targets=targets, now=now, limits=limits)
            post.edit(by=cmd.actor.user_id, text=cmd.text, media=cmd.media, limits=limits)

        return await change(self.store, cmd.actor, Post, cmd.post_id, "post", apply, cmd.expected_version)
