"""Credentials on the identity tables: a session or API token and its holder's role, in one statement.

Run on the primary (a session is read the moment after login wrote it, which a replica may not
have yet), on an autocommit connection (`for_reads`): no BEGIN and ROLLBACK around the one read."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.identity.tables import api_tokens, memberships, sessions
from adapters.shared.database import StdUuid
from application.identity.ports import ApiTokenRecord, SessionRecord
from domain.shared.roles import Role


def _with_role(table):
    """The row of `table` by token hash, and its user's role in the workspace (NULL for none, or no workspace)."""
    member = and_(memberships.c.user_id == table.c.user_id,
                  memberships.c.workspace_id == bindparam("workspace_id", type_=StdUuid))
    return (select(*table.c, memberships.c.role).select_from(table.outerjoin(memberships, member))
            .where(table.c.token_hash == bindparam("token_hash")))


_SESSION, _API_TOKEN = _with_role(sessions), _with_role(api_tokens)
_SESSION_FIELDS, _API_TOKEN_FIELDS = [c.name for c in sessions.c], [c.name for c in api_tokens.c]


class SqlCredentials:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def session(self, token_hash: str, workspace_id: UUID | None) -> tuple[SessionRecord, Role | None] | None:
        row = await self._first(_SESSION, token_hash, workspace_id)
        if row is None:
            return None
        return SessionRecord(**dict(zip(_SESSION_FIELDS, row[:-1]))), _role(row[-1])

    async def api_token(self, token_hash: str, workspace_id: UUID | None) -> tuple[ApiTokenRecord, Role | None] | None:
        row = await self._first(_API_TOKEN, token_hash, workspace_id)
        if row is None:
            return None
        return ApiTokenRecord(**dict(zip(_API_TOKEN_FIELDS, row[:-1]))), _role(row[-1])

    async def _first(self, statement, token_hash: str, workspace_id: UUID | None):
        async with self.engine.connect() as conn:
            return (await conn.execute(statement, {"token_hash": token_hash, "workspace_id": workspace_id})).first()


def _role(value: str | None) -> Role | None:
    return Role(value) if value is not None else None
