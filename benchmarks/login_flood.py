"""The real user's login time alone and while an attacker floods wrong passwords for the same account.

    .venv/bin/python benchmarks/login_flood.py [--logins 20] [--concurrency 8]

`postwizard api` (production argon2id parameters) runs as a subprocess on a fresh database
(POSTWIZARD_BENCH_DATABASE_URL's server when set, else an embedded PostgreSQL). The attacker
connects from 127.0.0.2 and keeps `--concurrency` wrong-password logins in flight for as long as
the real user, from 127.0.0.3, logs in `--logins` times one after the other. Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, free_port, log, machine, percentile, rerun, server_location  # noqa: E402

CLI = str(Path(sys.executable).with_name("postwizard"))
USER = {"email": "real@example.com", "password": "correct horse battery"}


def client(base: str, address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base, timeout=60, transport=httpx.AsyncHTTPTransport(local_address=address))


async def real_logins(base: str, n: int) -> list[float]:
    times = []
    async with client(base, "127.0.0.3") as real:
        for _ in range(n):
            started = time.perf_counter()
            r = await real.post("/api/auth/login", json=USER)
            times.append(time.perf_counter() - started)
            if r.status_code != 200:
                raise RuntimeError(f"the real user was refused: {r.status_code} {r.text}")
    return times


async def measure(base: str, logins: int, concurrency: int) -> dict:
    await real_logins(base, 3)  # warm-up
    alone = sorted(await real_logins(base, logins))
    statuses: list[int] = []
    done = asyncio.Event()

    async def attacker() -> None:
        async with client(base, "127.0.0.2") as c:
            while not done.is_set():
                r = await c.post("/api/auth/login", json={"email": USER["email"], "password": "a wrong guess"})
                statuses.append(r.status_code)

    tasks = [asyncio.create_task(attacker()) for _ in range(concurrency)]
    await asyncio.sleep(0.2)
    started = time.perf_counter()
    during = sorted(await real_logins(base, logins))
    elapsed = time.perf_counter() - started
    done.set()
    await asyncio.gather(*tasks)
    ms = lambda values, p: round(percentile(values, p) * 1000, 1)  # noqa: E731
    return {"real_user_login_ms_alone": {"p50": ms(alone, 50), "p95": ms(alone, 95)},
            "real_user_login_ms_during_flood": {"p50": ms(during, 50), "p95": ms(during, 95)},
            "flood": {"attempts": len(statuses), "seconds": round(elapsed, 2), "checked_401": statuses.count(401),
                      "throttled_429": statuses.count(429), "other": len(statuses) - statuses.count(401) - statuses.count(429)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pw-bench-login-"))
    location, embedded, kind = server_location(tmp / "pg")
    name = f"pw_bench_login_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(location.libpq_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTWIZARD_")}
    env.update(POSTWIZARD_DATABASE_URL=location.with_dbname(name).libpq_url(), POSTWIZARD_DATA_DIR=str(tmp / "data"),
               POSTWIZARD_LOG_LEVEL="WARNING")
    api = subprocess.Popen([CLI, "api", "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                           stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or api.poll() is not None:
                    raise RuntimeError("postwizard api did not start")
                time.sleep(0.2)
        r = httpx.post(f"{base}/api/auth/signup", json={**USER, "name": "Real", "workspace_name": "W"}, timeout=60)
        r.raise_for_status()
        log(f"measuring on {kind} PostgreSQL: {args.logins} logins alone, then during the flood")
        result = asyncio.run(measure(base, args.logins, args.concurrency))
    finally:
        api.terminate()
        api.wait(30)
        with psycopg.connect(location.libpq_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if embedded is not None:
            embedded.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps({"benchmark": "login_flood", "database": kind, "machine": machine(), **result,
                      "rerun": rerun([".venv/bin/python", "benchmarks/login_flood.py", *sys.argv[1:]])}, indent=2))


if __name__ == "__main__":
    main()
