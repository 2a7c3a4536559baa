"""Campaign read table (projection of Campaign events)."""

from sqlalchemy import Boolean, Column, Date, DateTime, Integer, Table, Text, false
from sqlalchemy.dialects.postgresql import JSONB

from adapters.shared.database import StdUuid, metadata

campaign_views = Table(
    "campaign_views", metadata,
    Column("id", StdUuid, primary_key=True),
    Column("workspace_id", StdUuid, nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("objective", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("archived", Boolean, nullable=False),
    Column("starts_on", Date),
    Column("ends_on", Date),
    Column("brand_voice", JSONB, nullable=False),
    Column("utm_defaults", JSONB, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("stale", Boolean, nullable=False, server_default=false()),  # an event of it is set aside
)
