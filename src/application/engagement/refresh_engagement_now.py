"""A member's "refresh now" for a post: every tracked target of it becomes due at once (even one past
its 90 days of polling, for this one read) and its channels' polls are queued now, not at the
scheduler's next pass. Any member may ask (it reads, it changes nothing); one waiting poll per channel
bounds what a burst of clicks can cost."""

from __future__ import annotations

from dataclasses import dataclass

from application.engagement.commands import RefreshEngagementNow
from application.engagement.jobs import PollJob
from application.engagement.ports import EngagementReader, EngagementStore, PollQueue
from application.shared.errors import NotFound
from application.shared.ports import Clock
from domain.shared.roles import Permission


@dataclass(frozen=True)
class RefreshStarted:
    targets: int  # tracked targets made due (0: nothing of the post is published yet)


class RefreshEngagementNowHandler:
    def __init__(self, store: EngagementStore, reader: EngagementReader, queue: PollQueue, clock: Clock) -> None:
        self.store, self.reader, self.queue, self.clock = store, reader, queue, clock

    async def __call__(self, cmd: RefreshEngagementNow) -> RefreshStarted:
        cmd.actor.require(Permission.READ)
        workspace_id = cmd.actor.workspace_id
        channels = await self.store.make_due(workspace_id, cmd.post_id, self.clock.now())
        if not channels and await self.reader.post_engagement(workspace_id, cmd.post_id) is None:
            raise NotFound("post", cmd.post_id)
        for channel_id in set(channels):
            await self.queue.defer(PollJob(workspace_id, channel_id))
        return RefreshStarted(len(channels))
