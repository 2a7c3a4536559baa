"""`postwizard serve` on the embedded PostgreSQL: starts, keeps data across restarts, stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

CLI = str(Path(sys.executable).with_name("postwizard"))


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(data_dir: Path, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTWIZARD_")}
    env.update(POSTWIZARD_DATA_DIR=str(data_dir), POSTWIZARD_LOG_LEVEL="WARNING")
    proc = subprocess.Popen([CLI, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("serve did not come up in 90 s")


def _postgres_running(data_dir: Path) -> bool:
    return any(p.info["name"] == "postgres" and str(data_dir / "postgres") in " ".join(p.info["cmdline"] or [])
               for p in psutil.process_iter(["name", "cmdline"]))


def test_serve_keeps_data_across_restarts_and_stops_cleanly(tmp_path):
    data_dir, port = tmp_path / "data", _port()
    proc = _start(data_dir, port)
    try:
        r = httpx.post(f"http://127.0.0.1:{port}/api/auth/signup", json={
            "email": "keep@example.com", "password": "correct horse battery", "name": "Kim", "workspace_name": "K"})
        assert r.status_code == 202, r.text  # the installation's first user, whatever POSTWIZARD_SIGNUP says
        assert (data_dir / "secret.key").stat().st_mode & 0o777 == 0o600
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
    assert not _postgres_running(data_dir), "the embedded PostgreSQL outlived Ctrl-C"

    proc = _start(data_dir, port)
    try:
        r = httpx.post(f"http://127.0.0.1:{port}/api/auth/login",
                       json={"email": "keep@example.com", "password": "correct horse battery"})
        assert r.status_code == 200 and r.json()["workspaces"][0]["name"] == "K"
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
