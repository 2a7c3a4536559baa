"""Media stored with their decoded size: a `media` table per workspace (until now an image's type
and alt text lived in a JSON file beside its bytes, which no query could check), and the image
limits a channel's platform reports (a Mastodon instance's own).

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("workspace_id", UUID(as_uuid=True), sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("ref", sa.Text, primary_key=True),
        sa.Column("mime_type", sa.Text, nullable=False),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("byte_size", sa.BigInteger, nullable=False),
        sa.Column("animated", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("alt", sa.Text, nullable=False, server_default=""),
        sa.Column("uploaded_by", UUID(as_uuid=True), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("width > 0 AND height > 0 AND byte_size > 0", name="ck_media_sizes"),
    )
    op.add_column("channels", sa.Column("max_image_bytes", sa.BigInteger))
    op.add_column("channels", sa.Column("max_image_pixels", sa.BigInteger))


def downgrade() -> None:
    op.drop_column("channels", "max_image_pixels")
    op.drop_column("channels", "max_image_bytes")
    op.drop_table("media")
