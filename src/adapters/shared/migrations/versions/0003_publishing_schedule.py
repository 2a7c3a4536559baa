"""Publishing: when each target's current attempt started (to find attempts a dead worker left behind).

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("calendar_entries", sa.Column("attempt_started_at", sa.DateTime(timezone=True)))
    op.create_index("ix_calendar_state_time", "calendar_entries", ["state", "scheduled_at"])


def downgrade() -> None:
    op.drop_index("ix_calendar_state_time", "calendar_entries")
    op.drop_column("calendar_entries", "attempt_started_at")
