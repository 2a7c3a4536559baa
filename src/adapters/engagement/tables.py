"""Engagement tables (created by migration 0010): the snapshot time series and each target's polling state."""

from sqlalchemy import BigInteger, Column, DateTime, Integer, Table, Text
from sqlalchemy.dialects.postgresql import ARRAY

from adapters.shared.database import StdUuid, metadata
from domain.engagement.engagement import METRICS


def _metrics() -> list[Column]:
    return [Column(name, BigInteger) for name in METRICS]


engagement_snapshots = Table(
    "engagement_snapshots", metadata,
    Column("workspace_id", StdUuid, nullable=False),
    Column("post_id", StdUuid, nullable=False),
    Column("channel_id", StdUuid, nullable=False),
    Column("platform", Text, nullable=False),
    Column("remote_id", Text, nullable=False),
    Column("captured_at", DateTime(timezone=True), nullable=False),
    *_metrics(),
    Column("flags", ARRAY(Text), nullable=False),
)

engagement_targets = Table(
    "engagement_targets", metadata,
    Column("post_id", StdUuid, primary_key=True),
    Column("channel_id", StdUuid, primary_key=True),
    Column("workspace_id", StdUuid, nullable=False),
    Column("platform", Text, nullable=False),
    Column("remote_id", Text, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("captured_at", DateTime(timezone=True)),
    Column("changed_at", DateTime(timezone=True)),
    *_metrics(),
    Column("flags", ARRAY(Text), nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("next_poll_at", DateTime(timezone=True)),
    Column("error", Text),
)
