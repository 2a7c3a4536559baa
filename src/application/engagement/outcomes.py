"""What one poll of a channel did, as `PollEngagementHandler` returns it (for logs and tests; `str()`
is the one-line description)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Polled:
    read: int          # targets whose numbers came back
    changed: int       # of them, with new numbers (a new point in their series)
    failed: int        # targets whose read failed (kept, tried again later)
    more_due: bool     # the channel has more due targets than one run reads
    next_poll_at: datetime | None  # the earliest next read among the targets read

    def __str__(self) -> str:
        more = ", more due" if self.more_due else ""
        return f"read {self.read} ({self.changed} changed, {self.failed} failed{more})"


@dataclass(frozen=True)
class NothingDue:
    def __str__(self) -> str:
        return "nothing due"


@dataclass(frozen=True)
class ChannelUnusable:
    """The channel cannot be read now (disconnected, tokens refused or not refreshable): its due targets
    are put back with backoff, and the reason recorded on each."""

    reason: str
    targets: int

    def __str__(self) -> str:
        return f"channel unusable for {self.targets} targets: {self.reason}"


Outcome = Polled | NothingDue | ChannelUnusable
