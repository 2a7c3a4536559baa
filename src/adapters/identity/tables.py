"""Identity tables: the relational write model of users, workspaces and access."""

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, Table, Text

from adapters.shared.database import StdUuid, metadata

users = Table(
    "users", metadata,
    Column("id", StdUuid, primary_key=True),
    Column("email", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("time_zone", Text),  # IANA name; NULL: screens use the browser's zone
)

workspaces = Table(
    "workspaces", metadata,
    Column("id", StdUuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("requires_approval", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

memberships = Table(
    "memberships", metadata,
    Column("workspace_id", StdUuid, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", StdUuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("role", Text, nullable=False),
)

invitations = Table(
    "invitations", metadata,
    Column("id", StdUuid, primary_key=True),
    Column("workspace_id", StdUuid, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("email", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("invited_by", StdUuid, ForeignKey("users.id"), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("accepted_at", DateTime(timezone=True)),
)

sessions = Table(
    "sessions", metadata,
    Column("token_hash", Text, primary_key=True),
    Column("user_id", StdUuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf_token", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", StdUuid, primary_key=True),
    Column("user_id", StdUuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("prefix", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("expires_at", DateTime(timezone=True)),
)

# Login attempt counters, keyed by a hash of ("pair", account, address) or ("address", address):
# neither emails nor addresses are kept in the clear.
login_attempts = Table(
    "login_attempts", metadata,
    Column("key", Text, primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("last_attempt_at", DateTime(timezone=True), nullable=False, index=True),
)
