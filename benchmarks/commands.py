"""Benchmark: schedule-post commands and calendar queries through the real API, beside raw PostgreSQL.

    .venv/bin/python benchmarks/commands.py [--posts 10000] [--schedule-requests 300] [--concurrency 8] [--queries 200]

Prints one JSON document to stdout (progress goes to stderr). Uses the PostgreSQL server at
POSTWIZARD_BENCH_DATABASE_URL when set, else an embedded one in a temporary directory; either way
in a fresh database that is dropped at the end.

Phases:
1. schedule_post: `POST /api/workspaces/{ws}/posts` with `schedule_at` + `timezone` (create and
   schedule in one command), C concurrent clients; each 2xx includes read-your-writes (the
   projector has applied the events), and the calendar is checked to show every post at the end.
2. raw insert: the same write done by asyncpg alone, same concurrency: per post, in one
   transaction, the event rows the command stored (same count, topic and payload bytes) into a
   scratch copy of the event table, plus one calendar_entries row into a scratch copy of it.
   Also once more with the event store's `LOCK TABLE ... IN EXCLUSIVE MODE` (which the
   eventsourcing library takes on every insert to keep notification ids gap-free in order).
3. calendar_query: a workspace seeded with --posts posts through the command handlers
   in-process (no per-command projection wait), then one projector catch-up (500 events a
   batch); then `GET /api/workspaces/{ws}/calendar` for a one-week window, C concurrent clients,
   beside the same SELECT on calendar_entries through asyncpg.

The load generator (httpx) runs in the same process and event loop as the server (uvicorn), as in
the integration tests, so the API figures include the client's own CPU cost.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import logging
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import psycopg  # noqa: E402
import uvicorn  # noqa: E402
from harness import Progress, free_port, log, machine, percentile, rerun, server_location  # noqa: E402, I001

from adapters.shared.database_url import DatabaseLocation  # noqa: E402
from adapters.shared.migrate import migrate  # noqa: E402
from application.identity.commands import ResolveActor  # noqa: E402
from application.publishing.commands import CreateDraftPost  # noqa: E402
from entrypoints.api.app import create_app  # noqa: E402
from entrypoints.container import Container, build_container, shutdown  # noqa: E402
from entrypoints.settings import Settings  # noqa: E402

ZONE = "Europe/Paris"
PLATFORMS = ("mastodon", "bluesky")


# ---------------------------------------------------------------- output helpers


class GcPauses:
    """Full (generation 2) garbage collections in this process and how long they paused it."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._start = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.pauses.append(time.perf_counter() - self._start)


GC = GcPauses()


# ---------------------------------------------------------------- a closed-loop load runner

@dataclass
class LoadResult:
    requests: int
    concurrency: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0
    gc_pauses: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies)
        ok = len(lat)
        return {
            "requests": self.requests, "concurrency": self.concurrency, "ok": ok, "errors": len(self.errors),
            "seconds": round(self.seconds, 3),
            "per_second": round(ok / self.seconds, 1) if self.seconds > 0 else None,
            "p50_ms": round(percentile(lat, 50) * 1000, 2), "p99_ms": round(percentile(lat, 99) * 1000, 2),
            "max_ms": round(lat[-1] * 1000, 2) if lat else None,
            # CPU of this whole process (server + client + driver threads) per wall second: ~1.0 is one core busy.
            "process_cpu_per_wall_second": round(self.cpu_seconds / self.seconds, 2) if self.seconds > 0 else None,
            "full_gc": {"count": len(self.gc_pauses), "max_ms": round(max(self.gc_pauses, default=0) * 1000, 1),
                        "total_ms": round(sum(self.gc_pauses) * 1000, 1)},
        }


