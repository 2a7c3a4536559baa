"""Projection tracking: the last notification id each projector applied, and the events it set aside."""

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, Table, Text, func

from adapters.shared.database import StdUuid, metadata

projection_tracking = Table(
    "projection_tracking", metadata,
    Column("name", Text, primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# An event whose projection failed, kept aside (with every later event of its aggregate) so the
# rest of the log keeps flowing; `postwizard projections replay` applies them once fixed.
projection_set_aside = Table(
    "projection_set_aside", metadata,
    Column("projection", Text, primary_key=True),
    Column("position", BigInteger, primary_key=True),
    Column("aggregate_id", StdUuid, nullable=False),
    Column("version", Integer, nullable=False),
    Column("topic", Text, nullable=False),
    Column("error", Text, nullable=False),
    Column("set_aside_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_projection_set_aside_aggregate", "projection", "aggregate_id"),
)
