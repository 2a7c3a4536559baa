"""Move a scheduled post (or some of its targets) to another time; locked targets refuse."""

from __future__ import annotations

from application.publishing.commands import ReschedulePost
from application.shared.loading import change
from application.shared.ports import Clock, EventStore
from application.shared.results import Saved
from domain.publishing.post import Post
from domain.shared.roles import Permission
from domain.shared.timezones import to_utc, wall_clock


class ReschedulePostHandler:
    def __init__(self, store: EventStore, clock: Clock) -> None:
        self.store, self.clock = store, clock

    async def __call__(self, cmd: ReschedulePost) -> Saved:
        cmd.actor.require(Permission.EDIT_CONTENT)
        at = to_utc(cmd.at, cmd.timezone, field="at")
        local_time, now = wall_clock(at, cmd.timezone), self.clock.now()
        return await change(self.store, cmd.actor, Post, cmd.post_id, "post", lambda post: post.reschedule(
            by=cmd.actor.user_id, at=at, timezone=cmd.timezone, local_time=local_time, now=now,
            channel_ids=cmd.channel_ids), cmd.expected_version)