async def run_load(label: str, n: int, concurrency: int,
                   op: Callable[[int, int], Awaitable[None]], show: bool = True) -> LoadResult:
    """`n` operations `op(worker, i)` from `concurrency` workers, each starting its next one when done."""
    counter = itertools.count()
    result = LoadResult(n, concurrency, 0.0)
    progress = Progress(label, n) if show else None

    async def worker(w: int) -> None:
        while (i := next(counter)) < n:
            t0 = time.perf_counter()
            try:
                await op(w, i)
            except Exception as e:  # recorded, reported, and the run fails at the end
                result.errors.append(f"{type(e).__name__}: {e}"[:500])
            else:
                result.latencies.append(time.perf_counter() - t0)
            if progress:
                progress.update(len(result.latencies) + len(result.errors))

    gc_before, cpu0, t0 = len(GC.pauses), time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    result.seconds = time.perf_counter() - t0
    result.cpu_seconds = time.process_time() - cpu0
    result.gc_pauses = GC.pauses[gc_before:]
    if progress:
        progress.close(len(result.latencies) + len(result.errors))
    return result


# ---------------------------------------------------------------- database and app



async def asyncpg_pool(location: DatabaseLocation, size: int) -> asyncpg.Pool:
    return await asyncpg.create_pool(host=location.host, port=location.port, user=location.user,
                                     password=location.password or None, database=location.dbname,
                                     min_size=size, max_size=size)


@dataclass
class ApiUser:
    base_url: str
    cookies: httpx.Cookies
    csrf: str
    user_id: str
    workspace_id: str

    def client(self) -> httpx.AsyncClient:
        """A new client (its own keep-alive connection) with the same session."""
        return httpx.AsyncClient(base_url=self.base_url, timeout=60, cookies=self.cookies,
                                 headers={"X-CSRF-Token": self.csrf},
                                 limits=httpx.Limits(max_connections=1, max_keepalive_connections=1))

    def url(self, path: str) -> str:
        return f"/api/workspaces/{self.workspace_id}{path}"


async def sign_up(base_url: str, name: str) -> ApiUser:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
        r = await client.post("/api/auth/signup", json={"email": email, "password": "correct horse battery",
                                                         "name": name, "workspace_name": f"{name}'s team"})
        r.raise_for_status()
        r = await client.post("/api/auth/login", json={"email": email, "password": "correct horse battery"})
        r.raise_for_status()
        body = r.json()
        return ApiUser(base_url, httpx.Cookies(client.cookies), body["csrf_token"], body["user"]["id"],
                       body["workspaces"][0]["id"])


async def add_channels(user: ApiUser) -> list[tuple[str, str]]:
    """(channel id, platform) for one channel per platform in PLATFORMS."""
    out = []
    async with user.client() as client:
        for platform_name in PLATFORMS:
            r = await client.post(user.url("/channels"),
                                  json={"platform": platform_name, "handle": f"@bench-{uuid.uuid4().hex[:8]}"})
            r.raise_for_status()
            out.append((r.json()["id"], platform_name))
    return out


def wall(instant: datetime) -> datetime:
    """The naive wall-clock time of an instant in ZONE (always exists there)."""
    return instant.astimezone(ZoneInfo(ZONE)).replace(tzinfo=None, microsecond=0)


