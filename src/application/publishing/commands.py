"""Publishing commands and queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.shared.actor import Actor


@dataclass(frozen=True)
class CreateDraftPost:
    actor: Actor
    text: str
    channel_ids: list[UUID]
    campaign_id: UUID | None = None
    media: list[str] | None = None
    variants: dict[UUID, str] | None = None
    schedule_at: datetime | None = None  # schedule in the same atomic write (wall time in `timezone`)
    timezone: str | None = None


@dataclass(frozen=True)
class EditPost:
    actor: Actor
    post_id: UUID
    text: str | None = None
    media: list[str] | None = None
    channel_ids: list[UUID] | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class SetVariant:
    actor: Actor
    post_id: UUID
    channel_id: UUID
    text: str | None
    expected_version: int | None = None


@dataclass(frozen=True)
class SubmitForReview:
    actor: Actor
    post_id: UUID


@dataclass(frozen=True)
class ApprovePost:
    actor: Actor
    post_id: UUID
    note: str = ""


@dataclass(frozen=True)
class RequestChanges:
    actor: Actor
    post_id: UUID
    note: str = ""


@dataclass(frozen=True)
class SchedulePost:
    """`at` is a wall-clock time in `timezone` (naive) or an instant with an offset."""

    actor: Actor
    post_id: UUID
    at: datetime
    timezone: str
    expected_version: int | None = None


@dataclass(frozen=True)
class ReschedulePost:
    actor: Actor
    post_id: UUID
    at: datetime
    timezone: str
    channel_ids: list[UUID] | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class CancelPost:
    actor: Actor
    post_id: UUID
    channel_ids: list[UUID] | None = None


@dataclass(frozen=True)
class CalendarRange:
    actor: Actor
    start: datetime
    end: datetime
    channel_ids: list[UUID] | None = None
    campaign_id: UUID | None = None


@dataclass(frozen=True)
class GetPost:
    actor: Actor
    post_id: UUID


@dataclass(frozen=True)
class ListPosts:
    """`cursor`: the `next_cursor` of the page before (keyset); `offset` is the older way to page."""

    actor: Actor
    status: str | None = None
    campaign_id: UUID | None = None
    limit: int = 50
    offset: int = 0
    channel_ids: tuple[UUID, ...] = ()
    state: str | None = None
    scheduled_from: datetime | None = None
    scheduled_to: datetime | None = None
    cursor: str | None = None


@dataclass(frozen=True)
class RetryTarget:
    """Publish a failed target again now (the safe "retry now": it re-reads and never double-posts)."""

    actor: Actor
    post_id: UUID
    channel_id: UUID
