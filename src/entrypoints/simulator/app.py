"""The platform simulator: one ASGI app speaking the real Mastodon, Bluesky and X APIs.

Each platform lives under its own prefix, which plays the part of its host (Facebook, Instagram,
LinkedIn and Threads join the same way: a router module and a line below):
  /mastodon  a Mastodon instance      (base URL http://HOST/mastodon)
  /bluesky   a Bluesky PDS            (base URL http://HOST/bluesky)
  /x         the X API and its OAuth  (base URL http://HOST/x)
`/_control` is the control API, and `/_sandbox` its page for people (refuse an account's token). Adapters are pointed at it by base URL only.

No path answers in FastAPI's words: an unknown path or method under a platform's prefix answers
that platform's own error (`unknown_route` of its module), and Mastodon, like any Rails app, takes
a path with a trailing slash for the same route instead of redirecting.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from entrypoints.simulator import bluesky, control, mastodon, sandbox_page, x
from entrypoints.simulator.state import SimulatorState, seeded_state


def create_simulator_app(state: SimulatorState | None = None) -> FastAPI:
    app = FastAPIOffline(title="PostWizard platform simulator", docs_url="/_docs", redoc_url=None,
                         openapi_url="/_openapi.json", static_url="/_docs-assets")
    app.state.simulator = state or seeded_state()
    app.include_router(control.router)
    app.include_router(sandbox_page.router)
    for name, module in PLATFORMS.items():
        app.include_router(module.router, prefix=f"/{name}")
    app.router.redirect_slashes = False
    app.add_middleware(_RailsTrailingSlash)
    app.add_exception_handler(HTTPException, _unknown_route)
    return app


PLATFORMS = {"mastodon": mastodon, "bluesky": bluesky, "x": x}


def _route_path(scope: Scope) -> str:
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


class _RailsTrailingSlash:
    """`/mastodon/api/v1/statuses/` is `/mastodon/api/v1/statuses`, as Rails routes it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            route = _route_path(scope)
            if route.startswith("/mastodon/") and len(route) > len("/mastodon/") and route.endswith("/"):
                scope = {**scope, "path": scope["path"].rstrip("/"),
                         "raw_path": scope.get("raw_path", b"").rstrip(b"/") or scope.get("raw_path", b"")}
        await self.app(scope, receive, send)


async def _unknown_route(request: Request, exc: Exception) -> Response:
    """404 and 405 from routing: the platform's own answer under its prefix, FastAPI's elsewhere."""
    assert isinstance(exc, HTTPException)
    name = _route_path(request.scope).split("/")[1]
    module = PLATFORMS.get(name)
    if module is not None and exc.status_code in (404, 405):
        return module.unknown_route(request)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
