"""Where the simulator is, as its clients see it."""

from __future__ import annotations

from starlette.requests import Request


def simulator_base(request: Request) -> str:
    """The simulator's own base URL: the host plus the path it is mounted at (`serve --demo` mounts it
    at /simulator), so the links it hands out (a post's URL, a PDS endpoint) open in a browser."""
    return str(request.base_url).rstrip("/") + request.scope.get("root_path", "")
