"""Channels table. Tokens, when connected, are stored only encrypted (TokenCipher)."""

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Table, Text, UniqueConstraint

from adapters.shared.database import StdUuid, metadata

channels = Table(
    "channels", metadata,
    Column("id", StdUuid, primary_key=True),
    Column("workspace_id", StdUuid, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("platform", Text, nullable=False),
    Column("handle", Text, nullable=False),
    Column("display_name", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("connected", Boolean, nullable=False, default=False),
    Column("token_expires_at", DateTime(timezone=True)),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("credentials_encrypted", Text),
    UniqueConstraint("workspace_id", "platform", "handle", name="uq_channels_workspace_platform_handle"),
)
