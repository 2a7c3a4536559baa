"""Projection failures set aside per aggregate, and stale read rows.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projection_set_aside",
        sa.Column("projection", sa.Text, primary_key=True),
        sa.Column("position", sa.BigInteger, primary_key=True),
        sa.Column("aggregate_id", UUID(as_uuid=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("set_aside_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_projection_set_aside_aggregate", "projection_set_aside", ["projection", "aggregate_id"])
    for table in ("post_views", "campaign_views"):
        op.add_column(table, sa.Column("stale", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    for table in ("post_views", "campaign_views"):
        op.drop_column(table, "stale")
    op.drop_table("projection_set_aside")
