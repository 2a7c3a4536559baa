"""The SocialPlatform port: what publishing needs from each platform's adapter.

Adapters map every platform error to a `PublishFailure` with a typed reason, so the
worker decides retries from the reason alone, never from platform-specific codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from domain.engagement.engagement import Counters


@dataclass(frozen=True)
class Credentials:
    """A channel's decrypted tokens, only ever held in memory."""

    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OutgoingPost:
    text: str
    media: list[str]
    idempotency_key: str
    thread: list[str] = field(default_factory=list)  # follow-up texts posted as chained replies


@dataclass(frozen=True)
class PublishedPost:
    remote_id: str
    url: str | None


@dataclass(frozen=True)
class RecentPost:
    remote_id: str
    url: str | None
    text: str
    created_at: datetime


class PublishFailure(Exception):
    """A typed platform failure: `reason` is a FailureReason value; `retry_at` honours Retry-After."""

    def __init__(self, reason: str, message: str, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.reason, self.message, self.retry_at = reason, message, retry_at


class SocialPlatform(Protocol):
    async def publish(self, credentials: Credentials, post: OutgoingPost) -> PublishedPost: ...

    async def fetch_metrics(self, credentials: Credentials, remote_id: str) -> Counters: ...

    async def find_recent(self, credentials: Credentials, since: datetime) -> list[RecentPost]: ...
