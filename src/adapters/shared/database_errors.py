"""Telling "the database cannot be reached right now" apart from every other database error.

An outage (server stopped, restarting, frozen past the connect timeout, out of connection
slots, shut down by an administrator) is the operator's to fix and the client's to retry: the
API answers 503 with Retry-After. Anything else (a constraint, a bad query, a lock or statement
timeout) is not an outage and keeps its own answer.

The drivers say it in different ways, so the whole chain of causes is read: a SQLSTATE when the
server answered (class 08 connection exception, 53300 too many connections, 57P01-57P03 shutting
down or starting up); SQLAlchemy's "connection invalidated" flag; pool timeouts; and, when the
server never answered at all, an OSError (refused, no such socket, timed out) raised inside a
driver. An OSError raised anywhere else (a file, an HTTP call) is not about the database.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator

import psycopg
import psycopg_pool
import sqlalchemy.exc
from asyncpg.exceptions import ConnectionDoesNotExistError, InterfaceError, PostgresError
from eventsourcing.persistence import ConnectionUnavailableError, PersistenceError
from procrastinate.exceptions import ConnectorException

_OUTAGE_SQLSTATES = ("08", "53300", "57P01", "57P02", "57P03")
_DRIVERS = ("asyncpg", "psycopg", "psycopg_pool", "sqlalchemy", "eventsourcing", "procrastinate")
_OURS = ("domain", "application", "adapters", "entrypoints")
_POOL_TIMEOUTS = (sqlalchemy.exc.TimeoutError, psycopg_pool.PoolTimeout, ConnectionUnavailableError)

OUTAGE_TYPES = (sqlalchemy.exc.DBAPIError, sqlalchemy.exc.TimeoutError, psycopg.Error, PersistenceError, ConnectorException,
                PostgresError, InterfaceError, OSError)  # asyncpg's own: from `DriverQuery`
"""The exception types an outage surfaces as; each has other causes too, so ask `database_unreachable`."""


def database_unreachable(exc: BaseException) -> bool:
    """True when `exc`, or an exception it was raised from, says the database is out of reach."""
    for error in _causes(exc):
        sqlstate = getattr(error, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate:
            return sqlstate.startswith(_OUTAGE_SQLSTATES)
        if isinstance(error, sqlalchemy.exc.DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, (*_POOL_TIMEOUTS, ConnectionDoesNotExistError)):
            return True
        if isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError)):
            return True  # raised by the client itself (no SQLSTATE): refused, closed, no socket
        if isinstance(error, OSError) and _raised_in_driver(error):
            return True
    return False


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__


def _raised_in_driver(error: BaseException) -> bool:
    """Whether a driver sits between PostWizard's last frame and the point the error was raised."""
    packages = [frame.f_globals.get("__name__", "").split(".")[0] for frame, _ in traceback.walk_tb(error.__traceback__)]
    last_ours = max((i for i, package in enumerate(packages) if package in _OURS), default=-1)
    return any(package in _DRIVERS for package in packages[last_ours + 1:])
