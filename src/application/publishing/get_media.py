"""Read back an uploaded image of the workspace: what it is (size, alt text) and its bytes.

Anyone who may read the workspace's posts may see their images (the post detail shows them). An
image of another workspace, or a reference that names none, is "not found" (never "forbidden":
that would confirm it exists elsewhere). The bytes are the stored original, not what a platform
was sent after fitting.
"""

from __future__ import annotations

from dataclasses import dataclass

from application.publishing.ports import MediaRecord, MediaStore
from application.publishing.unit_of_work import UnitOfWorkFactory
from application.shared.actor import Actor
from application.shared.errors import NotFound
from domain.shared.roles import Permission


@dataclass(frozen=True)
class GetMedia:
    actor: Actor
    ref: str


@dataclass(frozen=True)
class MediaContent:
    record: MediaRecord
    data: bytes


class GetMediaHandler:
    def __init__(self, media: MediaStore, uow: UnitOfWorkFactory) -> None:
        self.media, self.uow = media, uow

    async def record(self, query: GetMedia) -> MediaRecord:
        """The image's record (type, size, dimensions, alt text)."""
        query.actor.require(Permission.READ)
        async with self.uow.reads() as uow:
            record = await uow.media.get(query.actor.workspace_id, query.ref)
        if record is None:
            raise NotFound("media", query.ref)
        return record

    async def __call__(self, query: GetMedia) -> MediaContent:
        """The record and the stored bytes."""
        record = await self.record(query)
        data = await self.media.get(query.actor.workspace_id, query.ref)
        if data is None:
            raise NotFound("media", query.ref)
        return MediaContent(record, data)
