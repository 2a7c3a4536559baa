"""uvicorn's access log, without the values of query parameters.

Query strings carry secrets: the OAuth callback's `code` and `state`, and any link that holds a
token. The access log keeps each request's path and the names of its parameters
(`GET /api/oauth/callback?code&state`), never their values; this holds for every route, so a
route added later cannot leak by being forgotten.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG


def without_values(path_with_query: str) -> str:
    """`/cb?code=abc&state=xyz` -> `/cb?code&state`."""
    path, separator, query = path_with_query.partition("?")
    if not separator:
        return path
    names = [part.split("=", 1)[0] for part in query.split("&") if part]
    return f"{path}?{'&'.join(names)}" if names else path


class QueryValuesDropped(logging.Filter):
    """For the `uvicorn.access` logger, whose records carry (client, method, path?query, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], without_values(args[2]), args[3], args[4])
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration with the filter on its access logger."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["query_values_dropped"] = {"()": QueryValuesDropped}
    config["loggers"]["uvicorn.access"]["filters"] = ["query_values_dropped"]
    return config
