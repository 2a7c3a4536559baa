"""Clock and id adapters."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class ControlledClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class RandomIds:
    def new(self) -> uuid.UUID:
        return uuid.uuid4()
