"""`postwizard serve` brings its embedded PostgreSQL back after the server is killed, and a
server that cannot start is given up on with a clear log line."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import psutil
import pytest

from adapters.shared.embedded_postgres import start_embedded_postgres
from adapters.shared.postgres_watchdog import EmbeddedPostgresWatchdog
from tests.integration.test_serve import _port

CLI = str(Path(sys.executable).with_name("postwizard"))
PASSWORD = "correct horse battery"


@pytest.fixture
def data_root():
    """Outside pytest's temp root: a concurrent pytest run resets that root to 0700, and the embedded
    server (running as its own user when the tests run as root) would lose its way in."""
    root = Path(tempfile.mkdtemp(prefix="postwizard-watchdog-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _postmaster(data_dir: Path) -> int:
    return int((data_dir / "postgres" / "postmaster.pid").read_text().split("\n", 1)[0])


def _dead(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _until(what: str, check, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout} s")


def test_serve_restarts_a_killed_embedded_postgres_and_the_api_and_worker_carry_on(data_root):
    data_dir, port = data_root / "data", _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTWIZARD_")}
    env.update(POSTWIZARD_DATA_DIR=str(data_dir), POSTWIZARD_LOG_LEVEL="WARNING")
    proc = subprocess.Popen([CLI, "serve", "--demo", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=base, timeout=5)
    try:
        _until("serve is up", lambda: client.get("/health").status_code == 200, 90)
        login = {"email": "wd@example.com", "password": PASSWORD}
        r = client.post("/api/auth/signup", json={**login, "name": "W", "workspace_name": "W"})
        assert r.status_code == 202, r.text
        r = client.post("/api/auth/login", json=login)
        assert r.status_code == 200, r.text
        ws, client.headers["X-CSRF-Token"] = r.json()["workspaces"][0]["id"], r.json()["csrf_token"]
        r = client.post(f"/api/workspaces/{ws}/channels/app-password",
                        json={"identifier": "sandbox.bsky.social", "app_password": "sandbox-app-password"})
        assert r.status_code == 201, r.text
        channel = r.json()["id"]

        pid = _postmaster(data_dir)
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        _until("the postmaster is dead", lambda: _dead(pid), 5)

        _until("a login works again", lambda: httpx.post(f"{base}/api/auth/login", json=login).status_code == 200, 30)
        recovered = time.monotonic() - killed
        assert _postmaster(data_dir) != pid
        assert client.get("/health").status_code == 200

        # The in-process publishing worker survived the outage too.
        at = (datetime.now(timezone.utc) + timedelta(seconds=1)).isoformat()
        r = client.post(f"/api/workspaces/{ws}/posts", json={"text": "After the outage", "channel_ids": [channel],
                                                               "schedule_at": at, "timezone": "UTC"})
        assert r.status_code == 201, r.text
        post = r.json()["id"]
        _until("the post is published", lambda: client.get(f"/api/workspaces/{ws}/posts/{post}").json()
               ["targets"][0]["state"] == "published", 30)
    finally:
        client.close()
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, output
    assert "is running again" in output, output
    print(f"API answered again {recovered:.1f} s after the kill")


def test_the_watchdog_gives_up_with_a_clear_line_when_the_server_cannot_start(data_root, caplog):
    _, server = start_embedded_postgres(data_root)
    config = data_root / "postgres" / "postgresql.conf"
    original = config.read_text()
    try:
        watchdog = EmbeddedPostgresWatchdog(server, max_failures=2)
        assert watchdog.check() == "running"
        os.kill(_postmaster(data_root), signal.SIGKILL)
        _until("the postmaster is dead", lambda: not watchdog.running(), 5)
        config.write_text(original + "\nshared_buffers = 'plenty'\n")  # the server refuses to start
        with caplog.at_level(logging.WARNING, logger="postwizard.embedded_postgres"):
            assert watchdog.check() == "failed"
            assert watchdog.check() == "gave up"
        assert "could not be started after 2 attempts" in caplog.text and "giving up" in caplog.text

        config.write_text(original)  # the operator fixes the cause
        assert watchdog.check() == "restarted" and watchdog.running()
    finally:
        config.write_text(original)
        server.cleanup()
