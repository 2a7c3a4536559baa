"""Identity, channels and the first read tables (campaigns, posts, calendar, history, tracking).

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("email", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "workspaces",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("requires_approval", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "memberships",
        sa.Column("workspace_id", sa.Uuid, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.CheckConstraint("role IN ('owner','editor','reviewer','viewer')", name="ck_memberships_role"),
    )
    op.create_index("ix_memberships_user_id", "memberships", ["user_id"])
    op.create_table(
        "invitations",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("workspace_id", sa.Uuid, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("token_hash", sa.Text, nullable=False, unique=True),
        sa.Column("invited_by", sa.Uuid, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("accepted_at", TZ),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf_token", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("token_hash", sa.Text, nullable=False, unique=True),
        sa.Column("prefix", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("last_used_at", TZ),
        sa.Column("revoked_at", TZ),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "channels",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("workspace_id", sa.Uuid, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("handle", sa.Text, nullable=False),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("connected", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("token_expires_at", TZ),
        sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("credentials_encrypted", sa.Text),
        sa.UniqueConstraint("workspace_id", "platform", "handle", name="uq_channels_workspace_platform_handle"),
    )
    op.create_index("ix_channels_workspace_id", "channels", ["workspace_id"])
    op.create_table(
        "campaign_views",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("workspace_id", sa.Uuid, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("objective", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("archived", sa.Boolean, nullable=False),
        sa.Column("starts_on", sa.Date),
        sa.Column("ends_on", sa.Date),
        sa.Column("brand_voice", JSONB, nullable=False),
        sa.Column("utm_defaults", JSONB, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_index("ix_campaign_views_workspace_id", "campaign_views", ["workspace_id"])
    op.create_table(
        "post_views",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("workspace_id", sa.Uuid, nullable=False),
        sa.Column("campaign_id", sa.Uuid),
        sa.Column("author_id", sa.Uuid, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("publish_state", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("variants", JSONB, nullable=False),
        sa.Column("media", JSONB, nullable=False),
        sa.Column("targets", JSONB, nullable=False),
        sa.Column("timezone", sa.Text),
        sa.Column("local_time", sa.DateTime(timezone=False)),
        sa.Column("scheduled_at", TZ),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_index("ix_post_views_workspace_updated", "post_views", ["workspace_id", "updated_at"])
    op.create_index("ix_post_views_campaign_id", "post_views", ["campaign_id"])
    op.create_table(
        "calendar_entries",
        sa.Column("post_id", sa.Uuid, primary_key=True),
        sa.Column("channel_id", sa.Uuid, primary_key=True),
        sa.Column("workspace_id", sa.Uuid, nullable=False),
        sa.Column("campaign_id", sa.Uuid),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("scheduled_at", TZ, nullable=False),
        sa.Column("timezone", sa.Text),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("preview", sa.Text, nullable=False),
    )
    op.create_index("ix_calendar_workspace_time", "calendar_entries", ["workspace_id", "scheduled_at"])
    op.create_table(
        "post_history",
        sa.Column("post_id", sa.Uuid, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("workspace_id", sa.Uuid, nullable=False),
        sa.Column("event", sa.Text, nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor_id", sa.Uuid),
        sa.Column("details", JSONB, nullable=False),
    )
    op.create_table(
        "projection_tracking",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in ("projection_tracking", "post_history", "calendar_entries", "post_views", "campaign_views",
                  "channels", "api_tokens", "sessions", "invitations", "memberships", "workspaces", "users"):
        op.drop_table(table)
