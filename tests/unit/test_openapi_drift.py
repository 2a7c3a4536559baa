"""The UI's API types are generated from frontend/src/lib/api/openapi.json: it must be the document the
API serves, so a change to a route or a schema fails here until the types are regenerated."""

from pathlib import Path

from fastapi.testclient import TestClient

from entrypoints.api.app import create_app
from entrypoints.api.openapi_export import openapi_document, render
from entrypoints.settings import Settings

COMMITTED = Path(__file__).resolve().parents[2] / "frontend" / "src" / "lib" / "api" / "openapi.json"


def test_committed_openapi_json_is_the_served_document():
    assert COMMITTED.exists(), f"{COMMITTED} is missing: run `make api-types`"
    if COMMITTED.read_text(encoding="utf-8") != render(openapi_document()):
        raise AssertionError("frontend/src/lib/api/openapi.json is out of date with the API: run `make api-types` "
                             "(it rewrites openapi.json and frontend/src/lib/api/schema.d.ts; commit both)")


def test_the_export_is_deterministic_and_is_what_the_api_serves():
    document = openapi_document()
    assert render(document) == render(openapi_document()) and render(document).endswith("}\n")
    # GET /openapi.json of an app built like the export's (no lifespan is entered, so no container is needed).
    app = create_app(None, Settings(_env_file=None), background=False, close_container=False)  # type: ignore[arg-type]
    served = TestClient(app).get("/openapi.json")
    assert served.status_code == 200 and served.json() == document
