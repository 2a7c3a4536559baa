"""The platform simulator under uvicorn on a loopback socket, and a shared httpx client for adapters."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from adapters.platforms.http import shared_client
from entrypoints.simulator.app import create_simulator_app
from entrypoints.simulator.state import SimulatorState, seeded_state


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def sim_state() -> SimulatorState:
    return seeded_state()


@pytest.fixture(scope="session")
async def simulator_url(sim_state: SimulatorState) -> AsyncIterator[str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_simulator_app(sim_state), host="127.0.0.1", port=port,
                                           log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


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
