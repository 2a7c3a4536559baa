"""Row counts of every table: proof that a refused request wrote nothing."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

TABLES = ("postwizard_events", "users", "workspaces", "memberships", "invitations", "sessions", "api_tokens",
          "channels", "campaign_views", "post_views", "calendar_entries", "post_history")


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {t: await conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in TABLES}
