"""The request body cap on a real server process: `postwizard api` runs in a subprocess against the test
database, a client streams oversized bodies at it (declared, chunked, lying), and the server's memory
(RSS, sampled every few milliseconds from /proc) must not grow by more than 32 MB while it refuses them."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from PIL import Image

from tests.integration.users import ApiUser, sign_up

CLI = str(Path(sys.executable).with_name("postwizard"))
MB = 1024 * 1024
BOUNDARY = "pw-test-boundary"
FILE_HEAD = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="huge.png"\r\n'
             "Content-Type: image/png\r\n\r\n").encode() + b"\x89PNG\r\n\x1a\n"
FILE_TAIL = f"\r\n--{BOUNDARY}--\r\n".encode()
MAX_GROWTH = 32 * MB


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def api_server(database, tmp_path_factory) -> Iterator[tuple[str, int]]:
    """`postwizard api` on the session's database: (its URL, its pid)."""
    data_dir, port = tmp_path_factory.mktemp("api-data"), _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTWIZARD_")}
    env.update(POSTWIZARD_DATABASE_URL=database.libpq_url(), POSTWIZARD_DATA_DIR=str(data_dir),
               POSTWIZARD_FRONTEND_DIR=str(tmp_path_factory.mktemp("no-ui")), POSTWIZARD_LOG_LEVEL="WARNING")
    proc = subprocess.Popen([CLI, "api", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, proc.stdout.read()
        try:
            httpx.get(f"{url}/health", timeout=1)
            break
        except httpx.HTTPError:
            assert time.monotonic() < deadline, "postwizard api did not come up in 60 s"
            time.sleep(0.1)
    yield url, proc.pid
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


class PeakRss:
    """The highest resident set size of a process while the block runs, minus the size before it."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)

    def __enter__(self) -> "PeakRss":
        self.baseline = self.peak = self.process.memory_info().rss
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while self._running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.002)

    def __exit__(self, *exc) -> None:
        self._running = False
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)

    @property
    def growth(self) -> int:
        return self.peak - self.baseline


async def _stream(head: bytes, megabytes: int, tail: bytes = b"") -> AsyncIterator[bytes]:
    yield head
    chunk = b"\0" * MB
    for _ in range(megabytes):
        yield chunk
    yield tail


@pytest.fixture
async def user(base_url, api_server) -> AsyncIterator[ApiUser]:
    """A user signed up through the in-process app, acting on the subprocess (same database, same session)."""
    ann = await sign_up(base_url)
    client = httpx.AsyncClient(base_url=api_server[0], timeout=60, cookies=ann.client.cookies,
                               headers={"X-CSRF-Token": ann.client.headers["X-CSRF-Token"]})
    yield ApiUser(client, ann.workspace_id, ann.user_id, ann.email)
    await client.aclose()
    await ann.client.aclose()


def _too_large(r: httpx.Response) -> None:
    assert r.status_code == 413, r.text[:300]
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "/problems/body-too-large" and r.json()["limit"] > 0


async def _warm_up(user: ApiUser) -> None:
    """Load what a first upload and a first JSON body load (Pillow, the multipart parser) before measuring."""
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (1, 2, 3)).save(out, "PNG")
    r = await user.client.post(user.url("/media"), files={"file": ("warm.png", out.getvalue(), "image/png")})
    assert r.status_code == 201, r.text
    assert (await user.post("/campaigns", {"name": "warm"})).status_code == 201


async def test_oversized_uploads_are_cut_at_the_limit_without_the_server_growing(user, api_server):
    await _warm_up(user)
    upload = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    total = len(FILE_HEAD) + 200 * MB + len(FILE_TAIL)
    cases = {
        "declared 200 MB": {**upload, "content-length": str(total)},
        "chunked 200 MB": upload,  # no length: counted as it arrives and cut after 16 MB
    }
    for name, headers in cases.items():
        with PeakRss(api_server[1]) as rss:
            started = time.monotonic()
            r = await user.client.post(user.url("/media"), content=_stream(FILE_HEAD, 200, FILE_TAIL), headers=headers)
            elapsed = time.monotonic() - started
        _too_large(r)
        assert "images may be at most 16 MB" in r.json()["detail"]
        print(f"{name}: 413 in {elapsed:.2f} s, server RSS +{rss.growth / MB:.1f} MB")
        assert rss.growth < MAX_GROWTH, f"{name}: the server grew by {rss.growth / MB:.0f} MB"
    # the limit is an upload's, not a JSON body's: 15 MB of a (broken) image is read and judged on its merits
    r = await user.client.post(user.url("/media"), content=_stream(FILE_HEAD, 15, FILE_TAIL), headers=upload)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file", r.text


async def test_a_100_mb_json_body_is_refused_without_the_server_growing(user, api_server):
    await _warm_up(user)
    prefix = b'{"name": "' + b"a" * 100
    for name, headers in {"declared": {"content-type": "application/json", "content-length": str(len(prefix) + 100 * MB + 2)},
                          "chunked": {"content-type": "application/json"}}.items():
        with PeakRss(api_server[1]) as rss:
            r = await user.client.post(user.url("/campaigns"), content=_stream(prefix, 100, b'"}'), headers=headers)
        _too_large(r)
        assert r.json()["limit"] == MB
        print(f"JSON 100 MB {name}: server RSS +{rss.growth / MB:.1f} MB")
        assert rss.growth < MAX_GROWTH, f"JSON {name}: the server grew by {rss.growth / MB:.0f} MB"


async def test_a_content_length_that_understates_the_body_gains_nothing(user, api_server):
    """A raw client declares 1 KB and sends 50 MB: the server reads the 1 KB as the body (invalid JSON), and the
    rest is not a request at all (the server answers or hangs up). Memory stays flat, nothing is stored, and the
    server goes on serving."""
    host, port = api_server[0].removeprefix("http://").split(":")
    cookie = "; ".join(f"{k}={v}" for k, v in user.client.cookies.items())
    head = (f"POST {user.url('/campaigns')} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: 1024\r\nCookie: {cookie}\r\nX-CSRF-Token: {user.client.headers['X-CSRF-Token']}\r\n\r\n")
    answer = b""
    with PeakRss(api_server[1]) as rss:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            writer.write(head.encode() + b'{"name": "' + b"a" * 2048)
            for _ in range(50):
                writer.write(b"a" * MB)
                await writer.drain()
            answer = await asyncio.wait_for(reader.read(4096), 10)
        except ConnectionError:
            pass  # the server hung up on what followed the declared body
        finally:
            writer.close()
    assert answer == b"" or answer.split(b" ")[1] in (b"400", b"422"), answer[:200]
    assert rss.growth < MAX_GROWTH, f"the server grew by {rss.growth / MB:.0f} MB"
    r = await user.get("/campaigns")
    assert r.status_code == 200 and all(not c["name"].startswith("aaaa") for c in r.json())
