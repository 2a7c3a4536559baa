"""Channels table. Tokens, when connected, are stored only encrypted (TokenCipher)."""

from sqlalchemy import BigInteger, Boolean, Column, DateTime, ForeignKey, Integer, Table, Text, UniqueConstraint

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
    Column("base_url", Text, nullable=False, default=""),
    Column("remote_account_id", Text),
    Column("refreshable", Boolean, nullable=False, default=False),
    Column("last_error", Text),
    Column("max_characters", Integer),
    Column("max_image_bytes", BigInteger),
    Column("max_image_pixels", BigInteger),
    UniqueConstraint("workspace_id", "platform", "handle", name="uq_channels_workspace_platform_handle"),
)

oauth_clients = Table(
    "oauth_clients", metadata,
    Column("platform", Text, primary_key=True),
    Column("base_url", Text, primary_key=True),
    Column("redirect_uri", Text, primary_key=True),
    Column("client_id", Text, nullable=False),
    Column("client_secret_encrypted", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

oauth_states = Table(
    "oauth_states", metadata,
    Column("state_hash", Text, primary_key=True),
    Column("session_hash", Text, nullable=False),
    Column("user_id", StdUuid, nullable=False),
    Column("workspace_id", StdUuid, nullable=False),
    Column("platform", Text, nullable=False),
    Column("base_url", Text, nullable=False),
    Column("redirect_uri", Text, nullable=False),
    Column("code_verifier_encrypted", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
