"""The live events journal (created by migration 0011): recent changes users watch, by id, for resume."""

from sqlalchemy import BigInteger, Column, DateTime, Identity, Table, Text, func

from adapters.shared.database import StdUuid, metadata

live_events = Table(
    "live_events", metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("workspace_id", StdUuid, nullable=False),
    Column("kind", Text, nullable=False),
    Column("post_id", StdUuid, nullable=False),
    Column("channel_id", StdUuid, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
