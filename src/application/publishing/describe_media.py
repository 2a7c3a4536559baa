"""Change an uploaded image's alt text (editors and owners), e.g. written after the upload started.

The text is checked as at upload (stripped, at most MAX_ALT characters). Posts refer to images by
reference, so every post carrying the image publishes the new description from then on; one
already published keeps what it was sent with.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from application.publishing.ports import MediaRecord
from application.publishing.unit_of_work import UnitOfWorkFactory
from application.publishing.upload_media import MAX_ALT
from application.shared.actor import Actor
from application.shared.errors import NotFound
from domain.shared.errors import InvalidValue
from domain.shared.roles import Permission


@dataclass(frozen=True)
class DescribeMedia:
    actor: Actor
    ref: str
    alt: str


class DescribeMediaHandler:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    async def __call__(self, cmd: DescribeMedia) -> MediaRecord:
        cmd.actor.require(Permission.EDIT_CONTENT)
        alt = cmd.alt.strip()
        if len(alt) > MAX_ALT:
            raise InvalidValue("alt", f"describe the image in at most {MAX_ALT} characters")
        async with self.uow() as uow:
            record = await uow.media.get(cmd.actor.workspace_id, cmd.ref)
            if record is None:
                raise NotFound("media", cmd.ref)
            described = replace(record, alt=alt)
            await uow.media.add(described)  # an image already stored keeps its record and takes the new alt text
            await uow.commit()
        return described
