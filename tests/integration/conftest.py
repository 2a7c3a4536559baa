"""Integration fixtures: a real PostgreSQL (embedded by default, POSTWIZARD_TEST_DATABASE_URL for
another server), a fresh database per test session, the real app served over a socket."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import psycopg
import pytest
import uvicorn

from adapters.platforms.http import shared_client
from adapters.shared.database_url import DatabaseLocation
from adapters.shared.embedded_postgres import start_embedded_postgres
from adapters.shared.migrate import migrate
from entrypoints.api.app import create_app
from entrypoints.container import Container, build_container, shutdown
from entrypoints.settings import Settings
from entrypoints.simulator.app import create_simulator_app
from entrypoints.simulator.state import SimulatorState, seeded_state
from tests.integration import fake_openai


@pytest.fixture(scope="session")
def test_server() -> DatabaseLocation:
    """POSTWIZARD_TEST_DATABASE_URL's server, else an embedded PostgreSQL stopped and removed at the end.

    The embedded data dir lives outside pytest's temp root, which another pytest run may prune."""
    url = os.environ.get("POSTWIZARD_TEST_DATABASE_URL")
    if url:
        yield DatabaseLocation.parse(url)
        return
    root = Path(tempfile.mkdtemp(prefix="postwizard-tests-"))
    location, server = start_embedded_postgres(root)
    yield location
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def database(test_server: DatabaseLocation) -> DatabaseLocation:
    """A new, migrated database on the test server; dropped at the end."""
    server = test_server
    name = f"pw_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server.libpq_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    location = server.with_dbname(name)
    migrate(location)
    yield location
    with psycopg.connect(server.libpq_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def settings(tmp_path_factory, database: DatabaseLocation, simulator_url: str, fake_llm_url: str) -> Settings:
    return Settings(database_url=database.libpq_url(), data_dir=tmp_path_factory.mktemp("data"),
                    frontend_dir=tmp_path_factory.mktemp("no-ui"), projection_interval=0.2,
                    simulator_url=simulator_url, platform_timeout=3.0,
                    llm_base_url=f"{fake_llm_url}/v1", llm_api_key=fake_openai.API_KEY, llm_model=fake_openai.MODEL,
                    llm_timeout=2.0, llm_max_retries=1)


@pytest.fixture(scope="session")
async def container(settings: Settings, database: DatabaseLocation) -> AsyncIterator[Container]:
    c = build_container(settings, database)
    # Fast password hashing keeps the suite quick; argon2id itself is exercised in unit tests.
    from dependency_injector import providers

    from adapters.identity.password_hasher import Argon2PasswordHasher

    c.hasher.override(providers.Singleton(Argon2PasswordHasher, time_cost=1, memory_cost=1024, parallelism=1))
    yield c
    await shutdown(c)


@contextlib.asynccontextmanager
async def _served(app, port: int) -> AsyncIterator[str]:
    """An ASGI app under uvicorn on a loopback socket, in the test's event loop."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
async def base_url(container: Container, settings: Settings) -> AsyncIterator[str]:
    """The real FastAPI app under uvicorn on a loopback socket, in the test's event loop."""
    port = _free_port()
    settings.public_url = f"http://127.0.0.1:{port}"  # OAuth callbacks come back here
    async with _served(create_app(container, settings, background=True, close_container=False), port) as url:
        yield url


@pytest.fixture
async def http(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        yield client


@pytest.fixture
def fresh_database(database: DatabaseLocation) -> DatabaseLocation:
    """Another migrated database, private to one test (no background projector touches it)."""
    name = f"pw_iso_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(database.libpq_url("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    location = database.with_dbname(name)
    migrate(location)
    yield location
    with psycopg.connect(database.libpq_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ----- the platform simulator ---------------------------------------------------------

@pytest.fixture(scope="session")
def sim_state() -> SimulatorState:
    return seeded_state()


@pytest.fixture(scope="session")
async def simulator_url(sim_state: SimulatorState) -> AsyncIterator[str]:
    async with _served(create_simulator_app(sim_state), _free_port()) as url:
        yield url


@pytest.fixture
async def control(simulator_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The simulator's control API; faults are cleared after each test."""
    async with httpx.AsyncClient(base_url=f"{simulator_url}/_control") as client:
        yield client
        await client.delete("/faults")


@pytest.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    client = shared_client(httpx.Timeout(connect=2.0, read=2.0, write=2.0, pool=2.0))
    yield client
    await client.aclose()


# ----- the fake OpenAI-compatible model server ------------------------------------------

@pytest.fixture(scope="session")
def fake_llm_server() -> fake_openai.FakeOpenAI:
    return fake_openai.FakeOpenAI()


@pytest.fixture(scope="session")
async def fake_llm_url(fake_llm_server: fake_openai.FakeOpenAI) -> AsyncIterator[str]:
    async with _served(fake_llm_server.app(), _free_port()) as url:
        yield url


@pytest.fixture
def fake_llm(fake_llm_server: fake_openai.FakeOpenAI) -> fake_openai.FakeOpenAI:
    """The fake model server with an empty script and no recorded requests; reset after the test."""
    fake_llm_server.reset()
    yield fake_llm_server
    fake_llm_server.reset()
