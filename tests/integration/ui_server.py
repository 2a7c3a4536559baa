"""The real app serving the built UI (frontend/build) over a socket, for the web-edge and browser tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from adapters.shared.database_url import DatabaseLocation
from entrypoints.api.app import create_app
from entrypoints.container import Container, build_container, shutdown
from entrypoints.settings import Settings
from tests.integration.conftest import _free_port, _served

UI_BUILD = Path(__file__).resolve().parents[2] / "frontend" / "build"


def _ui_settings(settings: Settings, port: int, **overrides) -> Settings:
    assert (UI_BUILD / "index.html").exists(), "the UI is not built: run `make frontend` (or `cd frontend && npm run build`)"
    return settings.model_copy(update={"frontend_dir": UI_BUILD, "public_url": f"http://127.0.0.1:{port}", **overrides})


@contextlib.asynccontextmanager
async def served_ui(container: Container, settings: Settings, **overrides) -> AsyncIterator[str]:
    """The app with the built UI and the simulator mounted, on the session's container; `overrides` change settings."""
    port = _free_port()
    app = create_app(container, _ui_settings(settings, port, **overrides), background=False, close_container=False,
                     simulator=True)
    async with _served(app, port) as url:
        yield url


@contextlib.asynccontextmanager
async def served_demo(settings: Settings, database: DatabaseLocation, *, worker: bool = False) -> AsyncIterator[str]:
    """As `serve --demo`: every platform is the simulator mounted on this very app (its own container,
    so OAuth redirects and platform calls come back to this port). `worker` also runs the publishing
    worker in this process, as `serve` does, so scheduled posts go out."""
    port = _free_port()
    demo = _ui_settings(settings, port, simulator_url=f"http://127.0.0.1:{port}/simulator")
    container = build_container(demo, database)
    try:
        async with _served(create_app(container, demo, background=False, close_container=False, simulator=True,
                                      worker=worker), port) as url:
            yield url
    finally:
        await shutdown(container)
