"""The Engagement aggregate of one published target, and its metric rules.

Snapshots are high-volume and appended in batches by an adapter, so this aggregate is a
plain object, not event-sourced. Rules:
- counters are normalised across platforms; a counter the platform does not give is None,
  never 0 ("unknown" is not "nobody");
- a snapshot older than the latest one is refused (out of order); an identical one is
  skipped (it only counts towards the backoff of polling);
- a counter that drops (an unlike, a platform's clean-up) is kept and flagged `<metric>:dropped`,
  never refused: the platform's number is the truth, and the flag explains the dip in a chart;
- a metric that was known and comes back None (the platform stopped giving it) is flagged
  `<metric>:missing`, and stays flagged while it is missing; the other metrics still count;
- the engagement rate is interactions / impressions, and None without impressions;
- polling slows as the post ages and backs off while nothing changes (`cadence`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from uuid import UUID

from domain.engagement.cadence import next_poll_at
from domain.shared.errors import InvalidValue, RuleViolated

INTERACTIONS = ("likes", "reposts", "replies", "quotes", "bookmarks", "clicks")
METRICS = ("likes", "reposts", "replies", "quotes", "bookmarks", "impressions", "clicks")
DROPPED, MISSING = "dropped", "missing"


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


def flag(metric: str, kind: str) -> str:
    return f"{metric}:{kind}"


@dataclass(frozen=True)
class Snapshot:
    taken_at: datetime
    counters: Counters
    flags: tuple[str, ...] = ()  # sorted; see `flag`


def _flags(previous: Snapshot | None, counters: Counters) -> tuple[str, ...]:
    if previous is None:
        return ()
    found = []
    for name in METRICS:
        before, now = getattr(previous.counters, name), getattr(counters, name)
        if now is None and (before is not None or flag(name, MISSING) in previous.flags):
            found.append(flag(name, MISSING))
        elif now is not None and before is not None and now < before:
            found.append(flag(name, DROPPED))
    return tuple(sorted(found))


class Engagement:
    """Metrics of one post on one channel."""

    def __init__(self, *, post_id: UUID, channel_id: UUID, remote_id: str, published_at: datetime,
                 snapshots: list[Snapshot] | None = None, unchanged: int = 0) -> None:
        self.post_id = post_id
        self.channel_id = channel_id
        self.remote_id = remote_id
        self.published_at = published_at
        self.snapshots: list[Snapshot] = list(snapshots or [])
        self.unchanged = unchanged  # reads in a row that found nothing new (polling backs off)

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
                self.unchanged += 1
                return None
        snapshot = Snapshot(taken_at, counters, _flags(latest, counters))
        self.snapshots.append(snapshot)
        self.unchanged = 0
        return snapshot

    @property
    def engagement_rate(self) -> float | None:
        return self.latest.counters.engagement_rate if self.latest else None

    def next_poll_at(self, now: datetime) -> datetime | None:
        """When to read the numbers next (None: never again), from the post's age and the backoff."""
        return next_poll_at(self.published_at, now, self.unchanged)
