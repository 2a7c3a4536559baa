"""The text limit each channel's platform reports (a Mastodon instance sets its own).

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("channels", sa.Column("max_characters", sa.Integer))


def downgrade() -> None:
    op.drop_column("channels", "max_characters")
