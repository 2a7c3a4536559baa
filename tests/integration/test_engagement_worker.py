"""Engagement end to end through a real `postwizard worker` process: a post is published, likes are
raised on the simulator's control API, a member asks to refresh, and the stored snapshots and the
API's numbers follow. And polling never goes before a due publish on the shared workers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import text

from adapters.engagement.poll_queue import POLL_PRIORITY, POLL_QUEUE, POLL_TASK
from adapters.publishing.job_queue import PUBLISH_QUEUE, PUBLISH_TASK
from tests.integration.journeys import connect_bluesky, connect_oauth
from tests.integration.users import ApiUser, sign_up

CLI = str(Path(sys.executable).with_name("postwizard"))


def _worker(settings, log: Path) -> subprocess.Popen:
    env = {**os.environ, "POSTWIZARD_DATABASE_URL": settings.database_url,
           "POSTWIZARD_DATA_DIR": str(settings.data_dir), "POSTWIZARD_SIMULATOR_URL": settings.simulator_url,
           "POSTWIZARD_PLATFORM_TIMEOUT": "3", "POSTWIZARD_LOG_LEVEL": "INFO"}
    return subprocess.Popen([CLI, "worker", "--name", "engagement"], env=env, stdout=log.open("a"),
                            stderr=subprocess.STDOUT)


async def _until(check, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found:
            return found
        assert time.monotonic() < deadline, f"{what} did not happen in {timeout}s\n{log.read_text()[-3000:]}"
        await asyncio.sleep(0.1)


async def _likes(user: ApiUser, post_id: str, likes: int):
    view = (await user.get(f"/posts/{post_id}/engagement")).json()
    if view["targets"] and all(t["counters"]["likes"] == likes for t in view["targets"]):
        return view
    return None


async def test_likes_raised_on_the_platform_reach_the_snapshots_and_the_api_through_a_worker(
        base_url, settings, container, control, tmp_path):
    ann = await sign_up(base_url)
    channels = [await connect_bluesky(ann), await connect_oauth(ann, "mastodon", "sandbox.social")]
    log = tmp_path / "worker.log"
    worker = _worker(settings, log)
    try:
        at = (datetime.now(timezone.utc) + timedelta(seconds=1)).isoformat()
        post = await ann.draft([c["id"] for c in channels], f"Watch it grow {uuid.uuid4().hex[:8]}",
                               schedule_at=at, timezone="UTC")

        async def tracked():
            view = (await ann.get(f"/posts/{post['id']}/engagement")).json()
            return view if len(view["targets"]) == 2 else None
        view = await _until(tracked, 20, "publishing and tracking", log)
        for target in view["targets"]:
            assert target["captured_at"] is None  # read first a minute after publication, or on request
            published_at = datetime.fromisoformat(target["published_at"])
            assert datetime.fromisoformat(target["next_poll_at"]) == published_at + timedelta(minutes=1)

        for likes in (7, 9):
            for target in view["targets"]:
                r = await control.post(f"/posts/{target['platform']}/{target['remote_id']}/counters", json={"likes": likes})
                assert r.status_code == 200, r.text
            asked = time.monotonic()
            r = await ann.post(f"/posts/{post['id']}/engagement/refresh")
            assert r.status_code == 202 and r.json() == {"targets": 2}, r.text
            view = await _until(lambda likes=likes: _likes(ann, post["id"], likes), 15, f"likes {likes}", log)
            print(f"refresh -> {likes} likes in the API: {time.monotonic() - asked:.2f}s")

        assert view["totals"]["likes"] == 18
        for target in view["targets"]:
            assert [p["counters"]["likes"] for p in target["series"]] == [7, 9]
            assert target["counters"]["impressions"] is None and target["error"] is None
            assert datetime.fromisoformat(target["next_poll_at"]) > datetime.fromisoformat(target["captured_at"])
        async with container.engine().connect() as conn:
            stored = (await conn.execute(text("SELECT platform, likes FROM engagement_snapshots WHERE post_id = :p "
                                              "ORDER BY platform, captured_at"), {"p": post["id"]})).all()
        assert [tuple(r) for r in stored] == [("bluesky", 7), ("bluesky", 9), ("mastodon", 7), ("mastodon", 9)]
    finally:
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()


async def test_a_due_publish_is_taken_before_any_waiting_poll(container):
    """procrastinate hands a free worker the highest priority first, whatever the queue: polls deferred
    earlier still wait behind a publish (checked with procrastinate's own fetch, in a transaction
    rolled back)."""
    async with container.engine().connect() as conn:
        async with conn.begin() as tx:
            defer = text("SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, :priority, NULL, :lock, "
                         "CAST('{}' AS jsonb), NULL)::procrastinate_job_to_defer_v1])")
            for i in range(3):
                await conn.execute(defer, {"queue": POLL_QUEUE, "task": POLL_TASK, "priority": POLL_PRIORITY,
                                           "lock": f"test-poll-{uuid.uuid4()}-{i}"})
            await conn.execute(defer, {"queue": PUBLISH_QUEUE, "task": PUBLISH_TASK, "priority": 0,
                                       "lock": f"test-publish-{uuid.uuid4()}"})
            worker_id = await conn.scalar(text("SELECT worker_id FROM procrastinate_register_worker_v1()"))
            first = (await conn.execute(text("SELECT queue_name FROM procrastinate_fetch_job_v2(:queues, :worker)"),
                                        {"queues": [PUBLISH_QUEUE, POLL_QUEUE], "worker": worker_id})).scalar()
            assert first == PUBLISH_QUEUE
            await tx.rollback()