def zulu(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def post_text(i: int) -> str:
    return f"Benchmark post #{i}: launching something new this week, more details soon. #postwizard"


# ---------------------------------------------------------------- phase 1: schedule-post commands via the API

async def bench_schedule(user: ApiUser, channels: list[tuple[str, str]], n: int, concurrency: int,
                         warmup: int) -> tuple[dict[str, Any], list[str], tuple[datetime, datetime]]:
    now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    warm_base = now + timedelta(days=1)
    base = now + timedelta(days=2)  # measured posts spread over [base, base + 7 days)
    window = (base, base + timedelta(days=7))
    step = timedelta(days=7) / max(n, 1)
    clients = [user.client() for _ in range(concurrency)]
    created: list[str] = []

    def body(i: int, at: datetime) -> dict[str, Any]:
        return {"text": post_text(i), "channel_ids": [channels[i % len(channels)][0]],
                "schedule_at": wall(at).isoformat(), "timezone": ZONE}

    async def warm(w: int, i: int) -> None:
        r = await clients[w].post(user.url("/posts"), json=body(i, warm_base + timedelta(minutes=i)))
        if r.status_code != 201:
            raise RuntimeError(f"HTTP {r.status_code}: {r.text[:300]}")

    async def measured(w: int, i: int) -> None:
        r = await clients[w].post(user.url("/posts"), json=body(i, base + i * step))
        if r.status_code != 201:
            raise RuntimeError(f"HTTP {r.status_code}: {r.text[:300]}")
        created.append(r.json()["id"])

    try:
        if warmup:
            await run_load("warm-up", warmup, concurrency, warm, show=False)
        result = await run_load("schedule_post via API", n, concurrency, measured)
    finally:
        for c in clients:
            await c.aclose()
    return result.summary() | {"error_samples": result.errors[:3]}, created, window


async def verify_calendar(user: ApiUser, created: list[str], window: tuple[datetime, datetime]) -> dict[str, Any]:
    async with user.client() as client:
        r = await client.get(user.url("/calendar"), params={"start": zulu(window[0]), "end": zulu(window[1])})
        r.raise_for_status()
        rows = r.json()
    shown = {e["post_id"] for e in rows}
    missing = set(created) - shown
    return {"calendar_entries": len(rows), "all_shown": not missing and len(rows) == len(created),
            "missing": len(missing)}


# ---------------------------------------------------------------- phase 2: the same write, asyncpg alone

async def sample_write(pool: asyncpg.Pool, events_table: str, post_id: str) -> dict[str, Any]:
    """What one schedule-post command stored: its event rows (topic, payload) and its calendar row."""
    async with pool.acquire() as conn:
        events = await conn.fetch(
            f'SELECT originator_version, topic, state FROM "{events_table}" WHERE originator_id = $1 '
            "ORDER BY originator_version", uuid.UUID(post_id))
        calendar = await conn.fetchrow("SELECT * FROM calendar_entries WHERE post_id = $1", uuid.UUID(post_id))
    if not events or calendar is None:
        raise RuntimeError(f"post {post_id} has no stored events or calendar row")
    return {"events": [(e["originator_version"], e["topic"], e["state"]) for e in events],
            "calendar": dict(calendar)}


async def bench_raw_insert(pool: asyncpg.Pool, events_table: str, sample: dict[str, Any], n: int,
                           concurrency: int, warmup: int, lock_table: bool) -> dict[str, Any]:
    ev, cal = "bench_raw_events", "bench_raw_calendar"
    async with pool.acquire() as conn:
        await conn.execute(f"DROP TABLE IF EXISTS {ev}, {cal}")
        # The eventsourcing library's table shape (its DDL, minus the storage parameters).
        await conn.execute(f"CREATE TABLE {ev} (originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
                           "topic text, state bytea, notification_id bigserial, "
                           "PRIMARY KEY (originator_id, originator_version))")
        await conn.execute(f"CREATE UNIQUE INDEX {ev}_notification_id_idx ON {ev} (notification_id ASC)")
        await conn.execute(f"CREATE TABLE {cal} (LIKE calendar_entries INCLUDING ALL)")
    versions = [e[0] for e in sample["events"]]
    topics = [e[1] for e in sample["events"]]
    states = [e[2] for e in sample["events"]]
    c = sample["calendar"]
    base = c["scheduled_at"]
    insert_events = (f"INSERT INTO {ev} (originator_id, originator_version, topic, state) "
                     "SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::bytea[]) "
                     "RETURNING notification_id")
    insert_calendar = (f"INSERT INTO {cal} (post_id, channel_id, workspace_id, campaign_id, platform, "
                       "scheduled_at, timezone, state, preview) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")

    async def write(w: int, i: int) -> None:
        post_id = uuid.uuid4()
        async with pool.acquire() as conn, conn.transaction():
            if lock_table:
                await conn.execute(f"LOCK TABLE {ev} IN EXCLUSIVE MODE")
            await conn.fetch(insert_events, [post_id] * len(versions), versions, topics, states)
            await conn.execute(insert_calendar, post_id, c["channel_id"], c["workspace_id"], c["campaign_id"],
                               c["platform"], base + timedelta(seconds=i), c["timezone"], c["state"], c["preview"])

    try:
        if warmup:
            await run_load("warm-up", warmup, concurrency, write, show=False)
        label = "raw insert, table locked" if lock_table else "raw insert (asyncpg)"
        result = await run_load(label, n, concurrency, write)
    finally:
        async with pool.acquire() as conn:
            await conn.execute(f"DROP TABLE IF EXISTS {ev}, {cal}")
    return result.summary()


# ---------------------------------------------------------------- phase 3: seed a big workspace, query its calendar

async def seed(container: Container, pool: asyncpg.Pool, user: ApiUser, channels: list[tuple[str, str]],
               posts: int, weeks: int, concurrency: int, events_table: str) -> dict[str, Any]:
    """`posts` create-and-schedule commands through the handler (no per-command projection wait),
    spread evenly over `weeks` weeks from next week's Monday; then the projector catches up once."""
    actor = await container.resolve_actor()(ResolveActor(user_id=uuid.UUID(user.user_id),
                                                         workspace_id=uuid.UUID(user.workspace_id)))
    handler = container.create_draft_post()
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    base = today + timedelta(days=7 + (7 - today.weekday()) % 7)  # a Monday, 1-2 weeks ahead
    step = timedelta(weeks=weeks) / posts
    channel_ids = [uuid.UUID(cid) for cid, _ in channels]

    async def create(w: int, i: int) -> None:
        await handler(CreateDraftPost(actor=actor, text=post_text(i), channel_ids=[channel_ids[i % len(channel_ids)]],
                                      schedule_at=wall(base + i * step + timedelta(seconds=17)), timezone=ZONE))

    result = await run_load("seed posts via handlers", posts, concurrency, create)
    if result.errors:
        raise RuntimeError(f"seeding failed {len(result.errors)} times, e.g. {result.errors[0]}")

    async with pool.acquire() as conn:
        last = await conn.fetchval(f'SELECT max(notification_id) FROM "{events_table}"')
        start_position = await conn.fetchval(
            "SELECT position FROM projection_tracking WHERE name = 'read_models'") or 0
    projector = container.projector()
    progress = Progress("project (catch-up)", last - start_position)
    t0 = time.perf_counter()
    task = asyncio.create_task(projector.catch_up())
    while not task.done():
        await asyncio.wait({task}, timeout=0.25)
        async with pool.acquire() as conn:
            position = await conn.fetchval("SELECT position FROM projection_tracking WHERE name = 'read_models'") or 0
        progress.update(position - start_position)
    await task
    progress.close(last - start_position)
    projection_seconds = time.perf_counter() - t0
    async with pool.acquire() as conn:
        rows = await conn.fetchval("SELECT count(*) FROM calendar_entries WHERE workspace_id = $1",
                                   uuid.UUID(user.workspace_id))
    if rows != posts:
        raise RuntimeError(f"after seeding, the calendar holds {rows} entries, expected {posts}")
    # Steady state before measuring: what autovacuum would otherwise do in the middle of the run.
    settle = ["VACUUM (ANALYZE) calendar_entries", "VACUUM (ANALYZE) post_views", "VACUUM (ANALYZE) post_history",
              f'VACUUM (ANALYZE) "{events_table}"', "CHECKPOINT"]
    async with pool.acquire() as conn:
        for statement in settle:
            try:
                await conn.execute(statement)
            except asyncpg.PostgresError as e:  # CHECKPOINT needs superuser or pg_checkpoint
                log(f"  skipped {statement}: {e}")
    return {"posts": posts, "weeks": weeks, "base": base, "seed_concurrency": concurrency,
            "seed_seconds": round(result.seconds, 2),
            "seed_commands_per_second": round(posts / result.seconds, 1),
            "catch_up_seconds": round(projection_seconds, 2),
            "catch_up_events": last - start_position,
            "settled": "VACUUM (ANALYZE) of the read and event tables, then CHECKPOINT, before measuring",
            "note": "catch_up_* covers what the background projection loop had not applied when seeding ended"}


CALENDAR_SQL = ("SELECT post_id, channel_id, platform, campaign_id, scheduled_at, timezone, state, preview "
                "FROM calendar_entries WHERE workspace_id = $1 AND scheduled_at >= $2 AND scheduled_at < $3 "
                "ORDER BY scheduled_at, post_id, channel_id")


async def bench_calendar(user: ApiUser, pool: asyncpg.Pool, window: tuple[datetime, datetime], queries: int,
                         concurrency: int, warmup: int) -> tuple[dict[str, Any], dict[str, Any], int, int]:
    params = {"start": zulu(window[0]), "end": zulu(window[1])}
    clients = [user.client() for _ in range(concurrency)]
    sizes: list[int] = []
    first = await clients[0].get(user.url("/calendar"), params=params)
    first.raise_for_status()
    rows = len(first.json())
    response_bytes = len(first.content)

    async def api(w: int, i: int) -> None:
        r = await clients[w].get(user.url("/calendar"), params=params)
        if r.status_code != 200:
            raise RuntimeError(f"HTTP {r.status_code}: {r.text[:300]}")
        sizes.append(len(r.content))

    workspace_id = uuid.UUID(user.workspace_id)
    raw_rows: list[int] = []

    async def raw(w: int, i: int) -> None:
        async with pool.acquire() as conn:
            raw_rows.append(len(await conn.fetch(CALENDAR_SQL, workspace_id, window[0], window[1])))

    try:
        if warmup:
            await run_load("warm-up", warmup, concurrency, api, show=False)
        sizes.clear()
        api_result = await run_load("calendar via API", queries, concurrency, api)
    finally:
        for c in clients:
            await c.aclose()
    if warmup:
        await run_load("warm-up", warmup, concurrency, raw, show=False)
    raw_rows.clear()
    raw_result = await run_load("calendar SELECT (asyncpg)", queries, concurrency, raw)
    if set(sizes) - {response_bytes}:
        api_result.errors.append(f"response sizes varied: {sorted(set(sizes))[:5]}")
    if set(raw_rows) - {rows}:
        raw_result.errors.append(f"raw SELECT returned {sorted(set(raw_rows))[:5]} rows, API {rows}")
    return (api_result.summary() | {"error_samples": api_result.errors[:3]},
            raw_result.summary() | {"error_samples": raw_result.errors[:3]}, rows, response_bytes)


# ---------------------------------------------------------------- main


def rerun_command(args: argparse.Namespace) -> str:
    argv = [".venv/bin/python", "benchmarks/commands.py", "--posts", str(args.posts),
            "--schedule-requests", str(args.schedule_requests), "--concurrency", str(args.concurrency),
            "--queries", str(args.queries), "--weeks", str(args.weeks), "--seed-concurrency",
            str(args.seed_concurrency), "--warmup", str(args.warmup)]
    return rerun(argv)


def _process(summary: dict[str, Any]) -> dict[str, Any]:
    """Diagnostics of one measurement: how busy this process was, and its full-GC pauses."""
    return {"cpu_per_wall_second": summary["process_cpu_per_wall_second"], "full_gc": summary["full_gc"]}


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 4) if a and b else None


