"""API token lifecycle, login throttling, per-user caption limits.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("api_tokens", sa.Column("expires_at", sa.DateTime(timezone=True)))
    op.create_table(
        "login_attempts",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_login_attempts_last_attempt_at", "login_attempts", ["last_attempt_at"])
    op.add_column("caption_generations", sa.Column("user_id", UUID(as_uuid=True)))
    op.create_index("ix_caption_generations_user_time", "caption_generations", ["user_id", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_caption_generations_user_time", table_name="caption_generations")
    op.drop_column("caption_generations", "user_id")
    op.drop_table("login_attempts")
    op.drop_column("api_tokens", "expires_at")
