"""Upload an image for posts of the workspace (editors and owners); answers its reference."""

from __future__ import annotations

from dataclasses import dataclass

from application.publishing.ports import MediaStore
from application.shared.actor import Actor
from domain.shared.errors import InvalidValue
from domain.shared.roles import Permission


@dataclass(frozen=True)
class UploadMedia:
    actor: Actor
    data: bytes
    alt: str = ""


@dataclass(frozen=True)
class UploadedMedia:
    ref: str
    mime_type: str
    size: int


class UploadMediaHandler:
    def __init__(self, media: MediaStore) -> None:
        self.media = media

    async def __call__(self, cmd: UploadMedia) -> UploadedMedia:
        cmd.actor.require(Permission.EDIT_CONTENT)
        if len(cmd.alt) > 1500:
            raise InvalidValue("alt", "describe the image in at most 1500 characters")
        ref, mime = await self.media.put(cmd.actor.workspace_id, cmd.data, cmd.alt.strip())
        return UploadedMedia(ref=ref, mime_type=mime, size=len(cmd.data))
