"""Who may hear of a workspace's changes: its members, read from identity's memberships table."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.identity.tables import memberships

_OF_USER = select(memberships.c.workspace_id).where(memberships.c.user_id == bindparam("user_id"))


class SqlMemberWorkspaces:
    """Implements MemberWorkspaces."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def of_user(self, user_id: UUID) -> frozenset[UUID]:
        async with self.engine.connect() as conn:
            return frozenset((await conn.execute(_OF_USER, {"user_id": user_id})).scalars())
