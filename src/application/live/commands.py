"""Live commands (frozen dataclasses; one handler each)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class FollowLiveEvents:
    """An authenticated user's stream; `last_event_id` is the last event they received, to resume after it."""

    user_id: UUID
    last_event_id: int | None = None
