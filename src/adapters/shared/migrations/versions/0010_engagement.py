"""Engagement: the metric snapshots of published targets (a time series, appended by COPY) and each
target's polling state with its latest numbers.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

METRICS = ("likes", "reposts", "replies", "quotes", "bookmarks", "impressions", "clicks")


def _metrics() -> list[sa.Column]:
    return [sa.Column(name, sa.BigInteger) for name in METRICS]  # NULL: the platform does not give it


def upgrade() -> None:
    op.create_table(
        "engagement_snapshots",
        sa.Column("workspace_id", UUID(as_uuid=True), nullable=False),
        sa.Column("post_id", UUID(as_uuid=True), nullable=False),
        sa.Column("channel_id", UUID(as_uuid=True), nullable=False),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("remote_id", sa.Text, nullable=False),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        *_metrics(),
        sa.Column("flags", ARRAY(sa.Text), nullable=False, server_default="{}"),
    )
    op.create_index("ix_engagement_snapshots_target", "engagement_snapshots",
                    ["workspace_id", "post_id", "channel_id", "captured_at"])
    op.create_table(
        "engagement_targets",
        sa.Column("post_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("channel_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("workspace_id", UUID(as_uuid=True), nullable=False),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("remote_id", sa.Text, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("captured_at", sa.DateTime(timezone=True)),   # the last read that answered
        sa.Column("changed_at", sa.DateTime(timezone=True)),    # the latest snapshot's time
        *_metrics(),
        sa.Column("flags", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("unchanged", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_poll_at", sa.DateTime(timezone=True)),  # NULL: polling has stopped
        sa.Column("error", sa.Text),                            # why the last read failed, if it did
    )
    op.create_index("ix_engagement_targets_post", "engagement_targets", ["workspace_id", "post_id"])
    op.create_index("ix_engagement_targets_due", "engagement_targets", ["next_poll_at", "channel_id"],
                    postgresql_where=sa.text("next_poll_at IS NOT NULL"))
    op.create_index("ix_engagement_targets_channel_due", "engagement_targets", ["channel_id", "next_poll_at"],
                    postgresql_where=sa.text("next_poll_at IS NOT NULL"))
    # Targets published before this revision are tracked too: due now, unless past 90 days of polling.
    op.execute("""
        INSERT INTO engagement_targets (post_id, channel_id, workspace_id, platform, remote_id, published_at, next_poll_at)
        SELECT p.id, (t->>'channel_id')::uuid, p.workspace_id, t->>'platform', t->>'remote_id',
               (t->>'published_at')::timestamptz,
               CASE WHEN (t->>'published_at')::timestamptz > now() - interval '90 days' THEN now() END
        FROM post_views p, jsonb_array_elements(p.targets) AS t
        WHERE t->>'state' = 'published' AND t->>'remote_id' IS NOT NULL AND t->>'published_at' IS NOT NULL
        ON CONFLICT DO NOTHING
    """)


def downgrade() -> None:
    op.drop_table("engagement_targets")
    op.drop_table("engagement_snapshots")
