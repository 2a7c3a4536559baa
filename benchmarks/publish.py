"""Benchmark: N targets due at the same instant, published by W real `postwizard worker` processes.

    .venv/bin/python benchmarks/publish.py [--targets 2000] [--workers 1,2] [--latency-ms 50] [--concurrency 20]
                                           [--spread-seconds 0]

Prints one JSON document to stdout (progress goes to stderr). Uses the PostgreSQL server at
POSTWIZARD_BENCH_DATABASE_URL when set, else an embedded one in a temporary directory; either way
a fresh database per worker count, dropped at the end of that run.

For each W in --workers, on its own database, with its own simulator and app:
1. the platform simulator (uvicorn in this process, loopback port) with --latency-ms injected on
   Bluesky and Mastodon (PUT /_control/faults/<platform>), its per-account rate limits raised so
   they never pace the run, and --channels sandbox accounts (half Bluesky, half Mastodon);
2. the app (API, uvicorn in this process, simulator URL set); a user signs up and connects every
   account: Bluesky with an app password, Mastodon through the OAuth consent page;
3. a warm-up of create-and-schedule requests (due tomorrow: they stay queued, as other people's
   posts would) gives the request rate, from which the due instant T is chosen so that creating the
   N targets and starting the workers both end before T; then N targets (posts x 2 channels, one
   Bluesky and one Mastodon each, spread over the accounts) are created, all due at T (or spread
   evenly over --spread-seconds after T), with `POST /posts` (create and schedule in one command),
   --create-concurrency at once; the benchmark waits until every target's publishing job is queued,
   then stops the API (nothing in this process competes with the workers but the simulator);
4. W `postwizard worker` processes (POSTWIZARD_WORKER_CONCURRENCY=--concurrency) are started and
   must register with procrastinate before T;
5. from T until every target is published (or --timeout): the simulator's records are the judge.
   lateness = record created_at - the target's due time (it includes the injected latency);
   throughput = targets / (last record - T); duplicates = targets with more than one record;
   missed = targets with none at the end; ceiling = W x concurrency / latency. `recorded_all_s`
   is when the app's own read model (calendar_entries) showed every target published;
6. the workers get SIGTERM; then, on the same database, procrastinate's own claim is timed with no
   work: N trivial due jobs in a scratch queue, claimed by `procrastinate_fetch_job_v2` loops
   (W x concurrency connections; W connections, one fetch in flight per worker as procrastinate's
   worker loop does; and claim + finish/delete at W x concurrency).

The goal (BURST_GOAL, SPREAD_GOAL_P99_MS), with no duplicate and no missed target: for the burst
(the default, every target due at T), with 2 workers at least 200 published/s and p99 lateness at
most 10 s; spread over a window, p99 lateness under 1 s. `goal.met_by_workers` lists the worker
counts that met it. With every target due at once, lateness is bounded below by N / throughput:
`lateness_floor_at_ceiling_ms` is that bound at the theoretical ceiling.

CPU: `cpu_ms_per_publish` splits the CPU spent from T to the last publish by process (workers,
PostgreSQL: the postmaster and its backends, of the embedded server or of a local server this
user may read /proc of; the simulator in this process) per published target; the API's CPU per
created target is measured while creating (the API takes no part in publishing: jobs are queued
with their events). Beside them: CPU per wall second; pg_stat_activity / pg_locks sampled every 0.5 s (which waits
and which locks sessions spend the run in); connections; the workers' logs (sweep re-deferrals,
tracebacks; every job's outcome with --worker-log-level INFO); jobs left after the graceful stop.
`warnings` lists what the figures rest on (max_connections reached, jobs stuck in 'doing', ...).
The default run (2000 targets; 1 and 2 workers) takes about 2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import json
import logging
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import psutil  # noqa: E402
import psycopg  # noqa: E402
import uvicorn  # noqa: E402
from harness import Progress, free_port, log, machine, percentile, rerun, server_location  # noqa: E402, I001

from adapters.shared.database_url import DatabaseLocation  # noqa: E402
from adapters.shared.migrate import migrate  # noqa: E402
from entrypoints.api.app import create_app  # noqa: E402
from entrypoints.container import build_container, shutdown  # noqa: E402
from entrypoints.settings import Settings  # noqa: E402
from entrypoints.simulator import bluesky as sim_bluesky  # noqa: E402
from entrypoints.simulator import mastodon as sim_mastodon  # noqa: E402
from entrypoints.simulator.app import create_simulator_app  # noqa: E402
from entrypoints.simulator.state import SimulatorState, seeded_state  # noqa: E402

CLI = str(Path(sys.executable).with_name("postwizard"))
PLATFORMS = ("bluesky", "mastodon")
SCRATCH_QUEUE = "bench_scratch"
REPEATS = 3  # raw claim measurements: the median of this many
# The accepted bar. A burst (every target due at one instant, the 09:00 case): with 2 workers at least
# 200 published/s and p99 lateness at most 10 s. Spread over a window: p99 lateness under 1 s.
BURST_GOAL = {"workers": 2, "throughput_per_s_at_least": 200, "p99_lateness_ms_at_most": 10_000}
SPREAD_GOAL_P99_MS = 1000
UNLIMITED = 1_000_000


# ---------------------------------------------------------------- output helpers


def ms(seconds: float | None) -> float | None:
    return None if seconds is None or math.isnan(seconds) else round(seconds * 1000, 1)


def per_item_ms(cpu_seconds: float | None, items: int) -> float | None:
    return round(1000 * cpu_seconds / items, 2) if cpu_seconds is not None and items else None



def goal_met(args: argparse.Namespace, workers: int, throughput: float | None, lateness: list[float],
             duplicates: int, missed: int) -> bool | None:
    """None where this run's worker count has no goal (a burst's goal is set for BURST_GOAL's workers)."""
    if not lateness or duplicates or missed:
        return False
    p99_ms = percentile(lateness, 99) * 1000
    if args.spread_seconds:
        return p99_ms < SPREAD_GOAL_P99_MS
    if workers != BURST_GOAL["workers"]:
        return None
    return (throughput or 0) >= BURST_GOAL["throughput_per_s_at_least"] and p99_ms <= BURST_GOAL["p99_lateness_ms_at_most"]


