"""Write the served OpenAPI document to a file without a server or a database.

    python -m entrypoints.api.openapi_export frontend/src/lib/api/openapi.json

The UI's typed client (frontend/src/lib/api/schema.d.ts) is generated from that file; `make api-types`
runs both steps, and tests/unit/test_openapi_drift.py fails when the committed file is stale.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

from entrypoints.api.app import create_app
from entrypoints.settings import Settings


def openapi_document() -> dict[str, Any]:
    """The document /openapi.json serves. The schema depends only on the routes, so no container
    is wired: it is consulted only per request and in the lifespan, neither of which runs here."""
    logging.getLogger("entrypoints.api.app").setLevel(logging.ERROR)  # "no built UI" is irrelevant here
    settings = Settings(_env_file=None)
    app = create_app(None, settings, background=False, close_container=False)  # type: ignore[arg-type]  # None: the schema needs no container
    return app.openapi()


def render(document: dict[str, Any]) -> str:
    """Deterministic text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m entrypoints.api.openapi_export PATH", file=sys.stderr)
        return 2
    target = Path(args[0])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(openapi_document()), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
