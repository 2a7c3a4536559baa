"""Whether the database answers now, within a deadline, without touching the connection pools.

A fresh connection is opened, asked `SELECT 1` and dropped without a goodbye (`terminate`): on a
frozen server a polite close or a query cancel would wait on the server too, and a pooled
connection could already be stuck in such a wait.
"""

from __future__ import annotations

import time

import asyncpg

from adapters.shared.database_url import DatabaseLocation


async def database_answers(location: DatabaseLocation, timeout: float) -> None:
    """Returns when the server answered within `timeout` seconds; raises (TimeoutError, OSError, a driver error) when not."""
    deadline = time.monotonic() + timeout
    conn = await asyncpg.connect(host=location.host, port=location.port, user=location.user,
                                 password=location.password or None, database=location.dbname, timeout=timeout)
    try:
        await conn.fetchval("SELECT 1", timeout=max(0.01, deadline - time.monotonic()))
    finally:
        conn.terminate()
