"""The platform simulator: one ASGI app speaking the real Mastodon, Bluesky and X APIs.

Each platform lives under its own prefix, which plays the part of its host (Facebook, Instagram,
LinkedIn and Threads join the same way: a router module and a line below):
  /mastodon  a Mastodon instance      (base URL http://HOST/mastodon)
  /bluesky   a Bluesky PDS            (base URL http://HOST/bluesky)
  /x         the X API and its OAuth  (base URL http://HOST/x)
`/_control` is the control API, and `/_sandbox` its page for people (refuse an account's token). Adapters are pointed at it by base URL only.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from entrypoints.simulator import bluesky, control, mastodon, sandbox_page, x
from entrypoints.simulator.state import SimulatorState, seeded_state


def create_simulator_app(state: SimulatorState | None = None) -> FastAPI:
    app = FastAPIOffline(title="PostWizard platform simulator", docs_url="/_docs", redoc_url=None,
                         openapi_url="/_openapi.json", static_url="/_docs-assets")
    app.state.simulator = state or seeded_state()
    app.include_router(control.router)
    app.include_router(sandbox_page.router)
    for name, module in (("mastodon", mastodon), ("bluesky", bluesky), ("x", x)):
        app.include_router(module.router, prefix=f"/{name}")
    return app