# ---------------------------------------------------------------- CPU accounting (psutil)

def local_postmaster_pid(server: DatabaseLocation) -> int | None:
    """The server's postmaster, when it runs on this machine and its data directory is readable here."""
    with contextlib.suppress(Exception):
        with psycopg.connect(server.libpq_url(), autocommit=True) as conn:
            data_dir = conn.execute("SHOW data_directory").fetchone()[0]
        pid = int((Path(data_dir) / "postmaster.pid").read_text().split()[0])
        return pid if psutil.pid_exists(pid) else None
    return None


class CpuMeter:
    """CPU seconds used by a set of processes between start() and stop() (children of the
    PostgreSQL postmaster included; a backend that exits in between is counted through the
    postmaster's reaped-children times)."""

    def __init__(self, pids: list[int], with_children: bool = False) -> None:
        self.procs = []
        for pid in pids:
            with contextlib.suppress(psutil.Error):
                self.procs.append(psutil.Process(pid))
        self.with_children = with_children
        self.before: dict[int, float] = {}
        self.reaped_before = 0.0
        self.t0 = 0.0
        self.result: float | None = None
        self.seconds = 0.0

    def _sample(self) -> tuple[dict[int, float], float]:
        times: dict[int, float] = {}
        reaped = 0.0
        for proc in self.procs:
            with contextlib.suppress(psutil.Error):
                t = proc.cpu_times()
                times[proc.pid] = t.user + t.system
                if self.with_children:
                    reaped += t.children_user + t.children_system
                    for child in proc.children(recursive=True):
                        with contextlib.suppress(psutil.Error):
                            c = child.cpu_times()
                            times[child.pid] = c.user + c.system
        return times, reaped

    def start(self) -> None:
        self.t0 = time.perf_counter()
        self.before, self.reaped_before = self._sample()

    def stop(self) -> None:
        self.seconds = time.perf_counter() - self.t0
        after, reaped = self._sample()
        used = sum(max(0.0, v - self.before.get(pid, 0.0)) for pid, v in after.items()) + (reaped - self.reaped_before)
        self.result = used

    def per_wall_second(self) -> float | None:
        return round(self.result / self.seconds, 2) if self.result is not None and self.seconds > 0 else None


# ---------------------------------------------------------------- servers in this process

async def serve(app: Any, port: int) -> tuple[uvicorn.Server, asyncio.Task]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.02)
    return server, task


async def stop_server(server: uvicorn.Server | None, task: asyncio.Task | None) -> None:
    if server is None or task is None:
        return
    server.should_exit = True
    with contextlib.suppress(Exception):
        await asyncio.wait_for(task, 30)


def raise_rate_limits(state: SimulatorState) -> dict[str, Any]:
    """The sandbox accounts' own limits (Mastodon: 300 requests / 5 min per account) would pace the
    run; raise every load limit of both platforms (the injected latency is what is measured)."""
    raised = {}
    mastodon = sim_mastodon._data(state)["rate_limits"]
    mastodon.update({name: (UNLIMITED, window) for name, (_, window) in mastodon.items()})
    bluesky = sim_bluesky._data(state)["rate_limits"]
    bluesky.update({name: (UNLIMITED, window) for name, (_, window) in bluesky.items()})
    raised["mastodon"] = {k: v[0] for k, v in mastodon.items()}
    raised["bluesky"] = {k: v[0] for k, v in bluesky.items()}
    raised["bluesky_enforced"] = sorted(sim_bluesky._data(state)["enforced_rate_limits"])
    return raised


# ---------------------------------------------------------------- the API as a user

@dataclass
class User:
    client: httpx.AsyncClient
    workspace_id: str

    def url(self, path: str) -> str:
        return f"/api/workspaces/{self.workspace_id}{path}"


async def sign_up(base_url: str) -> User:
    client = httpx.AsyncClient(base_url=base_url, timeout=60)
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    r = await client.post("/api/auth/signup", json={"email": email, "password": "correct horse battery",
                                                     "name": "Bench", "workspace_name": "Bench team"})
    r.raise_for_status()
    r = await client.post("/api/auth/login", json={"email": email, "password": "correct horse battery"})
    r.raise_for_status()
    body = r.json()
    client.headers["X-CSRF-Token"] = body["csrf_token"]
    return User(client, body["workspaces"][0]["id"])


async def connect_bluesky(user: User, control: httpx.AsyncClient, handle: str) -> dict:
    password = f"app-{uuid.uuid4().hex[:12]}"
    r = await control.post("/accounts", json={"platform": "bluesky", "handle": handle, "password": password})
    r.raise_for_status()
    r = await user.client.post(user.url("/channels/app-password"), json={"identifier": handle, "app_password": password})
    if r.status_code != 201:
        raise RuntimeError(f"connecting Bluesky {handle}: HTTP {r.status_code} {r.text[:300]}")
    return r.json() | {"sandbox_handle": handle}


