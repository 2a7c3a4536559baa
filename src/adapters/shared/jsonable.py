"""Turn event attributes into JSON-safe values for read tables."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic"}


def jsonable(value: Any) -> Any:
    if isinstance(value, (UUID, datetime, date)):
        return str(value) if isinstance(value, UUID) else value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    return value


def event_details(event: Any) -> dict:
    return {k: jsonable(v) for k, v in vars(event).items() if k not in _ENVELOPE and not k.startswith("_")}


def event_name(event: Any) -> str:
    return type(event).__qualname__.split(".")[-1]
