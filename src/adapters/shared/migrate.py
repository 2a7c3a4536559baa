"""Schema set-up: Alembic migrations for relational and read tables, then the event store's tables.

Idempotent: running it again changes nothing. Safe to run from two processes at once.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config
from procrastinate.schema import SchemaManager

from adapters.shared.database_url import DatabaseLocation
from adapters.shared.event_store import build_application
from adapters.shared.single_value import single_value

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(location: DatabaseLocation) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["sqlalchemy_url"] = location.sqlalchemy_url("psycopg")
    return config


def migrate(location: DatabaseLocation) -> None:
    command.upgrade(alembic_config(location), "head")
    app = build_application({**location.eventsourcing_env(), "CREATE_TABLE": "true"})
    app.close()
    _apply_job_schema(location)


def _apply_job_schema(location: DatabaseLocation) -> None:
    """procrastinate's tables and functions, once (under the same lock as the migrations)."""
    with psycopg.connect(location.libpq_url(), autocommit=True) as conn:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(7385211)")
            if single_value(conn, "SELECT to_regclass('procrastinate_jobs')") is None:
                conn.execute(SchemaManager.get_schema())
