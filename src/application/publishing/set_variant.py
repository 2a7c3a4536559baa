"""Set or clear one channel's own text for a post; a scheduled post's text must keep fitting the
channel's limit, the same one scheduling applied."""

from __future__ import annotations

from application.publishing.commands import SetVariant
from application.publishing.targets import reported_limits
from application.publishing.unit_of_work import UnitOfWorkFactory
from application.shared.loading import change
from application.shared.ports import EventStore
from application.shared.results import Saved
from domain.publishing.post import Post
from domain.shared.roles import Permission


class SetVariantHandler:
    def __init__(self, store: EventStore, uow: UnitOfWorkFactory) -> None:
        self.store, self.uow = store, uow

    async def __call__(self, cmd: SetVariant) -> Saved:
        cmd.actor.require(Permission.EDIT_CONTENT)
        async with self.uow.reads() as uow:
            limits = reported_limits(await uow.channels.of_workspace(cmd.actor.workspace_id))
        return await change(self.store, cmd.actor, Post, cmd.post_id, "post",
                            lambda post: post.set_variant(by=cmd.actor.user_id, channel_id=cmd.channel_id, text=cmd.text,
                                                          limits=limits),
                            cmd.expected_version)
