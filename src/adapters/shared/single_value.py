"""The value of a query that always answers one row of one column (to_regclass, count(*), EXISTS)."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.abc import Query


def single_value(conn: psycopg.Connection, query: Query) -> Any:
    row = conn.execute(query).fetchone()
    if row is None:
        raise LookupError(f"{query!r} answered no row")
    return row[0]
