"""The `media` table: each workspace's uploaded images as decoded at upload (type, size, alt text).
The bytes themselves live in the MediaStore; a row exists only once its bytes are on disk."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import BigInteger, Boolean, Column, DateTime, ForeignKey, Integer, Table, Text, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.shared.database import StdUuid, metadata
from application.publishing.ports import MediaRecord

media = Table(
    "media", metadata,
    Column("workspace_id", StdUuid, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
    Column("ref", Text, primary_key=True),
    Column("mime_type", Text, nullable=False),
    Column("format", Text, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("byte_size", BigInteger, nullable=False),
    Column("animated", Boolean, nullable=False),
    Column("alt", Text, nullable=False),
    Column("uploaded_by", StdUuid, nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)


class SqlMediaLibrary:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, record: MediaRecord) -> None:
        statement = insert(media).values(vars(record))
        await self.conn.execute(statement.on_conflict_do_update(
            index_elements=[media.c.workspace_id, media.c.ref], set_={"alt": statement.excluded.alt}))

    async def get(self, workspace_id: UUID, ref: str) -> MediaRecord | None:
        row = (await self.conn.execute(select(media).where(media.c.workspace_id == workspace_id,
                                                           media.c.ref == ref))).first()
        return MediaRecord(**row._mapping) if row else None

    async def missing(self, workspace_id: UUID, refs: list[str]) -> list[str]:
        if not refs:
            return []
        found = set(await self.conn.scalars(select(media.c.ref).where(media.c.workspace_id == workspace_id,
                                                                       media.c.ref.in_(set(refs)))))
        return [ref for ref in refs if ref not in found]
