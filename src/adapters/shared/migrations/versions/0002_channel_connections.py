"""Connected channels: where the account lives, encrypted tokens, OAuth clients and pending OAuth states.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("channels", sa.Column("base_url", sa.Text, nullable=False, server_default=""))
    op.add_column("channels", sa.Column("remote_account_id", sa.Text))
    op.add_column("channels", sa.Column("refreshable", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("channels", sa.Column("last_error", sa.Text))
    op.create_table(
        "oauth_clients",
        sa.Column("platform", sa.Text, primary_key=True),
        sa.Column("base_url", sa.Text, primary_key=True),
        sa.Column("redirect_uri", sa.Text, primary_key=True),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("client_secret_encrypted", sa.Text),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "oauth_states",
        sa.Column("state_hash", sa.Text, primary_key=True),
        sa.Column("session_hash", sa.Text, nullable=False),
        sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("workspace_id", sa.Uuid, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("base_url", sa.Text, nullable=False),
        sa.Column("redirect_uri", sa.Text, nullable=False),
        sa.Column("code_verifier_encrypted", sa.Text, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("oauth_states")
    op.drop_table("oauth_clients")
    for column in ("last_error", "refreshable", "remote_account_id", "base_url"):
        op.drop_column("channels", column)