async def main(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    phases: dict[str, float] = {}
    out: dict[str, Any] = {"benchmark": "commands", "machine": machine()}
    failures: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="pw-bench-"))
    server_handle = None
    try:
        t = time.perf_counter()
        log("starting PostgreSQL ...")
        server, server_handle, kind = server_location(tmp)
        name = f"pw_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(server.libpq_url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
            version = conn.execute("SHOW server_version").fetchone()[0]
        out["postgres"] = f"{kind} {version}"
        location = server.with_dbname(name)
        try:
            log(f"database {location.describe()}: migrating ...")
            migrate(location)
            phases["setup"] = time.perf_counter() - t
            await run_with_database(args, location, out, phases, failures)
        finally:
            with psycopg.connect(server.libpq_url(), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            log(f"dropped database {name}")
    finally:
        if server_handle is not None:
            server_handle.cleanup()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    out["phases_seconds"] = {k: round(v, 2) for k, v in phases.items()}
    out["total_seconds"] = round(time.perf_counter() - started, 2)
    out["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out["rerun"] = rerun_command(args)
    if failures:
        out["failures"] = failures
    print(json.dumps(out, indent=2, default=str))
    return 1 if failures else 0


async def run_with_database(args: argparse.Namespace, location: DatabaseLocation, out: dict[str, Any],
                            phases: dict[str, float], failures: list[str]) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="pw-bench-data-"))
    settings = Settings(database_url=location.libpq_url(), data_dir=data_dir, frontend_dir=data_dir / "no-ui",
                        signup="open")
    container = build_container(settings, location)
    from dependency_injector import providers

    from adapters.identity.password_hasher import Argon2PasswordHasher

    # Cheap hashing: sign-up is not what is measured (as in the integration tests).
    container.hasher.override(providers.Singleton(Argon2PasswordHasher, time_cost=1, memory_cost=1024, parallelism=1))
    events_table = container.event_app().recorder.events_table_name
    port = free_port()
    app = create_app(container, settings, background=True, close_container=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="on"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            await serving
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.02)
    base_url = f"http://127.0.0.1:{port}"
    pool = await asyncpg_pool(location, args.concurrency + 2)
    out["app"] = {"server": "uvicorn in-process, background projection loop on", "db_pool_size": settings.db_pool_size,
                  "projection_interval_s": settings.projection_interval, "projector_batch_size":
                  container.projector().batch_size, "client": "httpx.AsyncClient per worker, same event loop"}
    try:
        # 1. schedule-post commands through the API
        t = time.perf_counter()
        log(f"schedule_post: {args.schedule_requests} requests, concurrency {args.concurrency}")
        user = await sign_up(base_url, "Sched")
        channels = await add_channels(user)
        summary, created, window = await bench_schedule(user, channels, args.schedule_requests, args.concurrency,
                                                        args.warmup)
        check = await verify_calendar(user, created, window)
        if summary["errors"]:
            failures.append(f"schedule_post: {summary['errors']} failed requests, e.g. {summary['error_samples']}")
        if not check["all_shown"]:
            failures.append(f"schedule_post: calendar shows {check['calendar_entries']} of {len(created)} posts")
        phases["schedule_post_api"] = time.perf_counter() - t

        # 2. the same write, asyncpg alone
        t = time.perf_counter()
        sample = await sample_write(pool, events_table, created[0])
        log(f"raw insert: {len(sample['events'])} event rows + 1 calendar row per transaction")
        raw = await bench_raw_insert(pool, events_table, sample, args.schedule_requests, args.concurrency,
                                     args.warmup, lock_table=False)
        raw_locked = await bench_raw_insert(pool, events_table, sample, args.schedule_requests, args.concurrency,
                                            args.warmup, lock_table=True)
        for label, r in (("raw insert", raw), ("raw insert locked", raw_locked)):
            if r["errors"]:
                failures.append(f"{label}: {r['errors']} failures")
        phases["raw_insert"] = time.perf_counter() - t
        out["schedule_post"] = {
            "endpoint": "POST /api/workspaces/{ws}/posts with schedule_at + timezone (1 channel per post)",
            "requests": args.schedule_requests, "concurrency": args.concurrency, "warmup": args.warmup,
            "per_second": summary["per_second"], "p50_ms": summary["p50_ms"], "p99_ms": summary["p99_ms"],
            "max_ms": summary["max_ms"], "seconds": summary["seconds"], "errors": summary["errors"],
            "read_your_writes_verified": check,
            "raw_write": (f"asyncpg, one transaction per post: INSERT {len(sample['events'])} event rows "
                          f"(same topics, {sum(len(e[2]) for e in sample['events'])} payload bytes) + "
                          "INSERT 1 calendar_entries row, into scratch copies of the tables"),
            "raw_insert_per_second": raw["per_second"], "raw_p50_ms": raw["p50_ms"], "raw_p99_ms": raw["p99_ms"],
            "ratio": ratio(summary["per_second"], raw["per_second"]),
            "raw_insert_locked_per_second": raw_locked["per_second"],
            "raw_locked_p50_ms": raw_locked["p50_ms"], "raw_locked_p99_ms": raw_locked["p99_ms"],
            "ratio_to_locked": ratio(summary["per_second"], raw_locked["per_second"]),
            "process": {"api": _process(summary), "raw": _process(raw), "raw_locked": _process(raw_locked)},
        }

        # 3. calendar queries on a big workspace
        t = time.perf_counter()
        log(f"calendar: seeding {args.posts} posts over {args.weeks} weeks, concurrency {args.seed_concurrency}")
        big = await sign_up(base_url, "Calendar")
        big_channels = await add_channels(big)
        seeded = await seed(container, pool, big, big_channels, args.posts, args.weeks, args.seed_concurrency,
                            events_table)
        phases["seed"] = time.perf_counter() - t
        t = time.perf_counter()
        week = args.weeks // 2
        window = (seeded["base"] + timedelta(weeks=week), seeded["base"] + timedelta(weeks=week + 1))
        log(f"calendar: {args.queries} queries for {zulu(window[0])} .. {zulu(window[1])}, "
            f"concurrency {args.concurrency}")
        api_q, raw_q, rows, response_bytes = await bench_calendar(big, pool, window, args.queries, args.concurrency,
                                                                  args.warmup)
        for label, r in (("calendar API", api_q), ("calendar raw", raw_q)):
            if r["errors"]:
                failures.append(f"{label}: {r['errors']} failures, e.g. {r['error_samples']}")
        phases["calendar_query"] = time.perf_counter() - t
        out["calendar_query"] = {
            "endpoint": "GET /api/workspaces/{ws}/calendar?start&end (one week)",
            "posts": args.posts, "weeks": args.weeks, "window": [zulu(window[0]), zulu(window[1])],
            "rows_per_query": rows, "response_bytes": response_bytes,
            "queries": args.queries, "concurrency": args.concurrency, "warmup": args.warmup,
            "per_second": api_q["per_second"], "p50_ms": api_q["p50_ms"], "p99_ms": api_q["p99_ms"],
            "max_ms": api_q["max_ms"], "errors": api_q["errors"],
            "raw_select": "asyncpg fetch of the reader's SELECT (same columns, WHERE, ORDER BY)",
            "raw_select_per_second": raw_q["per_second"], "raw_p50_ms": raw_q["p50_ms"],
            "raw_p99_ms": raw_q["p99_ms"],
            "ratio": ratio(api_q["per_second"], raw_q["per_second"]),
            "process": {"api": _process(api_q), "raw": _process(raw_q)},
            "seeding": {k: v for k, v in seeded.items() if k not in ("base", "posts", "weeks")},
        }
    finally:
        await pool.close()
        server.should_exit = True
        await serving
        await shutdown(container)
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--posts", type=int, default=10_000, help="posts in the calendar workspace")
    p.add_argument("--weeks", type=int, default=26, help="weeks the calendar posts are spread over")
    p.add_argument("--schedule-requests", type=int, default=300, help="measured schedule-post requests")
    p.add_argument("--concurrency", type=int, default=8, help="concurrent clients (API and raw)")
    p.add_argument("--queries", type=int, default=200, help="measured calendar queries")
    p.add_argument("--seed-concurrency", type=int, default=8, help="concurrent seeding commands")
    p.add_argument("--warmup", type=int, default=20, help="unmeasured requests before each measurement")
    args = p.parse_args(argv)
    for name in ("posts", "weeks", "schedule_requests", "concurrency", "queries", "seed_concurrency"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.warmup < 0:
        p.error("--warmup must be at least 0")
    return args


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(asyncio.run(main(parse_args())))
