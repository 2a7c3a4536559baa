"""Post read tables (projections of Post events): post views, calendar entries, history."""

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, Table, Text, false
from sqlalchemy.dialects.postgresql import JSONB

from adapters.shared.database import StdUuid, metadata

post_views = Table(
    "post_views", metadata,
    Column("id", StdUuid, primary_key=True),
    Column("workspace_id", StdUuid, nullable=False),
    Column("campaign_id", StdUuid),
    Column("author_id", StdUuid, nullable=False),
    Column("status", Text, nullable=False),
    Column("publish_state", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("variants", JSONB, nullable=False),
    Column("media", JSONB, nullable=False),
    Column("targets", JSONB, nullable=False),
    Column("timezone", Text),
    Column("local_time", DateTime(timezone=False)),
    Column("scheduled_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("stale", Boolean, nullable=False, server_default=false()),  # an event of it is set aside
    Index("ix_post_views_workspace_updated", "workspace_id", "updated_at"),
)

calendar_entries = Table(
    "calendar_entries", metadata,
    Column("post_id", StdUuid, primary_key=True),
    Column("channel_id", StdUuid, primary_key=True),
    Column("workspace_id", StdUuid, nullable=False),
    Column("campaign_id", StdUuid),
    Column("platform", Text, nullable=False),
    Column("scheduled_at", DateTime(timezone=True), nullable=False),
    Column("timezone", Text),
    Column("state", Text, nullable=False),
    Column("preview", Text, nullable=False),
    Column("attempt_started_at", DateTime(timezone=True)),
    Index("ix_calendar_workspace_time", "workspace_id", "scheduled_at"),
)

post_history = Table(
    "post_history", metadata,
    Column("post_id", StdUuid, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("workspace_id", StdUuid, nullable=False),
    Column("event", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_id", StdUuid),
    Column("details", JSONB, nullable=False),
)
