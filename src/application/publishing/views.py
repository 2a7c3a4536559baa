"""Read-side DTOs and reader ports for posts and the calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True)
class TargetView:
    channel_id: UUID
    platform: str
    state: str
    scheduled_at: datetime | None
    attempts: int
    remote_id: str | None
    url: str | None
    failure: dict | None


@dataclass(frozen=True)
class HistoryEntry:
    version: int
    event: str
    at: datetime
    actor_id: UUID | None
    details: dict


@dataclass(frozen=True)
class PostView:
    id: UUID
    campaign_id: UUID | None
    author_id: UUID
    status: str
    publish_state: str
    text: str
    variants: dict[str, str]
    media: list[str]
    timezone: str | None
    local_time: datetime | None
    scheduled_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    targets: list[TargetView]
    history: list[HistoryEntry] | None = None
    stale: bool = False  # a later change is saved but not shown yet (its projection was set aside)


@dataclass(frozen=True)
class CalendarEntry:
    post_id: UUID
    channel_id: UUID
    platform: str
    campaign_id: UUID | None
    scheduled_at: datetime
    timezone: str | None
    state: str
    preview: str


@dataclass(frozen=True)
class PostFilters:
    """Which posts to list; every filter given must hold. `channel_ids`: a target on any of them;
    `state`: a target in that state; `scheduled_from`/`scheduled_to`: the post's instant in [from, to)."""

    status: str | None = None
    campaign_id: UUID | None = None
    channel_ids: tuple[UUID, ...] = ()
    state: str | None = None
    scheduled_from: datetime | None = None
    scheduled_to: datetime | None = None


@dataclass(frozen=True)
class PostPosition:
    """Where a page ends in the list's order (most recently changed first, then by id)."""

    updated_at: datetime
    id: UUID


@dataclass(frozen=True)
class PostPage:
    posts: list[PostView]
    next_cursor: str | None  # None on the last page


class PostReader(Protocol):
    async def get(self, workspace_id: UUID, post_id: UUID, with_history: bool) -> PostView | None: ...

    async def list(self, workspace_id: UUID, filters: PostFilters, limit: int, offset: int,
                   after: PostPosition | None = None) -> list[PostView]:
        """Most recently changed first, then by id; `after`: only those past that position."""


class CalendarReader(Protocol):
    async def range(self, workspace_id: UUID, start: datetime, end: datetime,
                    channel_ids: list[UUID] | None, campaign_id: UUID | None) -> list[CalendarEntry]: ...
