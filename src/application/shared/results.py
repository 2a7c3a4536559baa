"""What a command on an event-sourced aggregate returns."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Saved:
    """The aggregate's id and new version, and the notification id read models must reach (read-your-writes)."""

    id: UUID
    version: int
    position: int | None
