"""Paths and query parameters are user text too: refused, naming the parameter, when they hold
a control character (request bodies are checked by `schemas.Body`)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from domain.shared.text import refusal, unprintable_character
from entrypoints.api.errors import problem


class RefuseUnprintableUrls:
    """Pure ASGI middleware: nothing downstream ever sees such a path or parameter."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            found = _unprintable_in_url(scope)
            if found:
                field, character = found
                message = refusal(character)
                await problem(422, "validation", "The request is invalid", f"{field}: {message}",
                              errors=[{"field": field, "message": message}])(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _unprintable_in_url(scope: Scope) -> tuple[str, str] | None:
    character = unprintable_character(scope.get("path", ""))
    if character:
        return "path", character
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        character = unprintable_character(name) or unprintable_character(value)
        if character:
            return _shown(name), character
    return None


def _shown(name: str) -> str:
    """A parameter's name as it can be shown: control characters spelled out."""
    return name.encode("unicode_escape").decode("ascii")
