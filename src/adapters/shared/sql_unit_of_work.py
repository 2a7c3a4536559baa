"""The relational unit of work on one asyncpg connection and transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.channels.repository import SqlChannels, SqlOAuthClients, SqlOAuthStates
from adapters.identity.repositories import SqlApiTokens, SqlInvitations, SqlMemberships, SqlSessions, SqlUsers, SqlWorkspaces
from adapters.publishing.media_library import SqlMediaLibrary
from adapters.shared.database import for_reads


class SqlUnitOfWork:
    """Rolls back unless `commit()` was called; repositories never commit. With `transaction=False`
    (for reads only), each statement runs on its own and `commit()` is refused."""

    def __init__(self, engine: AsyncEngine, *, transaction: bool = True) -> None:
        self.engine, self.transaction = engine, transaction
        self.conn: AsyncConnection | None = None

    async def __aenter__(self) -> "SqlUnitOfWork":
        self.conn = await self.engine.connect()
        if self.transaction:
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
        if not self.transaction:
            raise RuntimeError("a unit of work for reads commits nothing; open one with the factory's call")
        await self.conn.commit()


class SqlUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine, self.read_engine = engine, for_reads(engine)

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)

    def reads(self) -> SqlUnitOfWork:
        """On the primary, never a replica: what a caller reads here (a channel's tokens) may have
        been written a moment ago."""
        return SqlUnitOfWork(self.read_engine, transaction=False)
