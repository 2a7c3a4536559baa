"""The platforms' port: what PostWizard needs from each platform's adapter, and from a channel's tokens.

One adapter per platform (src/adapters/platforms/<platform>.py) implements `SocialPlatform` over
HTTP. Every call takes the base URL (a Mastodon instance, a Bluesky PDS, the X API host), so the
same code talks to the real service or to the simulator. Adapters map every platform error to a
`PlatformError` with a typed reason, so callers decide from the reason alone, never from
platform-specific codes; an attempt whose outcome is unknown raises `OutcomeUnknown`.

Both the channels context (connecting, refreshing tokens) and the publishing context (sending)
talk to platforms; these types are theirs in common, so neither imports the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable
from uuid import UUID

from domain.channels.channel import Channel
from domain.engagement.engagement import Counters
from domain.publishing.states import FailureReason


@dataclass(frozen=True)
class OAuthClient:
    """An OAuth client of PostWizard at one platform (Mastodon registers one per instance)."""

    client_id: str
    client_secret: str | None
    redirect_uri: str


@dataclass(frozen=True)
class Credentials:
    """A channel's tokens, decrypted, only ever held in memory. `extra` holds platform ids (e.g. Bluesky's did)."""

    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None
    extra: dict = field(default_factory=dict)

    def __repr__(self) -> str:  # never log tokens
        return f"Credentials(expires_at={self.expires_at!r}, extra={self.extra!r})"


@dataclass(frozen=True)
class Account:
    remote_id: str
    handle: str
    display_name: str


@dataclass(frozen=True)
class PlatformLimits:
    """Limits the platform reports at run time (None when it does not say)."""

    max_characters: int | None = None
    max_media: int | None = None
    characters_reserved_per_url: int | None = None
    max_image_bytes: int | None = None    # Mastodon: configuration.media_attachments.image_size_limit
    max_image_pixels: int | None = None   # Mastodon: configuration.media_attachments.image_matrix_limit


@dataclass(frozen=True)
class MediaItem:
    data: bytes
    mime_type: str
    alt: str = ""
    width: int | None = None
    height: int | None = None

    def __repr__(self) -> str:  # never dump the bytes into a log
        return f"MediaItem({self.mime_type}, {len(self.data)} bytes, {self.width}x{self.height})"


@dataclass(frozen=True)
class OutgoingPost:
    """What to publish. `idempotency_key` is the attempt id; `thread` holds follow-ups posted as chained replies."""

    text: str
    idempotency_key: str
    media: list[MediaItem] = field(default_factory=list)
    thread: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PublishedPost:
    remote_id: str
    url: str | None
    thread_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RecentPost:
    remote_id: str
    url: str | None
    text: str
    created_at: datetime


class PlatformError(Exception):
    """A typed platform failure: callers decide from `reason` alone; `retry_at` honours Retry-After and resets."""

    def __init__(self, reason: FailureReason, message: str, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.reason, self.message, self.retry_at = reason, message, retry_at


class OutcomeUnknown(Exception):
    """The request was sent but no answer came (timeout, dropped connection): it may or may not have landed."""


class SocialPlatform(Protocol):
    platform: str
    auth: str  # "oauth" (Mastodon, X) or "app_password" (Bluesky)

    # connecting
    async def register_client(self, base_url: str, redirect_uri: str) -> OAuthClient: ...
    def authorization_url(self, base_url: str, client: OAuthClient, *, state: str, code_challenge: str) -> str: ...
    async def exchange_code(self, base_url: str, client: OAuthClient, *, code: str, code_verifier: str) -> Credentials: ...
    async def log_in(self, base_url: str, identifier: str, password: str) -> Credentials: ...
    async def refresh(self, base_url: str, client: OAuthClient | None, credentials: Credentials) -> Credentials: ...
    async def account(self, base_url: str, credentials: Credentials) -> Account: ...
    async def limits(self, base_url: str, credentials: Credentials) -> PlatformLimits: ...

    # publishing
    async def publish(self, base_url: str, credentials: Credentials, post: OutgoingPost) -> PublishedPost: ...
    async def fetch_metrics(self, base_url: str, credentials: Credentials, remote_id: str) -> Counters: ...
    async def find_recent(self, base_url: str, credentials: Credentials, since: datetime) -> list[RecentPost]: ...


@runtime_checkable
class BatchedMetrics(Protocol):
    """A platform that reads many posts' numbers in one call (Bluesky's getPosts takes 25 uris)."""

    metrics_batch: int

    async def fetch_metrics_many(self, base_url: str, credentials: Credentials,
                                 remote_ids: Sequence[str]) -> dict[str, Counters]:
        """The numbers of each post the platform shows (at most `metrics_batch` ids); one it does not
        show (deleted, hidden) is absent."""


class PlatformDirectory(Protocol):
    """The adapter and default base URL of each platform (from settings, so tests and demos point at the simulator)."""

    def get(self, platform: str) -> SocialPlatform: ...

    def base_url(self, platform: str, instance: str | None = None) -> str: ...


@dataclass(frozen=True)
class ChannelAccess:
    """A channel as publishing finds it: with its live credentials, or the reason it cannot be used now
    (auth_expired: reconnect it; another reason: the platform could not refresh its tokens just now)."""

    channel: Channel
    credentials: Credentials | PlatformError


class ChannelTokens(Protocol):
    """A connected channel's live credentials (the channels context keeps them; publishing uses them)."""

    async def access(self, workspace_id: UUID, channel_id: UUID) -> ChannelAccess | None:
        """The channel with its fresh credentials, read together; None when the channel no longer exists."""

    async def refresh(self, channel: Channel, credentials: Credentials) -> Credentials:
        """Refresh now (the platform called the token expired)."""

    async def needs_reconnect(self, channel: Channel, reason: str) -> None:
        """Record that the platform refused the channel's tokens: the user must reconnect it."""
