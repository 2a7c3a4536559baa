"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException

from entrypoints.api.body_limit import BodyLimit, upload_routes
from entrypoints.api.compression import IsalGZip
from entrypoints.api.errors import install_error_handlers
from entrypoints.api.plain_text import RefuseUnprintableUrls
from entrypoints.api.routers import auth, campaigns, captions, channels, engagement, events, posts, system, workspaces
from entrypoints.api.security_headers import SecurityHeaders
from entrypoints.api.ui_assets import REVALIDATE, UiAssets
from entrypoints.background import keep_projecting
from entrypoints.container import Container, shutdown
from entrypoints.settings import Settings
from entrypoints.simulator.app import create_simulator_app
from entrypoints.worker.run import run_worker

log = logging.getLogger(__name__)
DOCS_ASSETS = "/_docs"  # swagger-ui and redoc, served from the fastapi-offline wheel


def create_app(container: Container, settings: Settings, *, background: bool = True,
               close_container: bool = True, worker: bool = False, simulator: bool = False) -> FastAPI:
    """`background` keeps read tables current; `worker` also runs a publishing worker in this
    process (`serve`); `simulator` mounts the platform simulator at /simulator (`serve --demo`)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # What is alive now lives as long as the process (modules, schemas, routes, SQL metadata: some
        # 200,000 objects). Frozen, a full garbage collection no longer walks them all, which stalled
        # every request for 50-150 ms a few times a minute under load.
        gc.freeze()
        tasks = []
        if worker:
            tasks.append(asyncio.create_task(run_worker(container, install_signal_handlers=False, name="in-process")))
        elif background:
            tasks.append(asyncio.create_task(keep_projecting(container, settings.projection_interval)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if close_container:
                await shutdown(container)

    app = FastAPIOffline(title="PostWizard", version="0.1.0", lifespan=lifespan, static_url=DOCS_ASSETS,
                  description="Plan campaigns, write posts that fit every platform, schedule them exactly once.")
    app.state.container, app.state.settings = container, settings
    install_error_handlers(app)
    app.add_middleware(RefuseUnprintableUrls)
    app.add_middleware(BodyLimit, max_body_bytes=settings.max_body_bytes, routes=upload_routes(settings.max_upload_bytes))
    # Added last, so outermost: gzip wraps the security headers, which hash inline scripts in plain HTML.
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)
    app.add_middleware(IsalGZip, minimum_size=1024)
    for module in (system, auth, workspaces, channels, campaigns, captions, posts, engagement, events):
        app.include_router(module.router)
    app.include_router(channels.callback_router)
    if simulator:
        app.mount("/simulator", create_simulator_app())
    _mount_frontend(app, settings.frontend_dir)
    return app


def _mount_frontend(app: FastAPI, build_dir: Path) -> None:
    """Serve the built UI; unknown non-API paths get index.html so deep links work."""
    index = build_dir / "index.html"
    if not index.exists():
        log.warning("no built UI at %s: run `make frontend` (the API works without it)", build_dir)
        return
    if (build_dir / "_app").exists():
        app.mount("/_app", UiAssets(directory=build_dir / "_app"), name="ui-assets")

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(path: str) -> FileResponse:
        if path.startswith(("api/", "health", "simulator/")):
            raise HTTPException(404, f"no route /{path}")
        candidate = (build_dir / path).resolve()
        if path and candidate.is_file() and build_dir.resolve() in candidate.parents:
            return FileResponse(candidate, headers={"Cache-Control": REVALIDATE})
        return FileResponse(index, headers={"Cache-Control": REVALIDATE})
