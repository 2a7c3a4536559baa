"""The scheduler's pass: defer one poll job for each channel with a target due. The queue keeps one
waiting job per channel, so running the pass often (and from every worker) costs no extra polls."""

from __future__ import annotations

from application.engagement.commands import DeferDuePolls
from application.engagement.jobs import PollJob
from application.engagement.ports import EngagementStore, PollQueue
from application.shared.ports import Clock


class DeferDuePollsHandler:
    def __init__(self, store: EngagementStore, queue: PollQueue, clock: Clock) -> None:
        self.store, self.queue, self.clock = store, queue, clock

    async def __call__(self, cmd: DeferDuePolls) -> int:
        """How many jobs were deferred (channels whose job was already waiting do not count)."""
        deferred = 0
        for workspace_id, channel_id in await self.store.channels_due(self.clock.now(), cmd.limit):
            deferred += await self.queue.defer(PollJob(workspace_id, channel_id))
        return deferred
