"""How often a published target's numbers are read: a pure rule of the post's age and of how many
reads in a row found nothing new.

- By age (bands): every minute in the first hour, every 5 minutes to 6 hours, every 30 minutes to
  2 days, every 6 hours to 30 days, daily to 90 days, then never again (the numbers of a post that
  old barely move, and each read spends the account's rate-limit budget that publishing needs).
- While the numbers do not change, the wait doubles with each read that found nothing new, capped
  at the next band's step (a quiet post in its first hour is read at most every 5 minutes); the
  first change brings the band's own step back.
- The last read falls on the 90-day mark at the latest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

BANDS: tuple[tuple[timedelta, timedelta], ...] = (
    (timedelta(hours=1), timedelta(minutes=1)),
    (timedelta(hours=6), timedelta(minutes=5)),
    (timedelta(days=2), timedelta(minutes=30)),
    (timedelta(days=30), timedelta(hours=6)),
    (timedelta(days=90), timedelta(days=1)),
)
STOP_AFTER = BANDS[-1][0]
_MAX_DOUBLINGS = 16  # far past every cap; keeps 2**n small


def poll_interval(age: timedelta, unchanged: int = 0) -> timedelta | None:
    """The wait before the next read of a post this old after `unchanged` reads in a row found nothing
    new; None once the post is past polling."""
    if unchanged < 0:
        raise ValueError("unchanged counts reads, at least 0")
    for i, (until, every) in enumerate(BANDS):
        if age < until:
            cap = BANDS[i + 1][1] if i + 1 < len(BANDS) else every
            return min(every * 2 ** min(unchanged, _MAX_DOUBLINGS), cap)
    return None


def next_poll_at(published_at: datetime, now: datetime, unchanged: int = 0) -> datetime | None:
    """When to read the numbers next, or None: polling has stopped for good."""
    interval = poll_interval(now - published_at, unchanged)
    if interval is None:
        return None
    return min(now + interval, published_at + STOP_AFTER)


def first_poll_at(published_at: datetime) -> datetime:
    """A target is first read one step of the first band after it was published."""
    return published_at + BANDS[0][1]
