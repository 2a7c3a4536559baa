"""The SocialPlatform port: what PostWizard needs from each platform's adapter.

One adapter per platform (src/adapters/platforms/<platform>.py) implements it over HTTP. Every
call takes the base URL (a Mastodon instance, a Bluesky PDS, the X API host), so the same code
talks to the real service or to the simulator. Adapters map every platform error to a
`PlatformError` with a typed reason, so callers decide from the reason alone, never from
platform-specific codes; an attempt whose outcome is unknown raises `OutcomeUnknown`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO, Protocol
from uuid import UUID

from domain.engagement.engagement import Counters
from domain.shared.platforms.images import Encoding, ImageFacts, ImageLimits


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
    """A typed platform failure. `reason` is a FailureReason value; `retry_at` honours Retry-After and resets."""

    def __init__(self, reason: str, message: str, retry_at: datetime | None = None) -> None:
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


class MediaStore(Protocol):
    """The bytes of uploaded images, kept per workspace and named by their SHA-256 (`media:<hex>`).
    Stored images are never changed: what a platform gets is fitted from them at publish time."""

    async def put(self, workspace_id: UUID, source: BinaryIO) -> str:
        """Copy the file (read from its start, in chunks) and return its reference."""

    async def get(self, workspace_id: UUID, ref: str) -> bytes | None: ...


@dataclass(frozen=True)
class MediaRecord:
    """An uploaded image of a workspace, as decoded when it was uploaded."""

    workspace_id: UUID
    ref: str
    mime_type: str
    format: str
    width: int
    height: int
    byte_size: int
    animated: bool
    alt: str
    uploaded_by: UUID
    uploaded_at: datetime

    @property
    def facts(self) -> ImageFacts:
        return ImageFacts(self.format, self.width, self.height, self.byte_size, self.animated)


class MediaLibrary(Protocol):
    """The workspace's images (a repository of the unit of work); every call is scoped to one workspace."""

    async def add(self, record: MediaRecord) -> None:
        """Insert, or for an image uploaded again, keep the first upload and take the new alt text."""

    async def get(self, workspace_id: UUID, ref: str) -> MediaRecord | None: ...

    async def missing(self, workspace_id: UUID, refs: list[str]) -> list[str]:
        """The refs that are not images of this workspace, in the order given."""


class ImageCodec(Protocol):
    """Decoding and re-encoding images (CPU-bound work, done off the event loop)."""

    async def inspect(self, source: BinaryIO) -> ImageFacts:
        """Decode the whole image under the pixel limit; InvalidValue("file") for anything that is not a
        complete PNG, JPEG, GIF or WebP."""

    async def fit(self, data: bytes, facts: ImageFacts, limits: ImageLimits) -> tuple[bytes, Encoding] | None:
        """The image re-encoded by `domain.shared.platforms.images.next_encoding` until it fits `limits`;
        None when it cannot fit."""
