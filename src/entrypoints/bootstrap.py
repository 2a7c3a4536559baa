"""Build the running system: settings -> database location -> (migrations) -> container."""

from __future__ import annotations

import logging

from adapters.shared.migrate import migrate
from entrypoints.container import Container, build_container
from entrypoints.database import resolve_location
from entrypoints.settings import Settings

log = logging.getLogger(__name__)


def bootstrap(settings: Settings | None = None, *, run_migrations: bool = False) -> Container:
    settings = settings or Settings()
    location = resolve_location(settings)
    log.info("database: %s", location.describe())
    if run_migrations:
        migrate(location)
    container = build_container(settings, location)
    container.cipher()  # fail fast on a bad key; creates the key file on first run
    return container
