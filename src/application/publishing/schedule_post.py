"""Schedule a post for a wall-clock time in the user's zone (stored as a UTC instant beside the zone)."""

from __future__ import annotations

from application.publishing.commands import SchedulePost
from application.publishing.targets import reported_limits
from application.publishing.unit_of_work import UnitOfWorkFactory
from application.shared.loading import change
from application.shared.ports import Clock, EventStore
from application.shared.results import Saved
from domain.publishing.post import Post
from domain.shared.roles import Permission
from domain.shared.timezones import to_utc, wall_clock, zone


class SchedulePostHandler:
    def __init__(self, store: EventStore, clock: Clock, uow: UnitOfWorkFactory) -> None:
        self.store, self.clock, self.uow = store, clock, uow

    async def __call__(self, cmd: SchedulePost) -> Saved:
        cmd.actor.require(Permission.EDIT_CONTENT)
        zone(cmd.timezone)
        at = to_utc(cmd.at, cmd.timezone, field="at")
        local_time, now = wall_clock(at, cmd.timezone), self.clock.now()
        async with self.uow.reads() as uow:
            limits = reported_limits(await uow.channels.of_workspace(cmd.actor.workspace_id))
        return await change(self.store, cmd.actor, Post, cmd.post_id, "post", lambda post: post.schedule(
            by=cmd.actor.user_id, at=at, timezone=cmd.timezone, local_time=local_time, now=now, limits=limits),
            cmd.expected_version)
