"""JSON answers written straight from the application's views, in one pass.

Returning pydantic models through a route's `response_model` costs two passes over the data: the
route builds each model from its view (validation), then FastAPI validates the result again before
it serialises it. For answers of many rows (a calendar week holds hundreds of entries) that is most
of the request's time. `JsonViews` writes the views (frozen dataclasses of UUIDs, datetimes,
strings, numbers) with orjson instead, about twice as fast as a pydantic `TypeAdapter` on a calendar
week and byte for byte the same JSON (compact, UTF-8, an instant in UTC ending in `Z`). The route
keeps its `response_model`, which documents the answer in the OpenAPI document;
`tests/unit/test_json_views.py` checks the bytes are the ones that model gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Generic, TypeVar

import orjson
from fastapi.responses import Response

T = TypeVar("T")

OPTIONS = orjson.OPT_UTC_Z  # pydantic writes a UTC offset as Z too


class JsonViews(Generic[T]):
    """Serialises values of one type (e.g. `list[CalendarEntry]`) into JSON responses. A value orjson
    does not know (not a dataclass, list, dict, UUID, date or time, string, number, bool or None)
    fails loudly (`TypeError`), never silently as something else."""

    def dump(self, value: T) -> bytes:
        return orjson.dumps(value, option=OPTIONS)

    def response(self, value: T, *, status_code: int = 200, headers: Mapping[str, str] | None = None) -> Response:
        return Response(self.dump(value), status_code=status_code, headers=headers, media_type="application/json")
