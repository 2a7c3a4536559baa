"""What the engagement queries answer: per target, its latest numbers, freshness and series; per
post, the numbers summed over its targets (a metric no target gives stays None, never 0)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.engagement.engagement import METRICS, Counters


@dataclass(frozen=True)
class SeriesPoint:
    captured_at: datetime
    counters: Counters
    flags: tuple[str, ...]


@dataclass(frozen=True)
class TargetEngagement:
    channel_id: UUID
    platform: str
    remote_id: str
    published_at: datetime
    counters: Counters                 # the latest numbers (all None before the first read)
    flags: tuple[str, ...]             # of the latest point: `<metric>:dropped`, `<metric>:missing`
    captured_at: datetime | None       # the last read that answered (None: not read yet)
    next_poll_at: datetime | None      # None: polling has stopped
    error: str | None                  # why the last read failed, if it did
    series: list[SeriesPoint]          # each change, oldest first

    @property
    def engagement_rate(self) -> float | None:
        return self.counters.engagement_rate


@dataclass(frozen=True)
class PostEngagement:
    post_id: UUID
    targets: list[TargetEngagement]

    @property
    def totals(self) -> Counters:
        """Summed over targets; a metric is None when no target gives it."""
        summed: dict[str, int | None] = {}
        for name in METRICS:
            known = [getattr(t.counters, name) for t in self.targets if getattr(t.counters, name) is not None]
            summed[name] = sum(known) if known else None
        return Counters(**summed)

    @property
    def captured_at(self) -> datetime | None:
        """The stalest read among the targets: the totals are at least this fresh."""
        known = [t.captured_at for t in self.targets if t.captured_at is not None]
        return min(known) if known else None

    @property
    def next_poll_at(self) -> datetime | None:
        known = [t.next_poll_at for t in self.targets if t.next_poll_at is not None]
        return min(known) if known else None
