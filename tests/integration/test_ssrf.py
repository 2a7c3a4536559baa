"""The SSRF guard on the real app over a socket, with no simulator configured (so the guard is what
production runs): every route and command that takes a server address refuses loopback in all its
spellings, a name that resolves or rebinds to it, and a redirect to it, with one identical answer;
a trap listener on loopback sees no connection, so no app password ever reaches it. The other causes
(refused connection, timeout, bad TLS, an answer that is not the platform's, no DNS answer) answer the
same. An allowed LAN host (127.0.0.2, listed in POSTWIZARD_ALLOWED_PRIVATE_HOSTS) is reached, and the
authorization URL is built from the checked instance address."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import uvicorn
from dependency_injector import providers
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from adapters.shared.address_policy import system_resolver
from entrypoints.api.app import create_app
from entrypoints.container import build_container, shutdown
from entrypoints.settings import Settings
from tests.integration.users import ApiUser, sign_up

UNREACHABLE = "could not reach that server"
CLIENT_ID = "pw-client-7Yq2"
LAN = "127.0.0.2"
CLI = str(Path(sys.executable).with_name("postwizard"))


class Trap:
    """Loopback listeners (IPv4 and IPv6) that count every connection and every byte received."""

    def __init__(self) -> None:
        self.connections, self.received = 0, b""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        with contextlib.suppress(ConnectionError):
            self.received += await asyncio.wait_for(reader.read(65536), 1)
        writer.close()


class Names:
    """The app's resolver: names of these tests' own, anything else through the system resolver."""

    def __init__(self) -> None:
        self.rebind_lookups = 0

    async def __call__(self, host: str, port: int) -> list[str]:
        if host == "loopback.pw.test":
            return ["127.0.0.1"]
        if host == "rebind.pw.test":  # allowed when checked, loopback when connecting
            self.rebind_lookups += 1
            return [LAN] if self.rebind_lookups % 2 else ["127.0.0.1"]
        if host == "nxdomain.pw.test":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return await system_resolver(host, port)


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def _uvicorn(app, host: str, port: int) -> AsyncIterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture(scope="module")
async def trap() -> AsyncIterator[Trap]:
    trap = Trap()
    v4 = await asyncio.start_server(trap.handle, "127.0.0.1", 0)
    trap.port = v4.sockets[0].getsockname()[1]
    v6 = await asyncio.start_server(trap.handle, "::1", 0)
    trap.port6 = v6.sockets[0].getsockname()[1]
    yield trap
    v4.close()
    v6.close()


class Lan:
    """A server on an allowed private host: a Mastodon that registers apps under /ok, and misbehaving ones."""

    def __init__(self, trap: Trap) -> None:
        self.trap, self.seen, self.url = trap, [], ""

    async def answer(self, request: Request) -> Response:
        kind, path = request.path_params["kind"], request.path_params["path"]
        self.seen.append(f"/{kind}/{path}")
        if kind == "redirect":
            return RedirectResponse(f"http://127.0.0.1:{self.trap.port}/{path}", status_code=307)
        if kind == "html":
            return HTMLResponse("<html><body>an intranet page</body></html>")
        if kind == "slow":
            await asyncio.sleep(3)
        if kind == "array":
            return JSONResponse([{"client_id": CLIENT_ID}])
        if kind == "reflect":  # an internal JSON service: its fields must not come back to the user
            return JSONResponse({"client_id": "http://169.254.169.254/latest/meta-data/iam secret",
                                 "client_secret": "x", "accessJwt": "a", "refreshJwt": "r"})
        return JSONResponse({"id": "1", "name": "PostWizard", "client_id": CLIENT_ID, "client_secret": "s3cret"})


@pytest.fixture(scope="module")
async def lan(trap: Trap) -> AsyncIterator[Lan]:
    lan = Lan(trap)
    app = Starlette(routes=[Route("/{kind}/{path:path}", lan.answer, methods=["GET", "POST"])])
    async with _uvicorn(app, LAN, _free_port(LAN)) as url:
        lan.url = url
        yield lan


@pytest.fixture(scope="module")
def names() -> Names:
    return Names()


@pytest.fixture(scope="module")
async def guarded(database, settings, tmp_path_factory, names: Names) -> AsyncIterator[str]:
    """The real app as production runs it: no simulator, 127.0.0.2 allowed as a LAN host."""
    port = _free_port("127.0.0.1")
    own = Settings(database_url=database.libpq_url(), data_dir=settings.data_dir, simulator_url=None,
                   frontend_dir=tmp_path_factory.mktemp("no-ui"), platform_timeout=1.0, allowed_private_hosts=[LAN],
                   public_url=f"http://127.0.0.1:{port}")
    container = build_container(own, database)
    container.outbound_resolver.override(providers.Object(names))
    try:
        async with _uvicorn(create_app(container, own, background=False, close_container=False), "127.0.0.1", port) as url:
            yield url
    finally:
        await shutdown(container)


@pytest.fixture
async def ann(base_url: str, guarded: str) -> AsyncIterator[ApiUser]:
    """A user signed up on the test app, using the same session against the guarded app."""
    user = await sign_up(base_url)
    client = httpx.AsyncClient(base_url=guarded, cookies=user.client.cookies, headers=dict(user.client.headers), timeout=30)
    yield ApiUser(client, user.workspace_id, user.user_id, user.email)
    await client.aclose()
    await user.client.aclose()


def _routes(value: str) -> list[tuple[str, str, dict]]:
    return [("mastodon", "instance_url", {"path": "/channels/connect", "json": {"platform": "mastodon", "instance_url": value}}),
            ("bluesky", "service_url", {"path": "/channels/app-password",
                                        "json": {"identifier": "ann.example", "app_password": "hunter2-app-pass",
                                                 "service_url": value}})]


def _refused_targets(trap: Trap, lan: Lan) -> list[str]:
    p, closed, ok_port = trap.port, _free_port(LAN), urlparse(lan.url).port
    return [
        # loopback in every spelling, and names that lead there
        f"127.0.0.1:{p}", f"https://127.0.0.1:{p}", f"http://127.0.0.1:{p}", f"localhost:{p}", f"http://localhost:{p}",
        f"127.1:{p}", f"2130706433:{p}", f"0x7f000001:{p}", f"017700000001:{p}", f"0:{p}", f"[::1]:{trap.port6}",
        f"http://[::1]:{trap.port6}", f"[::ffff:127.0.0.1]:{p}", f"loopback.pw.test:{p}", f"https://rebind.pw.test:{p}",
        f"{lan.url}/redirect",                            # an allowed host redirecting to loopback
        # the other causes: refused connection, bad TLS, not the platform, too slow, no such name, reflected fields
        f"http://{LAN}:{closed}", f"https://{LAN}:{ok_port}/ok", f"{lan.url}/html", f"{lan.url}/slow",
        "nxdomain.pw.test", f"{lan.url}/reflect", f"{lan.url}/array",
    ]


async def test_every_server_address_route_refuses_inward_targets_alike_and_never_contacts_them(ann, trap, lan, names):
    answers: dict[str, set] = {"mastodon": set(), "bluesky": set()}
    for target in _refused_targets(trap, lan):
        for route, field, request in _routes(target):
            names.rebind_lookups = 0  # rebind.pw.test: allowed when the guard checks it, loopback when connecting
            r = await ann.post(request["path"], request["json"])
            assert r.status_code == 422, (route, target, r.text)
            body = r.json()
            assert body["errors"] == [{"field": field, "message": UNREACHABLE}], (route, target, body)
            answers[route].add((r.status_code, r.headers["content-type"], body["type"], body["title"], body["detail"]))
            if "rebind" in target:
                assert names.rebind_lookups == 2  # passed the check, then refused when looked up again to connect
    assert all(len(kinds) == 1 for kinds in answers.values()), answers
    assert trap.connections == 0 and trap.received == b""  # nothing, and no app password, reached loopback
    # the allowed LAN host was really asked, so the answers above are not the guard refusing everything
    assert {"/redirect/api/v1/apps", "/redirect/xrpc/com.atproto.server.createSession", "/html/api/v1/apps",
            "/reflect/api/v1/apps", "/reflect/xrpc/com.atproto.server.createSession"} <= set(lan.seen)
    assert (await ann.get("/channels")).json() == []


async def test_an_allowed_lan_instance_connects_and_the_url_is_built_from_its_checked_address(ann, lan, guarded):
    r = await ann.post("/channels/connect", {"platform": "mastodon", "instance_url": f"{lan.url}/ok/"})
    assert r.status_code == 200, r.text
    url = urlparse(r.json()["authorization_url"])
    assert (url.scheme, url.netloc, url.path) == ("http", urlparse(lan.url).netloc, "/ok/oauth/authorize")
    query = parse_qs(url.query)
    assert query["client_id"] == [CLIENT_ID] and query["redirect_uri"] == [f"{guarded}/api/oauth/callback"]


async def test_the_cli_refuses_a_loopback_pds_the_same_way(ann, trap, settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTWIZARD_")}
    env.update({"POSTWIZARD_DATABASE_URL": settings.database_url, "POSTWIZARD_DATA_DIR": str(settings.data_dir),
                "COLUMNS": "220"})
    done = await asyncio.to_thread(
        subprocess.run, [CLI, "channel", "connect-bluesky", "-u", ann.email, "--identifier", "ann.example",
                         "--app-password", "hunter2-app-pass", "--service-url", f"127.1:{trap.port}"],
        env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"invalid service_url: {UNREACHABLE}" in done.stdout and "Traceback" not in done.stdout + done.stderr
    assert trap.connections == 0
