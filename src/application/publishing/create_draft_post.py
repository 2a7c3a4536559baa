"""Create a draft post for some of the workspace's channels, optionally in a campaign.

With `schedule_at`, the draft is also scheduled in the same atomic write: either both happen or nothing is stored.
"""

from __future__ import annotations

from application.publishing.commands import CreateDraftPost
from application.publishing.targets import check_campaign, check_media, reported_limits, requires_approval, resolve_targets
from application.publishing.unit_of_work import UnitOfWorkFactory
from application.shared.ports import Clock, EventStore
from application.shared.results import Saved
from domain.publishing.post import Post
from domain.shared.errors import InvalidValue
from domain.shared.roles import Permission
from domain.shared.timezones import to_utc, wall_clock


class CreateDraftPostHandler:
    def __init__(self, store: EventStore, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.store, self.uow, self.clock = store, uow, clock

    async def __call__(self, cmd: CreateDraftPost) -> Saved:
        cmd.actor.require(Permission.EDIT_CONTENT)
        async with self.uow.reads() as uow:
            channels = await uow.channels.of_workspace(cmd.actor.workspace_id)
            targets = resolve_targets(channels, cmd.channel_ids)
            await check_campaign(self.store, cmd.actor, cmd.campaign_id)
            await check_media(uow, cmd.actor, cmd.media)
            approval = await requires_approval(uow, cmd.actor)
        post = Post.draft(workspace_id=cmd.actor.workspace_id, author_id=cmd.actor.user_id, text=cmd.text,
                          targets=targets, campaign_id=cmd.campaign_id, media=cmd.media, requires_approval=approval)
        for channel_id, text in (cmd.variants or {}).items():
            post.set_variant(by=cmd.actor.user_id, channel_id=channel_id, text=text)
        if cmd.schedule_at is not None:
            if not cmd.timezone:
                raise InvalidValue("timezone", "is required with schedule_at")
            at = to_utc(cmd.schedule_at, cmd.timezone, field="schedule_at")
            post.schedule(by=cmd.actor.user_id, at=at, timezone=cmd.timezone,
                          local_time=wall_clock(at, cmd.timezone), now=self.clock.now(),
                          limits=reported_limits(channels))
        position = await self.store.save(post)
        return Saved(post.id, post.version, position)
