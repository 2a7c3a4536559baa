"""The request body cap: no request may make the server hold more than a limit of body bytes.

Pure ASGI, streaming: nothing is buffered here. A declared Content-Length over the limit is
refused before a byte of the body is read; a body without one (chunked) or one that keeps
coming is counted as the application reads it and cut the moment it passes the limit. Either
way the answer is 413 problem+json. The connection is deliberately not closed: uvicorn reads the
rest of the body and discards it as it arrives (memory stays flat), so the client, still sending,
receives the 413; closing instead resets the connection and the client sees a broken pipe, not the
answer (measured: 10 of 10 lost). Whatever the application did with the cut body (FastAPI answers
a broken body with 400) is discarded for the 413.

Limits: `POSTWIZARD_MAX_BODY_BYTES` (1 MB) for every request, `POSTWIZARD_MAX_UPLOAD_BYTES`
(16 MB) plus room for the multipart envelope on the image upload route (and the platform
simulator, which receives what workers upload). Multipart files are spooled to disk by
Starlette past 1 MB, so an upload within the limit is never held whole in memory either.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.api.errors import problem

MULTIPART_ALLOWANCE = 64 * 1024  # boundaries, part headers and the alt text around an upload's file


@dataclass(frozen=True)
class RouteLimit:
    """A larger (or smaller) limit for requests whose path matches `path` (and `method`, when given)."""

    path: re.Pattern[str]
    limit: int
    method: str | None = None
    detail: str | None = None  # what the 413 says instead of the generic sentence


def upload_routes(max_upload_bytes: int) -> list[RouteLimit]:
    upload = max_upload_bytes + MULTIPART_ALLOWANCE
    detail = f"images may be at most {_megabytes(max_upload_bytes)}; export it smaller or as JPEG and upload it again"
    return [RouteLimit(re.compile(r"^/api/workspaces/[^/]+/media/?$"), upload, "POST", detail),
            RouteLimit(re.compile(r"^/simulator/"), upload)]


class BodyTooLarge(Exception):
    """Raised into the application from `receive` when the body passes the limit."""


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, routes: Sequence[RouteLimit] = ()) -> None:
        self.app, self.max_body_bytes, self.routes = app, max_body_bytes, tuple(routes)

    def limit_for(self, scope: Scope) -> tuple[int, str]:
        for route in self.routes:
            if (route.method is None or route.method == scope["method"]) and route.path.match(scope["path"]):
                return route.limit, route.detail or _generic(route.limit)
        return self.max_body_bytes, _generic(self.max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, detail = self.limit_for(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(limit, detail)(scope, receive, send)
            return

        received, cut, started = 0, False, False

        async def counting_receive() -> Message:
            nonlocal received, cut
            if cut:
                raise BodyTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    cut = True
                    raise BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if cut and not started:
                return  # the application's answer to a cut body is replaced by the 413 below
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not cut:
                raise
        if cut and not started:
            await _too_large(limit, detail)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def _generic(limit: int) -> str:
    return f"this request's body may be at most {_megabytes(limit)} ({limit} bytes); send less"


def _too_large(limit: int, detail: str):
    return problem(413, "body-too-large", "The request body is too large", detail, limit=limit)
