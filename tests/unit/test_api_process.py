"""The API process keeps what it built at startup out of the garbage collector's full passes."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from entrypoints.api.app import create_app
from entrypoints.settings import Settings


def test_starting_the_api_freezes_the_objects_alive_at_startup():
    gc.unfreeze()
    app = create_app(None, Settings(_env_file=None), background=False, close_container=False)  # type: ignore[arg-type]
    assert gc.get_freeze_count() == 0
    with TestClient(app) as client:
        assert gc.get_freeze_count() > 50_000  # modules, schemas, routes: a full collection skips them
        assert client.get("/api/nothing").status_code == 404
    gc.unfreeze()
