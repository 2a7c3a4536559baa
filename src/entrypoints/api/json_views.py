"""JSON answers written straight from the application's views, in one pass.

Returning pydantic models through a route's `response_model` costs two passes over the data: the
route builds each model from its view (validation), then FastAPI validates the result again before
it serialises it. For answers of many rows (a calendar week holds hundreds of entries) that is most
of the request's time. `JsonViews` serialises the views (frozen dataclasses) to JSON bytes with one
pydantic `TypeAdapter` instead. The route keeps its `response_model`, which documents the answer in
the OpenAPI document; `tests/unit/test_json_views.py` checks the bytes are the ones that model gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from fastapi.responses import Response
from pydantic import TypeAdapter

T = TypeVar("T")


class JsonViews(Generic[T]):
    """Serialises values of one type (e.g. `list[CalendarEntry]`) into JSON responses."""

    def __init__(self, kind: Any) -> None:
        self.adapter: TypeAdapter[T] = TypeAdapter(kind)

    def dump(self, value: T) -> bytes:
        return self.adapter.dump_json(value)

    def response(self, value: T, *, status_code: int = 200, headers: Mapping[str, str] | None = None) -> Response:
        return Response(self.dump(value), status_code=status_code, headers=headers, media_type="application/json")
