"""Database outages on a throwaway PostgreSQL of this test's own (never the shared server):
frozen, /health answers 503 within its 2 s deadline; stopped, the API answers 503 problem+json
with Retry-After; back, everything works again. Plus which real driver errors count as outages."""

from __future__ import annotations

import inspect
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import psutil
import psycopg
import pytest

from adapters.shared.database_errors import database_unreachable
from adapters.shared.database_url import DatabaseLocation
from adapters.shared.embedded_postgres import start_embedded_postgres
from adapters.shared.migrate import migrate
from entrypoints.api.app import create_app
from entrypoints.container import build_container, shutdown
from entrypoints.settings import Settings
from tests.integration.conftest import _free_port, _served
from tests.integration.users import sign_up


class Throwaway:
    """An embedded PostgreSQL under a temp dir: frozen (SIGSTOP of the postmaster and every backend), stopped, started."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.location, self.server = start_embedded_postgres(root)

    def processes(self) -> list[psutil.Process]:
        postmaster = psutil.Process(self.server.get_pid())
        return [postmaster, *postmaster.children(recursive=True)]

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server.ensure_postgres_running()


@pytest.fixture(scope="module")
def throwaway() -> Throwaway:
    """Outside pytest's temp root, which a concurrent pytest run may prune (as the session's embedded server)."""
    root = Path(tempfile.mkdtemp(prefix="postwizard-outage-"))
    db = Throwaway(root)
    migrate(db.location)
    yield db
    db.server.cleanup()  # stops it and forgets it, so nothing tries to stop it again at exit
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
async def outage_app(throwaway: Throwaway) -> AsyncIterator[str]:
    data = throwaway.root / "data"
    settings = Settings(database_url=throwaway.location.libpq_url(), data_dir=data, frontend_dir=data / "no-ui",
                        db_pool_size=2)
    container = build_container(settings, throwaway.location)
    try:
        async with _served(create_app(container, settings, background=False, close_container=False), _free_port()) as url:
            yield url
    finally:
        await shutdown(container)


async def test_health_and_api_through_a_frozen_then_stopped_database(throwaway: Throwaway, outage_app: str):
    ann = await sign_up(outage_app)
    assert (await ann.client.get("/health")).status_code == 200

    frozen = throwaway.processes()
    for process in frozen:
        process.suspend()
    try:
        started = time.monotonic()
        r = await ann.client.get("/health")
        elapsed = time.monotonic() - started
    finally:
        for process in frozen:
            process.resume()
    assert r.status_code == 503 and r.json() == {"status": "unavailable", "database": "error: timeout"}
    assert elapsed < 2.5, elapsed
    assert (await ann.client.get("/health")).status_code == 200

    throwaway.stop()
    try:
        for method, path, body in (("GET", "/api/auth/me", None), ("GET", ann.url("/posts"), None),
                                   ("POST", ann.url("/campaigns"), {"name": "While down"})):
            r = await ann.client.request(method, path, json=body)
            assert r.status_code == 503, (path, r.status_code, r.text)
            assert r.headers["content-type"] == "application/problem+json" and r.headers["retry-after"] == "5"
            assert r.json()["detail"] == "the database is unreachable; retry shortly"
        assert (await ann.client.get("/health")).status_code == 503
    finally:
        throwaway.start()

    assert (await ann.client.get("/api/auth/me")).status_code == 200
    r = await ann.post("/campaigns", {"name": "Back again"})
    assert r.status_code == 201, r.text
    assert [c["name"] for c in (await ann.get("/campaigns")).json()] == ["Back again"]
    assert (await ann.client.get("/health")).status_code == 200


async def _raised(work) -> BaseException:
    """The exception `work()` raises (awaited when it returns an awaitable)."""
    try:
        result = work()
        if inspect.isawaitable(result):
            await result
    except Exception as exc:
        return exc
    raise AssertionError("no error")


async def test_only_unreachable_database_errors_count_as_outages(throwaway: Throwaway, tmp_path):
    location: DatabaseLocation = throwaway.location
    conn = await asyncpg.connect(host=location.host, user=location.user, database=location.dbname)
    try:
        await conn.execute("CREATE TEMP TABLE once (id int PRIMARY KEY); INSERT INTO once VALUES (1)")
        duplicate = await _raised(lambda: conn.execute("INSERT INTO once VALUES (1)"))
        cancelled = await _raised(lambda: conn.execute("SET statement_timeout = 10; SELECT pg_sleep(1)"))
    finally:
        await conn.close()
    missing_file = await _raised(lambda: (tmp_path / "nope").read_bytes())
    assert not any(database_unreachable(e) for e in (duplicate, cancelled, missing_file))

    dead = DatabaseLocation(location.user, "", str(tmp_path), location.port, location.dbname)  # no server there
    refused_sync = await _raised(lambda: psycopg.connect(dead.libpq_url(), connect_timeout=2))
    refused_async = await _raised(lambda: asyncpg.connect(host=dead.host, user=dead.user, database=dead.dbname))
    assert database_unreachable(refused_sync) and database_unreachable(refused_async)
