"""Poll one channel: read the numbers of its due targets, apply the Engagement aggregate's rules,
store the batch, and set each target's next read.

Rules:
- one run reads at most MAX_TARGETS targets (oldest due first); the rest stay due for the next run;
- the channel's tokens come from the channels context (`ChannelTokens.access`, refreshed ahead of
  expiry), read once per run; a channel that cannot be used now (disconnected, tokens refused) puts
  its due targets back with backoff and the reason, and a channel that no longer exists stops them;
- reads are batched where the platform allows (`BatchedMetrics`: Bluesky's getPosts, 25 posts a
  call), else one post a call (Mastodon), a few calls at a time; a post the platform no longer shows
  fails its read; a rate-limit answer stops the run: the targets not yet read wait for the
  platform's reset, so polling leaves the account's remaining budget to publishing;
- a failed read keeps the numbers and their time, records why, and backs off as if nothing changed;
- a read is applied to the target's Engagement aggregate: a new point when the numbers changed
  (drops and retired metrics flagged, never refused), else only the backoff grows; the next read is
  the aggregate's (cadence by age and backoff; none past 90 days).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from application.engagement.commands import PollEngagement
from application.engagement.outcomes import ChannelUnusable, NothingDue, Outcome, Polled
from application.engagement.ports import EngagementStore, TargetRead, TrackedTarget
from application.platforms.ports import (
    BatchedMetrics,
    ChannelTokens,
    Credentials,
    PlatformDirectory,
    PlatformError,
    SocialPlatform,
)
from application.shared.ports import Clock
from domain.engagement.cadence import next_poll_at
from domain.engagement.engagement import Counters, Engagement
from domain.publishing.states import FailureReason
from domain.shared.errors import DomainError

MAX_TARGETS = 100
CONCURRENT_READS = 4
RATE_LIMIT_WAIT = timedelta(minutes=1)  # when a 429 names no reset time
NOT_SHOWN = "the platform does not show the post any more; it may have been deleted"


def _engagement(target: TrackedTarget) -> Engagement:
    return Engagement(post_id=target.post_id, channel_id=target.channel_id, remote_id=target.remote_id,
                      published_at=target.published_at, snapshots=[target.latest] if target.latest else [],
                      unchanged=target.unchanged)


def failed_read(target: TrackedTarget, now: datetime, error: str, not_before: datetime | None = None) -> TargetRead:
    """A read that did not answer: the numbers stay, the wait grows as if nothing changed."""
    unchanged = target.unchanged + 1
    at = next_poll_at(target.published_at, now, unchanged)
    if at is not None and not_before is not None:
        at = max(at, not_before)
    return TargetRead(target, now, None, unchanged, at, error)


def applied_read(target: TrackedTarget, now: datetime, counters: Counters) -> TargetRead:
    engagement = _engagement(target)
    try:
        snapshot = engagement.record(now, counters)
    except DomainError as refused:  # this worker's clock is behind the last read's
        return failed_read(target, now, str(refused))
    return TargetRead(target, now, snapshot, engagement.unchanged, engagement.next_poll_at(now))


class PollEngagementHandler:
    def __init__(self, store: EngagementStore, tokens: ChannelTokens, platforms: PlatformDirectory, clock: Clock,
                 max_targets: int = MAX_TARGETS) -> None:
        self.store, self.tokens, self.platforms, self.clock = store, tokens, platforms, clock
        self.max_targets = max_targets

    async def __call__(self, cmd: PollEngagement) -> Outcome:
        now = self.clock.now()
        due = await self.store.due(cmd.workspace_id, cmd.channel_id, now, self.max_targets + 1)
        more_due, due = len(due) > self.max_targets, due[:self.max_targets]
        if not due:
            return NothingDue()
        access = await self.tokens.access(cmd.workspace_id, cmd.channel_id)
        if access is None:
            reason = "the channel no longer exists"
            await self.store.save([TargetRead(t, now, None, t.unchanged, None, reason) for t in due])
            return ChannelUnusable(reason, len(due))
        if isinstance(access.credentials, PlatformError):
            refused = access.credentials
            await self.store.save([failed_read(t, now, refused.message, refused.retry_at) for t in due])
            return ChannelUnusable(refused.message, len(due))
        adapter = self.platforms.get(access.channel.platform.value)
        reads = await self._read(adapter, access.channel.base_url, access.credentials, due)
        await self.store.save(reads)
        answered = [r for r in reads if r.error is None]
        upcoming = [r.next_poll_at for r in reads if r.next_poll_at is not None]
        return Polled(read=len(answered), changed=sum(r.snapshot is not None for r in answered),
                      failed=len(reads) - len(answered), more_due=more_due,
                      next_poll_at=min(upcoming) if upcoming else None)

    async def _read(self, adapter: SocialPlatform, base_url: str, credentials: Credentials,
                    due: list[TrackedTarget]) -> list[TargetRead]:
        size = adapter.metrics_batch if isinstance(adapter, BatchedMetrics) else 1
        gate = asyncio.Semaphore(CONCURRENT_READS)
        limited: list[PlatformError] = []

        async def fetch(group: list[TrackedTarget]) -> dict[str, Counters]:
            if isinstance(adapter, BatchedMetrics):
                return dict(await adapter.fetch_metrics_many(base_url, credentials, [t.remote_id for t in group]))
            return {group[0].remote_id: await adapter.fetch_metrics(base_url, credentials, group[0].remote_id)}

        async def read(group: list[TrackedTarget]) -> list[TargetRead]:
            async with gate:
                now = self.clock.now()
                if limited:
                    stop = limited[0]
                    return [failed_read(t, now, stop.message, stop.retry_at or now + RATE_LIMIT_WAIT) for t in group]
                try:
                    found = await fetch(group)
                except PlatformError as exc:
                    if exc.reason is FailureReason.RATE_LIMITED:
                        limited.append(exc)
                    return [failed_read(t, now, exc.message, exc.retry_at) for t in group]
                return [applied_read(t, now, found[t.remote_id]) if t.remote_id in found else failed_read(t, now, NOT_SHOWN)
                        for t in group]

        groups = [due[i:i + size] for i in range(0, len(due), size)]
        return [r for reads in await asyncio.gather(*(read(g) for g in groups)) for r in reads]