async def connect_mastodon(user: User, control: httpx.AsyncClient, handle: str) -> dict:
    """Through the consent page, as a browser: pick the sandbox account, approve, follow the callback."""
    r = await control.post("/accounts", json={"platform": "mastodon", "handle": handle})
    r.raise_for_status()
    r = await user.client.post(user.url("/channels/connect"),
                               json={"platform": "mastodon", "instance_url": "sandbox.social"})
    if r.status_code != 200:
        raise RuntimeError(f"starting Mastodon OAuth: HTTP {r.status_code} {r.text[:300]}")
    authorization_url = r.json()["authorization_url"]
    async with httpx.AsyncClient(timeout=30) as browser:
        page = await browser.get(authorization_url)
        page.raise_for_status()
        form = re.search(r'<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>', page.text, re.S | re.I)
        if not form:
            raise RuntimeError("the Mastodon consent page has no form")
        fields = {html.unescape(name): html.unescape(value) for name, value in
                  re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(2))}
        fields.update({"account": handle, "decision": "approve"})
        answer = await browser.post(urljoin(authorization_url, html.unescape(form.group(1))), data=fields)
        if answer.status_code not in (302, 303):
            raise RuntimeError(f"consent: HTTP {answer.status_code} {answer.text[:300]}")
        callback = answer.headers["location"]
    landed = await user.client.get(callback)
    connected = parse_qs(urlparse(landed.headers.get("location", "")).query).get("connected")
    if landed.status_code != 303 or not connected:
        raise RuntimeError(f"OAuth callback: HTTP {landed.status_code} {landed.headers.get('location')}")
    channels = (await user.client.get(user.url("/channels"))).json()
    # The app names it `user@instance`; the simulator's records carry the sandbox handle.
    return next(c for c in channels if c["id"] == connected[0]) | {"sandbox_handle": handle}


# ---------------------------------------------------------------- creating the targets

@dataclass
class Plan:
    tag: str
    due: datetime
    spread: float
    posts: list[dict] = field(default_factory=list)  # {"text", "channels": [channel dicts], "due": datetime}

    @property
    def targets(self) -> int:
        return sum(len(p["channels"]) for p in self.posts)


