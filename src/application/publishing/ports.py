"""Publishing's own ports: the stored images of a workspace (bytes, records), the image codec,
read access to the channels and workspace settings a post refers to, and the queue of publishing jobs.

The platforms' port (what PostWizard needs from each platform's adapter) lives in
`application.platforms.ports`, shared by the channels and publishing contexts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Protocol
from uuid import UUID

from application.publishing.jobs import PublishJob
from domain.channels.channel import Channel
from domain.identity.model import Workspace
from domain.shared.platforms.images import Encoding, ImageFacts, ImageLimits


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


class ChannelRecords(Protocol):
    """The workspace's channels, read only (the channels context writes them)."""

    async def get(self, workspace_id: UUID, channel_id: UUID) -> Channel | None: ...
    async def of_workspace(self, workspace_id: UUID) -> list[Channel]: ...


class WorkspaceSettings(Protocol):
    """A workspace's settings (whether posts need approval), read only (the identity context writes them)."""

    async def get(self, workspace_id: UUID) -> Workspace | None: ...


class JobQueue(Protocol):
    """Publishing jobs waiting for their time (`application.publishing.jobs`)."""

    async def defer(self, job: PublishJob) -> bool:
        """Queue the job; False when the same job is already waiting (so deferring again is harmless)."""
