"""SQLAlchemy metadata and the async engine (asyncpg)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

from asyncpg import Record
from sqlalchemy import MetaData, TypeDecorator, Uuid, event
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util import await_

from adapters.shared.database_url import DatabaseLocation

metadata = MetaData()
CONNECT_TIMEOUT = 10  # seconds: an unreachable database is an error, never a hang


def create_engine(location: DatabaseLocation, pool_size: int = 10) -> AsyncEngine:
    engine = create_async_engine(location.sqlalchemy_url("asyncpg"), pool_size=pool_size, max_overflow=0,
                                 connect_args={"timeout": CONNECT_TIMEOUT})
    event.listen(engine.sync_engine.pool, "checkout", _ping)
    event.listen(engine.sync_engine.pool, "checkin", _returned)
    return engine


ALIVE_WINDOW = 0.5  # seconds: a connection returned this recently is used without a ping
_RETURNED_AT = "postwizard_returned_at"


def _ping(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """A checkout proves its connection alive (a pooled connection dies with a database restart), and the
    pool replaces one that is not. One round trip: SQLAlchemy's own pre-ping on asyncpg wraps its query
    in BEGIN/ROLLBACK for pgbouncer's transaction mode, three round trips on every checkout, the largest
    cost of a short read (a publishing worker makes several per post).

    Unless the connection came back to the pool less than `ALIVE_WINDOW` ago with its socket open (as
    HikariCP's aliveBypassWindow does): under load that is nearly every checkout, a round trip per
    request or more. A connection the server closed in between is seen closed by the driver, and
    replaced; a database restart takes longer than the window, so after one every connection is pinged."""
    driver = proxy.driver_connection
    if driver.is_closed():
        raise DisconnectionError("pooled connection was closed")
    returned_at = record.info.get(_RETURNED_AT)
    if returned_at is not None and time.monotonic() - returned_at < ALIVE_WINDOW:
        return
    try:
        await_(driver.fetchrow(";"))
    except Exception as exc:
        raise DisconnectionError(f"pooled connection is gone: {type(exc).__name__}") from exc


def _returned(dbapi_connection: Any, record: Any) -> None:
    record.info[_RETURNED_AT] = time.monotonic()  # cleared by the pool with the connection it replaces


def for_reads(engine: AsyncEngine) -> AsyncEngine:
    """The engine (its pool) for the read models' queries, without a transaction around them: each
    query is one statement, or statements that READ COMMITTED would give a snapshot each anyway, so
    autocommit reads the same rows and spares the BEGIN and ROLLBACK round trips."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


class DriverQuery:
    """A read statement run by the pooled connection's asyncpg driver itself, for answers of many rows.

    SQLAlchemy's result layer costs a few microseconds a row (its cursor adapter, a Row, a type
    processor per UUID column), as much as the query for a calendar week of hundreds of rows. The
    statement is still written with SQLAlchemy Core and compiled once; the connection still comes from
    the engine's pool (checked, and autocommit as any other); rows come back as asyncpg `Record`s with
    the driver's own types (`std_uuid(value.int)` makes its UUIDs `uuid.UUID`s). Errors of the query
    come unwrapped, as asyncpg raises them: `database_errors` reads those too."""

    def __init__(self, statement: ClauseElement) -> None:
        compiled = statement.compile(dialect=asyncpg_dialect())
        assert isinstance(compiled, SQLCompiler)
        self.sql, self.names = str(compiled), tuple(compiled.positiontup or ())  # asyncpg's $1, $2, ...

    async def fetch(self, engine: AsyncEngine, params: Mapping[str, Any]) -> list[Record]:
        async with engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            assert driver is not None
            return await driver.fetch(self.sql, *(params[name] for name in self.names))


class StdUuid(TypeDecorator):
    """UUID columns that always come back as `uuid.UUID` (asyncpg returns its own subclass,
    which JSON transcoders and equality-by-type checks do not recognise)."""

    impl = Uuid
    cache_ok = True

    def process_result_value(self, value, dialect):
        return None if value is None else std_uuid(value.int)


def std_uuid(value: int, new=object.__new__, set_=object.__setattr__, safety=uuid.SafeUUID.unknown) -> uuid.UUID:
    """`uuid.UUID(int=value)`, set the way its constructor sets it, without checking the argument
    (the driver's UUID is one already): under half the cost, and a calendar week converts hundreds."""
    copy = new(uuid.UUID)
    set_(copy, "int", value)
    set_(copy, "is_safe", safety)
    return copy