def make_plan(n_targets: int, channels: dict[str, list[dict]], due: datetime, spread: float, tag: str) -> Plan:
    """Posts of two targets each (one Bluesky, one Mastodon channel, rotating over the accounts);
    an odd N ends with a one-target post. With a spread, due times step evenly over it."""
    plan = Plan(tag, due, spread)
    bsky, masto = channels["bluesky"], channels["mastodon"]
    n_posts = (n_targets + 1) // 2
    for i in range(n_posts):
        chosen = [bsky[i % len(bsky)], masto[(i // len(bsky)) % len(masto)]]
        if 2 * i + 1 == n_targets:
            chosen = chosen[:1]
        at = due + timedelta(seconds=spread * i / n_posts) if spread else due
        plan.posts.append({"text": f"{tag} post {i}: launching something new this week, details soon #postwizard",
                           "channels": chosen, "due": at.replace(microsecond=at.microsecond // 1000 * 1000)})
    return plan


def naive_utc(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="milliseconds")


async def create_posts(user: User, bodies: list[dict], concurrency: int, label: str | None) -> tuple[list[str], float]:
    """POST /posts for every body (create and schedule in one command); returns the ids and seconds."""
    ids: list[str | None] = [None] * len(bodies)
    errors: list[str] = []
    progress = Progress(label, len(bodies)) if label else None
    done = 0
    queue = iter(range(len(bodies)))
    clients = [httpx.AsyncClient(base_url=user.client.base_url, timeout=120, cookies=user.client.cookies,
                                 headers=dict(user.client.headers)) for _ in range(concurrency)]

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal done
        for i in queue:
            r = await client.post(user.url("/posts"), json=bodies[i])
            if r.status_code == 201:
                ids[i] = r.json()["id"]
            else:
                errors.append(f"HTTP {r.status_code}: {r.text[:300]}")
            done += 1
            if progress:
                progress.update(done)

    t0 = time.perf_counter()
    try:
        await asyncio.gather(*(worker(c) for c in clients))
    finally:
        for c in clients:
            await c.aclose()
    seconds = time.perf_counter() - t0
    if progress:
        progress.close(done)
    if errors:
        raise RuntimeError(f"{len(errors)} of {len(bodies)} create requests failed, e.g. {errors[0]}")
    return [i for i in ids if i], seconds


# ---------------------------------------------------------------- workers

def start_worker(env: dict[str, str], name: str, log_path: Path) -> subprocess.Popen:
    return subprocess.Popen([CLI, "worker", "--name", name], env=env, cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=log_path.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)


def stop_workers(procs: list[subprocess.Popen]) -> list[int | None]:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    codes = []
    deadline = time.monotonic() + 30
    for proc in procs:
        try:
            codes.append(proc.wait(max(0.1, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            proc.kill()
            codes.append(proc.wait(10))
    return codes


def worker_log_summary(text: str) -> dict[str, Any]:
    swept = [int(n) for n in re.findall(r"sweep re-deferred (\d+) publishing jobs", text)]
    requeued = [int(n) for n in re.findall(r"re-queued (\d+) jobs of workers that stopped", text)]
    summary = {"sweep_redeferred_jobs": sum(swept), "sweep_runs_that_deferred": len(swept),
               "stalled_jobs_requeued": sum(requeued), "tracebacks": text.count("Traceback (most recent call last)"),
               "error_lines": len(re.findall(r"\b(ERROR|CRITICAL)\b", text)),
               "unhandled_task_exceptions": text.count("Task exception was never retrieved"),
               "retry_unique_violations": text.count("procrastinate_retry_job_v2")}
    # With --worker-log-level INFO: every job's outcome (procrastinate's status, the handler's answer).
    statuses = Counter(re.findall(r"ended with status: ([A-Za-z ,]+?), lasted", text))
    results = Counter(re.sub(r"\S+/\S+: ", "", m).strip() for m in re.findall(r"Result: ([^\n\"]+)", text))
    if statuses:
        summary["job_statuses"] = dict(statuses.most_common())
        summary["job_results"] = dict(results.most_common(10))
    return summary


# ---------------------------------------------------------------- procrastinate's claim, with no work

async def raw_claims(pool: asyncpg.Pool, n: int, connections: int, worker_ids: list[int], finish: bool) -> dict:
    """n due jobs in a scratch queue, claimed by `connections` loops of procrastinate_fetch_job_v2
    (and, with `finish`, each finished and deleted as a successful job is) until none is left."""
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM procrastinate_jobs WHERE queue_name = $1", SCRATCH_QUEUE)
        await conn.execute(
            "SELECT procrastinate_defer_jobs_v1(ARRAY(SELECT ROW($1::varchar, 'bench_noop'::varchar, 0, NULL::text, "
            "NULL::text, '{}'::jsonb, now() - interval '1 second')::procrastinate_job_to_defer_v1 "
            "FROM generate_series(1, $2)))", SCRATCH_QUEUE, n)
    claimed = Counter()
    fetch = "SELECT * FROM procrastinate_fetch_job_v2($1::varchar[], $2)"

    async def loop(k: int) -> None:
        wid = worker_ids[k % len(worker_ids)]
        async with pool.acquire() as conn:
            while True:
                row = await conn.fetchrow(fetch, [SCRATCH_QUEUE], wid)
                if row is None or row["id"] is None:
                    return
                if finish:
                    await conn.execute("SELECT procrastinate_finish_job_v1($1, 'succeeded', true)", row["id"])
                claimed[k] += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(loop(k) for k in range(connections)))
    seconds = time.perf_counter() - t0
    total = sum(claimed.values())
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM procrastinate_jobs WHERE queue_name = $1", SCRATCH_QUEUE)
    return {"jobs": n, "claimed": total, "connections": connections, "seconds": round(seconds, 3),
            "per_s": round(total / seconds, 1) if seconds > 0 else None}


async def bench_raw_claims(location: DatabaseLocation, n: int, workers: int, concurrency: int,
                           max_connections: int) -> dict:
    wide = min(workers * concurrency, max_connections)
    pool = await asyncpg.create_pool(host=location.host, port=location.port, user=location.user,
                                     password=location.password or None, database=location.dbname,
                                     min_size=wide, max_size=wide)
    try:
        async with pool.acquire() as conn:
            ids = [await conn.fetchval("SELECT procrastinate_register_worker_v1()") for _ in range(workers)]
        try:
            await raw_claims(pool, min(n, 200), wide, ids, finish=False)  # warm-up

            async def median(connections: int, finish: bool) -> dict:
                tries = [await raw_claims(pool, n, connections, ids, finish) for _ in range(REPEATS)]
                return sorted(tries, key=lambda r: r["per_s"] or 0)[REPEATS // 2] | {
                    "per_s_of_each_try": [r["per_s"] for r in tries]}

            claim = await median(wide, False)
            serial = await median(workers, False)
            with_finish = await median(wide, True)
        finally:
            async with pool.acquire() as conn:
                await conn.execute("UPDATE procrastinate_jobs SET worker_id = NULL WHERE worker_id = ANY($1::bigint[])", ids)
                for wid in ids:
                    await conn.execute("SELECT procrastinate_unregister_worker_v1($1)", wid)
    finally:
        await pool.close()
    return {"claim": claim, "claim_one_fetch_per_worker": serial, "claim_and_finish": with_finish}


# ---------------------------------------------------------------- one run: W workers

ACTIVITY_SQL = """
SELECT CASE WHEN state = 'active' THEN coalesce(wait_event_type || ':' || wait_event, 'CPU') END AS what,
       count(*) AS n, sum(count(*)) OVER ()::int AS total
FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() GROUP BY 1"""
LOCK_WAITS_SQL = """
SELECT coalesce(l.relation::regclass::text, l.locktype) || ' ' || l.mode AS what, count(*) AS n
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = $1 GROUP BY 1"""


async def pg_pool(location: DatabaseLocation, size: int = 3) -> asyncpg.Pool:
    return await asyncpg.create_pool(host=location.host, port=location.port, user=location.user,
                                     password=location.password or None, database=location.dbname,
                                     min_size=1, max_size=size)


async def run_once(args: argparse.Namespace, server: DatabaseLocation, workers: int, tmp: Path,
                   postmaster_pid: int | None) -> dict[str, Any]:
    t_run = time.perf_counter()
    phases: dict[str, float] = {}
    failures: list[str] = []
    warnings: list[str] = []
    name = f"pw_bench_pub_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server.libpq_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    location = server.with_dbname(name)
    run_dir = Path(tempfile.mkdtemp(prefix=f"w{workers}-", dir=tmp))
    data_dir = run_dir / "data"
    data_dir.mkdir()
    worker_log = run_dir / "workers.log"
    procs: list[subprocess.Popen] = []
    sim = sim_task = api = api_task = None
    container = None
    pool = None
    control = None
    user = None
    result: dict[str, Any] = {"workers": workers}
    try:
        t = time.perf_counter()
        log(f"[W={workers}] database {location.describe()}: migrating ...")
        await asyncio.to_thread(migrate, location)
        pool = await pg_pool(location)
        phases["migrate"] = time.perf_counter() - t

        # 1. the simulator
        t = time.perf_counter()
        state = seeded_state()
        sim_port = free_port()
        sim, sim_task = await serve(create_simulator_app(state), sim_port)
        sim_url = f"http://127.0.0.1:{sim_port}"
        control = httpx.AsyncClient(base_url=f"{sim_url}/_control", timeout=30)
        rate_limits = raise_rate_limits(state)

        # 2. the app
        api_port = free_port()
        settings = Settings(database_url=location.libpq_url(), data_dir=data_dir, frontend_dir=run_dir / "no-ui",
                            simulator_url=sim_url, public_url=f"http://127.0.0.1:{api_port}")
        container = build_container(settings, location)
        from dependency_injector import providers

        from adapters.identity.password_hasher import Argon2PasswordHasher

        # Cheap hashing: sign-up is not what is measured (as in the integration tests).
        container.hasher.override(providers.Singleton(Argon2PasswordHasher, time_cost=1, memory_cost=1024,
                                                      parallelism=1))
        api, api_task = await serve(create_app(container, settings, background=True, close_container=False), api_port)
        user = await sign_up(f"http://127.0.0.1:{api_port}")
        channels: dict[str, list[dict]] = {"bluesky": [], "mastodon": []}
        run_tag = uuid.uuid4().hex[:6]
        for i in range(args.channels):
            if i % 2 == 0:
                channels["bluesky"].append(await connect_bluesky(user, control, f"bench{i}-{run_tag}.bsky.social"))
            else:
                channels["mastodon"].append(await connect_mastodon(user, control, f"bench{i}_{run_tag}"))
        for platform_name in PLATFORMS:
            r = await control.put(f"/faults/{platform_name}", json={"latency_ms": args.latency_ms})
            r.raise_for_status()
        phases["setup"] = time.perf_counter() - t
        log(f"[W={workers}] simulator {sim_url} ({args.latency_ms} ms on {', '.join(PLATFORMS)}), app on port "
            f"{api_port}, {len(channels['bluesky'])} Bluesky + {len(channels['mastodon'])} Mastodon channels")

        # 3. warm-up (due tomorrow), then N targets due at T
        t = time.perf_counter()
        tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
        cold = make_plan(2 * args.create_concurrency, channels, tomorrow, 0, f"cold{run_tag}")
        warm = make_plan(2 * args.warmup, channels, tomorrow, 0, f"warm{run_tag}")

        def as_bodies(plan: Plan) -> list[dict]:
            return [{"text": p["text"], "channel_ids": [c["id"] for c in p["channels"]],
                     "schedule_at": naive_utc(p["due"]), "timezone": "UTC"} for p in plan.posts]

        await create_posts(user, as_bodies(cold), args.create_concurrency, None)  # first requests: not timed
        _, warm_seconds = await create_posts(user, as_bodies(warm), args.create_concurrency, None)
        rate = len(warm.posts) / warm_seconds
        n_posts = (args.targets + 1) // 2
        create_estimate = n_posts / rate
        boot_allowance = 2.0 + 1.0 * workers  # measured: 1.3 s for one worker, 3-4 s for four on 2 cores
        lead = 1.3 * create_estimate + boot_allowance + 2.0
        due = (datetime.now(timezone.utc) + timedelta(seconds=lead)).replace(microsecond=0) + timedelta(seconds=1)
        tag = f"pub{run_tag}"
        plan = make_plan(args.targets, channels, due, args.spread_seconds, tag)
        log(f"[W={workers}] warm-up: {len(warm.posts)} posts at {rate:.0f}/s; {plan.targets} targets "
            f"({len(plan.posts)} posts) due at {due.isoformat()} (in {lead:.0f}s)")
        api_cpu = CpuMeter([os.getpid()])
        api_cpu.start()
        post_ids, create_seconds = await create_posts(user, as_bodies(plan), args.create_concurrency,
                                                      "create + schedule")
        api_cpu.stop()
        created_at = datetime.now(timezone.utc)
        phases["create"] = time.perf_counter() - t

        # wait until every target's publishing job is queued (the projection defers them)
        t = time.perf_counter()
        jobs = 0
        while time.perf_counter() - t < 60:
            async with pool.acquire() as conn:
                jobs = await conn.fetchval(
                    "SELECT count(*) FROM procrastinate_jobs WHERE queue_name = 'publishing' AND status = 'todo' "
                    "AND args->>'post_id' = ANY($1::text[])", post_ids)
            if jobs >= plan.targets:
                break
            await asyncio.sleep(0.2)
        jobs_wait = time.perf_counter() - t
        if jobs < plan.targets:
            failures.append(f"only {jobs} of {plan.targets} publishing jobs were queued")
        # The API is not needed any more: stop it so that this process holds only the simulator.
        await stop_server(api, api_task)
        api = api_task = None
        await shutdown(container)
        container = None

        # 4. the workers
        t = time.perf_counter()
        env = {**os.environ, "POSTWIZARD_DATABASE_URL": location.libpq_url(), "POSTWIZARD_DATA_DIR": str(data_dir),
               "POSTWIZARD_SIMULATOR_URL": sim_url, "POSTWIZARD_WORKER_CONCURRENCY": str(args.concurrency),
               "POSTWIZARD_LOG_LEVEL": args.worker_log_level}
        if args.db_pool_size:
            env["POSTWIZARD_DB_POOL_SIZE"] = str(args.db_pool_size)
        procs = [start_worker(env, f"bench-w{workers}-{i}", worker_log) for i in range(workers)]
        registered = 0
        while time.perf_counter() - t < 60:
            async with pool.acquire() as conn:
                registered = await conn.fetchval("SELECT count(*) FROM procrastinate_workers")
            if registered >= workers or any(p.poll() is not None for p in procs):
                break
            await asyncio.sleep(0.1)
        ready_at = datetime.now(timezone.utc)
        boot_seconds = time.perf_counter() - t
        if registered < workers:
            failures.append(f"only {registered} of {workers} workers registered "
                            f"(exit codes {[p.poll() for p in procs]}); see the log tail")
        margin = (due - ready_at).total_seconds()
        if (due - created_at).total_seconds() < 0:
            failures.append(f"creating the targets ended {-(due - created_at).total_seconds():.1f}s after T")
        if margin < 0:
            failures.append(f"the workers were ready {-margin:.1f}s after T")
        log(f"[W={workers}] jobs queued ({jobs}) in {jobs_wait:.1f}s; {workers} worker(s) registered in "
            f"{boot_seconds:.1f}s; T in {margin:.1f}s")

        # 5. measure from T
        expected = {(c["platform"], c["sandbox_handle"], p["text"]): p["due"] for p in plan.posts for c in p["channels"]}
        records: dict[tuple[str, str, str], list[datetime]] = {}
        seen = 0
        unmatched: list[str] = []  # records of this run's posts that match no target (must stay empty)
        worker_cpu = CpuMeter([p.pid for p in procs])
        pg_cpu = CpuMeter([postmaster_pid], with_children=True) if postmaster_pid else None
        own_cpu = CpuMeter([os.getpid()])
        await asyncio.sleep(max(0.0, (due - datetime.now(timezone.utc)).total_seconds() - 0.5))
        for meter in (worker_cpu, pg_cpu, own_cpu):
            if meter:
                meter.start()
        progress = Progress(f"publish (W={workers})", plan.targets)
        deadline = time.monotonic() + max(0.0, (due - datetime.now(timezone.utc)).total_seconds()) + args.timeout
        last_progress = time.monotonic()
        recorded_all_at: datetime | None = None
        app_states: Counter = Counter()
        next_state_poll = 0.0
        samples, connections_max, waits, lock_waits = 0, 0, Counter(), Counter()
        while True:
            posts = state.posts
            for post in posts[seen:]:
                key = (post.platform, post.handle, post.text)
                if key in expected:
                    records.setdefault(key, []).append(post.created_at)
                    last_progress = time.monotonic()
                elif tag in post.text:
                    unmatched.append(f"{post.platform} {post.handle}: {post.text[:80]}")
            seen = len(posts)
            now_m = time.monotonic()
            if now_m >= next_state_poll:
                next_state_poll = now_m + 0.5
                async with pool.acquire() as conn:
                    rows = await conn.fetch("SELECT state, count(*) AS n FROM calendar_entries "
                                            "WHERE workspace_id = $1 AND preview LIKE $2 GROUP BY state",
                                            uuid.UUID(user.workspace_id), f"%{tag}%")
                    activity = await conn.fetch(ACTIVITY_SQL, name)
                    for r in await conn.fetch(LOCK_WAITS_SQL, name):
                        lock_waits[r["what"]] += r["n"]
                app_states = Counter({r["state"]: r["n"] for r in rows})
                samples += 1
                for r in activity:
                    connections_max = max(connections_max, r["total"])
                    if r["what"]:
                        waits[r["what"]] += r["n"]
                if recorded_all_at is None and app_states["published"] >= plan.targets:
                    recorded_all_at = datetime.now(timezone.utc)
            progress.update(len(records), f"app: {app_states['published']} recorded")
            if len(records) >= plan.targets and recorded_all_at is not None:
                break
            if now_m > deadline:
                failures.append(f"timeout: {len(records)} of {plan.targets} targets published after {args.timeout}s")
                break
            if now_m - last_progress > args.stall_seconds and datetime.now(timezone.utc) > due:
                failures.append(f"stalled: no new publish for {args.stall_seconds}s "
                                f"({len(records)} of {plan.targets} published)")
                break
            if all(p.poll() is not None for p in procs):
                failures.append(f"every worker exited (codes {[p.poll() for p in procs]})")
                break
            await asyncio.sleep(0.1)
        progress.close(len(records))
        for meter in (worker_cpu, pg_cpu, own_cpu):
            if meter:
                meter.stop()
        async with pool.acquire() as conn:
            max_connections = int(await conn.fetchval("SHOW max_connections"))
            connections_now = await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = $1", name)

        # 6. stop the workers
        t = time.perf_counter()
        exit_codes = stop_workers(procs)
        phases["stop_workers"] = time.perf_counter() - t
        procs = []
        async with pool.acquire() as conn:  # after a graceful stop, what is left: not run yet, or stuck
            leftover = {r["status"]: r["n"] for r in await conn.fetch(
                "SELECT status::text, count(*) AS n FROM procrastinate_jobs WHERE queue_name = 'publishing' "
                "AND args->>'post_id' = ANY($1::text[]) GROUP BY status", post_ids)}
        log_text = worker_log.read_text(errors="replace")
        if args.keep_logs:
            args.keep_logs.mkdir(parents=True, exist_ok=True)
            shutil.copy(worker_log, args.keep_logs / f"workers-w{workers}.log")
        log_summary = worker_log_summary(log_text)
        if any(code not in (0, None) for code in exit_codes):
            failures.append(f"worker exit codes {exit_codes}")

        # the judge: the simulator's records
        lateness = sorted((min(at) - expected[key]).total_seconds() for key, at in records.items())
        duplicates = sum(1 for at in records.values() if len(at) > 1)
        missed = len(expected) - len(records)
        last = max((min(at) for at in records.values()), default=None)
        first = min((min(at) for at in records.values()), default=None)
        span = (last - due).total_seconds() if last else None
        throughput = len(records) / span if span and span > 0 else None
        ceiling = workers * args.concurrency / (args.latency_ms / 1000) if args.latency_ms else None
        n90 = math.ceil(0.9 * len(expected))
        p90_span = lateness[n90 - 1] if len(lateness) >= n90 else None  # due at T: when 90% were out
        if duplicates:
            failures.append(f"{duplicates} targets were published more than once")
        # Not failures of the run, but what the numbers above rest on.
        if connections_max >= max_connections - 1:
            warnings.append(f"the database reached max_connections ({max_connections}) during the run")
        if log_summary["tracebacks"]:
            warnings.append(f"{log_summary['tracebacks']} tracebacks in the worker logs "
                            f"({log_summary['unhandled_task_exceptions']} unhandled in procrastinate's job tasks)")
        if leftover.get("doing"):
            warnings.append(f"{leftover['doing']} publishing jobs stayed in 'doing' after the workers stopped")
        if log_summary["sweep_redeferred_jobs"]:
            warnings.append(f"the sweep re-deferred {log_summary['sweep_redeferred_jobs']} publishing jobs during the "
                            "run (targets its safety net found overdue or stuck)")
        if missed:
            failures.append(f"{missed} targets were never published")

        # procrastinate's own claim rate, same database, nothing else running
        t = time.perf_counter()
        log(f"[W={workers}] raw claim: {args.targets} due jobs in a scratch queue ...")
        async with pool.acquire() as conn:
            max_conn = int(await conn.fetchval("SHOW max_connections"))
            in_use = await conn.fetchval("SELECT count(*) FROM pg_stat_activity")
        raw = await bench_raw_claims(location, args.targets, workers, args.concurrency,
                                     max(workers, min(workers * args.concurrency, max_conn - in_use - 5)))
        phases["raw_claim"] = time.perf_counter() - t

        result.update({
            "throughput_per_s": round(throughput, 1) if throughput else None,
            "throughput_first_90pct_per_s": (round(n90 / p90_span, 1) if p90_span and p90_span > 0
                                             and not args.spread_seconds else None),
            "lateness_ms": {"p50": ms(percentile(lateness, 50)), "p90": ms(percentile(lateness, 90)),
                            "p99": ms(percentile(lateness, 99)), "max": ms(lateness[-1] if lateness else None),
                            "min": ms(lateness[0] if lateness else None)},
            "duplicates": duplicates, "missed": missed, "published": len(records),
            "unmatched_records": len(unmatched), "unmatched_samples": unmatched[:3],
            "ceiling_per_s": round(ceiling, 1) if ceiling else None,
            "throughput_share_of_ceiling": round(throughput / ceiling, 3) if throughput and ceiling else None,
            "lateness_floor_at_ceiling_ms": (round(1000 * len(expected) / ceiling, 1)
                                             if ceiling and not args.spread_seconds else None),
            "raw_claim_per_s": raw["claim"]["per_s"],
            "raw_claim_one_fetch_per_worker_per_s": raw["claim_one_fetch_per_worker"]["per_s"],
            "raw_claim_and_finish_per_s": raw["claim_and_finish"]["per_s"],
            "seconds": round(span, 2) if span is not None else None,
            "first_publish_after_T_ms": ms((first - due).total_seconds()) if first else None,
            "recorded_all_s": round((recorded_all_at - due).total_seconds(), 2) if recorded_all_at else None,
            "goal_met": goal_met(args, workers, throughput, lateness, duplicates, missed),
            "app_states_at_end": dict(app_states),
            "jobs_left_after_stop": leftover,
            "setup": {"posts": len(plan.posts), "channels": {k: len(v) for k, v in channels.items()},
                      "due": due.isoformat(), "spread_seconds": args.spread_seconds,
                      "warmup_posts_due_tomorrow": len(cold.posts) + len(warm.posts), "create_per_s": round(len(plan.posts) / create_seconds, 1),
                      "create_seconds": round(create_seconds, 2),
                      "created_before_T_s": round((due - created_at).total_seconds(), 2),
                      "jobs_queued_wait_s": round(jobs_wait, 2), "workers_boot_s": round(boot_seconds, 2),
                      "workers_ready_before_T_s": round(margin, 2), "simulator_rate_limits": rate_limits},
            "cpu_ms_per_publish": {
                "workers": per_item_ms(worker_cpu.result, len(records)),
                "postgres": per_item_ms(pg_cpu.result if pg_cpu else None, len(records)),
                "simulator": per_item_ms(own_cpu.result, len(records)),
                "api_per_target_created": per_item_ms(api_cpu.result, plan.targets),
                "note": "from T until every target is published and shown by the read model, per published target; "
                        "the API's while creating, per target "
                        "(this process: the API and its HTTP client)"},
            "cpu_per_wall_second": {"workers_total": worker_cpu.per_wall_second(),
                                    "postgres": pg_cpu.per_wall_second() if pg_cpu else None,
                                    "this_process_simulator": own_cpu.per_wall_second(),
                                    "window_s": round(worker_cpu.seconds, 2)},
            "db_connections": {"at_end": connections_now, "max_sampled": connections_max},
            # pg_stat_activity every 0.5 s: mean number of active sessions per wait event (CPU: not waiting).
            "db_active_sessions_by_wait": {k: round(v / samples, 2) for k, v in waits.most_common(8)} if samples else {},
            # pg_locks at the same moments: mean number of sessions waiting, per lock (relation or kind, mode).
            "db_lock_waits": {k: round(v / samples, 2) for k, v in lock_waits.most_common(5)} if samples else {},
            "worker_log": log_summary | {"exit_codes": exit_codes},
            "raw_claim": raw,
        })
        if failures:
            result["worker_log_tail"] = log_text[-2500:]
    except Exception as exc:
        failures.append(f"{type(exc).__name__}: {exc}"[:1000])
        with contextlib.suppress(OSError):
            result["worker_log_tail"] = worker_log.read_text(errors="replace")[-2500:]
        log(f"[W={workers}] failed: {type(exc).__name__}: {exc}")
    finally:
        if procs:
            stop_workers(procs)
        if user is not None:
            await user.client.aclose()
        if control is not None:
            await control.aclose()
        await stop_server(api, api_task)
        if container is not None:
            await shutdown(container)
        await stop_server(sim, sim_task)
        if pool is not None:
            await pool.close()
        with psycopg.connect(server.libpq_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(run_dir, ignore_errors=True)
        phases["total"] = time.perf_counter() - t_run
        result["phases_seconds"] = {k: round(v, 2) for k, v in phases.items()}
        if failures:
            result["failures"] = failures
        if warnings:
            result["warnings"] = warnings
        brief = {k: result.get(k) for k in ("throughput_per_s", "lateness_ms", "duplicates", "missed", "raw_claim_per_s")}
        log(f"[W={workers}] done in {phases['total']:.0f}s: {json.dumps(brief)}")
    return result


# ---------------------------------------------------------------- main


def source() -> dict[str, Any]:
    """The commit measured, and whether src/ had uncommitted changes."""
    def git(*argv: str) -> str:
        try:
            return subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    return {"commit": git("rev-parse", "--short", "HEAD") or None,
            "src_modified": bool(git("status", "--porcelain", "--", "src"))}


def rerun_command(args: argparse.Namespace) -> str:
    argv = [".venv/bin/python", "benchmarks/publish.py", "--targets", str(args.targets),
            "--workers", ",".join(map(str, args.workers)), "--latency-ms", str(args.latency_ms),
            "--concurrency", str(args.concurrency), "--channels", str(args.channels),
            "--create-concurrency", str(args.create_concurrency), "--warmup", str(args.warmup),
            "--spread-seconds", str(args.spread_seconds), "--timeout", str(args.timeout),
            "--stall-seconds", str(args.stall_seconds)]
    if args.db_pool_size:
        argv += ["--db-pool-size", str(args.db_pool_size)]
    if args.worker_log_level != "WARNING":
        argv += ["--worker-log-level", args.worker_log_level]
    return rerun(argv)


async def main(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    out: dict[str, Any] = {"benchmark": "publish", "machine": machine(), "source": source()}
    tmp = Path(tempfile.mkdtemp(prefix="pw-bench-pub-"))
    handle = None
    runs: list[dict[str, Any]] = []
    try:
        log("starting PostgreSQL ...")
        server, handle, kind = server_location(tmp)
        with psycopg.connect(server.libpq_url(), autocommit=True) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
            max_connections = conn.execute("SHOW max_connections").fetchone()[0]
        out["postgres"] = f"{kind} {version}"
        postmaster_pid = None
        if handle is not None:
            with contextlib.suppress(Exception):
                postmaster_pid = handle.get_pid()
        else:
            postmaster_pid = local_postmaster_pid(server)
        out.update({"targets": args.targets, "latency_ms": args.latency_ms, "concurrency": args.concurrency,
                    "workers": args.workers, "channels": args.channels, "spread_seconds": args.spread_seconds})
        out["config"] = {
            "worker": "`postwizard worker` processes; POSTWIZARD_WORKER_CONCURRENCY=--concurrency, other settings default",
            "worker_poll_interval_s": Settings.model_fields["worker_poll_interval"].default,
            "db_pool_size": args.db_pool_size or Settings.model_fields["db_pool_size"].default,
            # per process: SQLAlchemy engine pool + overflow, event store pool + overflow, procrastinate pool
            "db_connections_per_worker_at_most": 5 * (args.db_pool_size or Settings.model_fields["db_pool_size"].default),
            "projection_interval_s": Settings.model_fields["projection_interval"].default,
            "postgres_max_connections": int(max_connections),
            "simulator": "uvicorn in this process (one event loop), latency injected on every request",
            "api": "uvicorn in this process for setup and creation; stopped once the jobs are queued",
        }
        for w in args.workers:
            runs.append(await run_once(args, server, w, tmp, postmaster_pid))
    finally:
        if handle is not None:
            handle.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    out["runs"] = runs
    met_by = [r["workers"] for r in runs if r.get("goal_met")]
    out["goal"] = {**(BURST_GOAL if not args.spread_seconds else {"p99_lateness_ms_under": SPREAD_GOAL_P99_MS}),
                   "no_duplicates": True, "no_missed": True,
                   "met": bool(met_by), "met_by_workers": met_by}
    out["total_seconds"] = round(time.perf_counter() - started, 2)
    out["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out["rerun"] = rerun_command(args)
    failures = [f"W={r['workers']}: {f}" for r in runs for f in r.get("failures", [])]
    if failures:
        out["failures"] = failures
    print(json.dumps(out, indent=2, default=str))
    bad = any(r.get("duplicates") or r.get("missed") for r in runs) or any("failures" in r for r in runs)
    return 1 if bad else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--targets", type=int, default=2000, help="targets due at T (posts x channels)")
    p.add_argument("--workers", default="1,2", help="worker process counts, one run each")
    p.add_argument("--latency-ms", type=int, default=50, help="latency the simulator adds to every request")
    p.add_argument("--concurrency", type=int, default=20, help="POSTWIZARD_WORKER_CONCURRENCY of each worker")
    p.add_argument("--channels", type=int, default=8, help="sandbox accounts connected (half Bluesky, half Mastodon)")
    p.add_argument("--create-concurrency", type=int, default=8, help="concurrent create-and-schedule requests")
    p.add_argument("--warmup", type=int, default=20, help="warm-up posts (due tomorrow) that also time creation")
    p.add_argument("--spread-seconds", type=float, default=0, help="spread due times evenly over this many "
                                                                  "seconds after T (default 0: every target due at T, "
                                                                  "the 09:00 burst; 60: 'due in the same minute')")
    p.add_argument("--timeout", type=float, default=240, help="seconds after T before a run gives up")
    p.add_argument("--stall-seconds", type=float, default=60, help="give up after this long without a new publish")
    p.add_argument("--db-pool-size", type=int, default=None, help="POSTWIZARD_DB_POOL_SIZE of the workers "
                                                                 "(default: the app's default)")
    p.add_argument("--worker-log-level", default="WARNING", help="POSTWIZARD_LOG_LEVEL of the workers (INFO logs "
                                                                   "every job's outcome; it costs throughput)")
    p.add_argument("--keep-logs", type=Path, default=None, help="copy each run's worker log into this directory")
    args = p.parse_args(argv)
    try:
        args.workers = [int(w) for w in str(args.workers).split(",") if w.strip()]
    except ValueError:
        p.error("--workers takes a comma-separated list of integers, e.g. 1,2,4")
    if not args.workers or min(args.workers) < 1:
        p.error("--workers must list positive counts")
    for name in ("targets", "concurrency", "create_concurrency", "warmup"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.channels < 2:
        p.error("--channels must be at least 2 (one Bluesky, one Mastodon)")
    if args.latency_ms < 0 or args.spread_seconds < 0:
        p.error("--latency-ms and --spread-seconds must not be negative")
    return args


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(asyncio.run(main(parse_args())))
