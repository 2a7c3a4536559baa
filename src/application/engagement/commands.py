"""Engagement commands and queries (frozen dataclasses; one handler each)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.shared.actor import Actor


@dataclass(frozen=True)
class PollEngagement:
    """A worker's poll of one channel's due targets (ids only; the store says what is due)."""

    workspace_id: UUID
    channel_id: UUID


@dataclass(frozen=True)
class DeferDuePolls:
    """The scheduler's pass: one poll job for every channel with a target due."""

    limit: int = 1000


@dataclass(frozen=True)
class RefreshEngagementNow:
    actor: Actor
    post_id: UUID


@dataclass(frozen=True)
class GetPostEngagement:
    actor: Actor
    post_id: UUID
