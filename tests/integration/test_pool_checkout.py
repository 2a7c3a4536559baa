"""The pool's check on checkout: a ping, skipped for a connection returned moments ago with its
socket open; one the server closed in between is replaced, never handed out."""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy import event, text

from adapters.shared.database import ALIVE_WINDOW, create_engine
from adapters.shared.database_url import DatabaseLocation


async def test_recently_returned_connections_skip_the_ping_and_closed_ones_are_replaced(database: DatabaseLocation):
    engine = create_engine(database, pool_size=1)
    sent: list[str] = []

    @event.listens_for(engine.sync_engine.pool, "connect")
    def log_queries(dbapi_connection, record):
        dbapi_connection.driver_connection.add_query_logger(lambda query: sent.append(query.query))

    async def backend() -> int:
        async with engine.connect() as conn:
            return await conn.scalar(text("SELECT pg_backend_pid()"))

    try:
        first = await backend()
        sent.clear()
        assert await backend() == first and ";" not in sent  # returned a moment ago: no ping

        await asyncio.sleep(ALIVE_WINDOW + 0.2)
        assert await backend() == first and ";" in sent  # idle past the window: pinged

        admin = await asyncpg.connect(host=database.host, port=database.port, user=database.user,
                                      password=database.password or None, database=database.dbname)
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", first)
        finally:
            await admin.close()
        await asyncio.sleep(0.1)  # the server closes the socket; well within the window
        assert await backend() != first
    finally:
        await engine.dispose()
