"""The relational unit of work on one asyncpg connection and transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.channels.repository import SqlChannels, SqlOAuthClients, SqlOAuthStates
from adapters.identity.repositories import SqlApiTokens, SqlInvitations, SqlMemberships, SqlSessions, SqlUsers, SqlWorkspaces
from adapters.publishing.media_library import SqlMediaLibrary


class SqlUnitOfWork:
    """Rolls back unless `commit()` was called; repositories never commit."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.conn: AsyncConnection | None = None

    async def __aenter__(self) -> "SqlUnitOfWork":
        self.conn = await self.engine.connect()
        await self.conn.begin()
        conn = self.conn
        self.users, self.workspaces, self.memberships = SqlUsers(conn), SqlWorkspaces(conn), SqlMemberships(conn)
        self.invitations, self.sessions = SqlInvitations(conn), SqlSessions(conn)
        self.api_tokens, self.channels = SqlApiTokens(conn), SqlChannels(conn)
        self.oauth_clients, self.oauth_states = SqlOAuthClients(conn), SqlOAuthStates(conn)
        self.media = SqlMediaLibrary(conn)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.conn is not None
        try:
            if self.conn.in_transaction():
                await self.conn.rollback()
        finally:
            await self.conn.close()

    async def commit(self) -> None:
        assert self.conn is not None
        await self.conn.commit()


class SqlUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)
