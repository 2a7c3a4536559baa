"""Upload an image for posts of the workspace (editors and owners); answers its reference and size.

Rules (domain.publishing.media): not empty and at most the configured size; a PNG, JPEG, GIF or
WebP that decodes completely within the pixel limit. The upload arrives as a file on disk (the
server spools it there and cuts it at the request size limit); it is decoded from there and its
bytes copied into the media store, never held whole in memory. The bytes are stored before the
record, so a record always has its file; the same image uploaded again keeps one copy and takes
the new alt text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from application.publishing.ports import ImageCodec, MediaRecord, MediaStore
from application.publishing.unit_of_work import UnitOfWorkFactory
from application.shared.actor import Actor
from application.shared.ports import Clock
from domain.publishing.media import check_upload_size, mime_type
from domain.shared.errors import InvalidValue
from domain.shared.roles import Permission

MAX_ALT = 1500


@dataclass(frozen=True)
class UploadMedia:
    actor: Actor
    file: BinaryIO  # readable and seekable; read from its start
    size: int
    alt: str = ""


@dataclass(frozen=True)
class UploadedMedia:
    ref: str
    mime_type: str
    size: int
    width: int
    height: int
    animated: bool = False
    alt: str = ""


class UploadMediaHandler:
    def __init__(self, media: MediaStore, images: ImageCodec, uow: UnitOfWorkFactory, clock: Clock, max_bytes: int) -> None:
        self.media, self.images, self.uow, self.clock, self.max_bytes = media, images, uow, clock, max_bytes

    async def __call__(self, cmd: UploadMedia) -> UploadedMedia:
        cmd.actor.require(Permission.EDIT_CONTENT)
        alt = cmd.alt.strip()
        if len(alt) > MAX_ALT:
            raise InvalidValue("alt", f"describe the image in at most {MAX_ALT} characters")
        check_upload_size(cmd.size, self.max_bytes)
        facts = await self.images.inspect(cmd.file)
        mime = mime_type(facts.format)
        ref = await self.media.put(cmd.actor.workspace_id, cmd.file)
        record = MediaRecord(workspace_id=cmd.actor.workspace_id, ref=ref, mime_type=mime, format=facts.format,
                             width=facts.width, height=facts.height, byte_size=facts.byte_size, animated=facts.animated,
                             alt=alt, uploaded_by=cmd.actor.user_id, uploaded_at=self.clock.now())
        async with self.uow() as uow:
            await uow.media.add(record)
            await uow.commit()
        return UploadedMedia(ref=ref, mime_type=mime, size=facts.byte_size, width=facts.width, height=facts.height,
                             animated=facts.animated, alt=alt)
