"""A user's own time zone for showing times (an IANA name; NULL follows the browser's zone).

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("time_zone", sa.Text))


def downgrade() -> None:
    op.drop_column("users", "time_zone")
