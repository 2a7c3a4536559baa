"""Projections apply each event exactly once, even when the process dies between event and projection
or in the middle of projecting."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from uuid import uuid4

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from adapters.campaigns.projection import CampaignProjection
from adapters.publishing.projection import PostProjection
from adapters.shared.database import create_engine
from adapters.shared.event_store import AsyncEventStore, build_application
from adapters.shared.projector import Projector
from domain.publishing.post import Post

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


class LosesItsConnection:
    """Runs after the real projections in the same transaction, then its database session dies
    (the database's fault, not the event's: nothing is set aside, the batch is retried)."""

    kind = Post

    async def apply(self, conn, changes) -> None:
        await conn.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))

    async def mark_stale(self, conn, aggregate_id, stale) -> None:
        pass


async def _write_posts(location, count: int, edits: int = 2) -> list[Post]:
    store = AsyncEventStore(build_application(location.eventsourcing_env()))
    posts = []
    for i in range(count):
        post = Post.draft(workspace_id=uuid4(), author_id=uuid4(), text=f"post {i}",
                          targets=[{"channel_id": str(uuid4()), "platform": "mastodon"}])
        for e in range(edits):
            post.edit(by=post.author_id, text=f"post {i} edit {e}")
        await store.save(post)
        posts.append(post)
    store.close()
    return posts


async def _applied(engine) -> tuple[int, int, int]:
    async with engine.connect() as conn:
        history = await conn.scalar(text("SELECT count(*) FROM post_history"))
        views = await conn.scalar(text("SELECT coalesce(sum(version), 0) FROM post_views"))
        position = await conn.scalar(text("SELECT coalesce(max(position), 0) FROM projection_tracking"))
    return history, views, position


@pytest.fixture
async def projectors(fresh_database):
    """Builds projectors on the test's database, each as a separate process would; closes them all."""
    built: list[Projector] = []

    def build(*extra, batch_size=500) -> Projector:
        app = build_application(fresh_database.eventsourcing_env())
        built.append(Projector(app, create_engine(fresh_database), [CampaignProjection(), PostProjection(), *extra],
                               batch_size=batch_size))
        return built[-1]

    yield build
    for projector in built:
        await projector.engine.dispose()
        projector.app.close()


async def test_events_saved_before_a_crash_are_projected_once_on_restart(fresh_database, projectors):
    posts = await _write_posts(fresh_database, 20)  # saved, never projected: the process "died" here
    events = sum(p.version for p in posts)
    projector = projectors(batch_size=7)  # several batches
    assert await projector.catch_up() == events
    assert await _applied(projector.engine) == (events, events, events)
    assert await projectors().catch_up() == events  # a second run applies nothing again
    assert await _applied(projector.engine) == (events, events, events)


async def test_a_crash_inside_the_projection_rolls_back_then_applies_once(fresh_database, projectors):
    posts = await _write_posts(fresh_database, 5)
    events = sum(p.version for p in posts)
    crashing = projectors(LosesItsConnection())
    with pytest.raises(DBAPIError):
        await crashing.catch_up()
    assert await _applied(crashing.engine) == (0, 0, 0)  # neither rows nor position survived
    assert await projectors().catch_up() == events
    assert await _applied(crashing.engine) == (events, events, events)


async def test_sigkill_mid_projection_then_restart_applies_each_event_once(fresh_database, projectors):
    posts = await _write_posts(fresh_database, 10)
    events = sum(p.version for p in posts)
    proc = subprocess.Popen([sys.executable, "-m", "tests.integration.stalled_projector", fresh_database.libpq_url()],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    try:
        assert proc.stdout.readline().strip() == "stalling", proc.stderr.read()
        deadline = time.monotonic() + 10
        with psycopg.connect(fresh_database.libpq_url(), autocommit=True) as conn:
            while not conn.execute("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%%'"
                                   " AND datname = current_database()").fetchone()[0]:
                assert time.monotonic() < deadline, "the projector never reached its stall"
                await asyncio.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    projector = projectors()
    assert await projector.catch_up() == events
    assert await _applied(projector.engine) == (events, events, events)


async def test_concurrent_catch_ups_apply_each_event_once(fresh_database, projectors):
    posts = await _write_posts(fresh_database, 30, edits=1)
    events = sum(p.version for p in posts)
    many = [projectors(batch_size=5) for _ in range(4)]
    await asyncio.gather(*[p.catch_up() for p in many])
    assert await _applied(many[0].engine) == (events, events, events)
