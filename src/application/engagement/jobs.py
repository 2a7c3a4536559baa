"""Engagement polling jobs: one per channel, reading every target of the channel that is due.

A job carries ids only. One waits per channel at most (a second deferral while one waits is a
no-op), so a burst of "refresh now" or the scheduler's repeated passes never pile up polls of the
same account, and the account's rate-limit budget is spent once per pass. Polling jobs run below
publishing's priority on the same workers: a due publish is always taken first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class PollJob:
    workspace_id: UUID
    channel_id: UUID
    run_at: datetime | None = None  # None: as soon as a worker is free
