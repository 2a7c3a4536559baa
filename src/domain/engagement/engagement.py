"""The Engagement aggregate of one published target, and its metric rules.

Snapshots are high-volume and appended in batches by an adapter, so this aggregate is a
plain object, not event-sourced. Rules:
- counters are normalised across platforms; a counter the platform does not give is None,
  never 0 ("unknown" is not "nobody");
- a snapshot older than the latest one is refused (out of order); an identical one is
  skipped; counters may go down (unlikes) but never below zero;
- the engagement rate is interactions / impressions, and None without impressions;
- polling slows as the post ages.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from uuid import UUID

from domain.shared.errors import InvalidValue, RuleViolated

INTERACTIONS = ("likes", "reposts", "replies", "quotes", "bookmarks", "clicks")


@dataclass(frozen=True)
class Counters:
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    bookmarks: int | None = None
    impressions: int | None = None
    clicks: int | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise InvalidValue(f.name, "must be a whole number of at least 0, or None when unknown")

    @property
    def interactions(self) -> int | None:
        known = [getattr(self, name) for name in INTERACTIONS if getattr(self, name) is not None]
        return sum(known) if known else None

    @property
    def engagement_rate(self) -> float | None:
        if not self.impressions or self.interactions is None:
            return None
        return self.interactions / self.impressions

    def as_dict(self) -> dict[str, int | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Snapshot:
    taken_at: datetime
    counters: Counters


class Engagement:
    """Metrics of one post on one channel."""

    def __init__(self, *, post_id: UUID, channel_id: UUID, remote_id: str, published_at: datetime,
                 snapshots: list[Snapshot] | None = None) -> None:
        self.post_id = post_id
        self.channel_id = channel_id
        self.remote_id = remote_id
        self.published_at = published_at
        self.snapshots: list[Snapshot] = list(snapshots or [])

    @property
    def latest(self) -> Snapshot | None:
        return self.snapshots[-1] if self.snapshots else None

    def record(self, taken_at: datetime, counters: Counters) -> Snapshot | None:
        """Append a snapshot; returns it, or None when nothing changed since the last one."""
        if taken_at.tzinfo is None:
            raise InvalidValue("taken_at", "must be a UTC instant (with a time zone)")
        if taken_at < self.published_at:
            raise RuleViolated("snapshot_before_publish", "a metric snapshot cannot predate the post")
        latest = self.latest
        if latest is not None:
            if taken_at < latest.taken_at:
                raise RuleViolated("snapshot_out_of_order", f"a snapshot at {taken_at.isoformat()} is older than the latest one")
            if counters == latest.counters:
                return None
        snapshot = Snapshot(taken_at, counters)
        self.snapshots.append(snapshot)
        return snapshot

    @property
    def engagement_rate(self) -> float | None:
        return self.latest.counters.engagement_rate if self.latest else None

    def next_poll_after(self, now: datetime) -> timedelta:
        """Fresh posts are polled every minute, then less often as they age."""
        age = now - self.published_at
        if age < timedelta(hours=1):
            return timedelta(minutes=1)
        if age < timedelta(days=1):
            return timedelta(minutes=10)
        if age < timedelta(days=7):
            return timedelta(hours=1)
        return timedelta(days=1)
