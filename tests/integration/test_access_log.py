"""The real `postwizard api` process logs each request without the values of its query string:
the OAuth callback's code and state never reach the log."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from adapters.shared.database_url import DatabaseLocation
from tests.integration.conftest import _free_port

CLI = str(Path(sys.executable).with_name("postwizard"))


def test_the_access_log_keeps_paths_and_parameter_names_but_no_values(database: DatabaseLocation, tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTWIZARD_")}
    env.update(POSTWIZARD_DATABASE_URL=database.libpq_url(), POSTWIZARD_DATA_DIR=str(tmp_path / "data"),
               POSTWIZARD_FRONTEND_DIR=str(tmp_path / "no-ui"), POSTWIZARD_LOG_LEVEL="INFO")
    proc = subprocess.Popen([CLI, "api", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "postwizard api did not come up"
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code in (200, 503):
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        r = httpx.get(f"{base}/api/oauth/callback", params={"code": "CODE-abc123", "state": "STATE-xyz789"})
        assert r.status_code == 303
        assert httpx.get(f"{base}/api/platforms/rules?platform=VALUE-42&flag").status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert '"GET /api/oauth/callback?code&state HTTP/1.1" 303' in output, output
    assert '"GET /api/platforms/rules?platform&flag HTTP/1.1" 200' in output, output
    for secret in ("CODE-abc123", "STATE-xyz789", "VALUE-42"):
        assert secret not in output
