"""Exactly once under faults: 500 targets due in the same minute, two real worker processes, one
killed with SIGKILL at random moments and restarted, while the simulator answers 10% of requests
with 5xx, lets 5% time out after accepting them, and throws a burst of 429s. Every target ends
published exactly once (the simulator's record is the judge) or failed with a reason."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import text

from tests.integration.journeys import connect_bluesky, connect_oauth
from tests.integration.users import sign_up

CLI = str(Path(sys.executable).with_name("postwizard"))
POSTS = 250  # x 2 channels = 500 targets


def _worker(settings, name: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "POSTWIZARD_DATABASE_URL": settings.database_url,
           "POSTWIZARD_DATA_DIR": str(settings.data_dir), "POSTWIZARD_SIMULATOR_URL": settings.simulator_url,
           "POSTWIZARD_PLATFORM_TIMEOUT": "3", "POSTWIZARD_LOG_LEVEL": "WARNING"}
    return subprocess.Popen([CLI, "worker", "--name", name], env=env, stdout=log.open("a"), stderr=subprocess.STDOUT)


async def _states(container, tag: str) -> Counter:
    async with container.engine().connect() as conn:
        rows = await conn.execute(text("SELECT state, count(*) FROM calendar_entries WHERE preview LIKE :tag "
                                       "GROUP BY state"), {"tag": f"%{tag}%"})
        return Counter(dict(rows.all()))


async def test_500_targets_two_workers_one_killed_every_target_once_or_failed(base_url, settings, container,
                                                                              control, sim_state, tmp_path):
    rng = random.Random(20261127)
    ann = await sign_up(base_url)
    mastodon = await connect_oauth(ann, "mastodon", "sandbox.social")
    bluesky = await connect_bluesky(ann)
    # The sandbox account's own limit (300 requests per 5 minutes, as on mastodon.social) would pace
    # 500 posts over many minutes; the injected 429 burst below tests rate limiting instead.
    limits = sim_state.platform_data("mastodon")["rate_limits"]
    saved_limits = dict(limits)
    limits.update({name: (1_000_000, window) for name, (_, window) in saved_limits.items()})
    tag = uuid.uuid4().hex[:8]
    due = (datetime.now(timezone.utc) + timedelta(seconds=25)).replace(microsecond=0)
    semaphore = asyncio.Semaphore(8)

    async def create(i: int) -> None:
        async with semaphore:
            r = await ann.post("/posts", {"text": f"{tag} post {i}", "channel_ids": [mastodon["id"], bluesky["id"]],
                                          "schedule_at": (due + timedelta(milliseconds=100 * (i % 300))).isoformat(),
                                          "timezone": "UTC"})
            assert r.status_code == 201, r.text

    await asyncio.gather(*[create(i) for i in range(POSTS)])
    assert sum((await _states(container, tag)).values()) == 2 * POSTS

    for platform in ("mastodon", "bluesky"):
        r = await control.put(f"/faults/{platform}", json={"error_rate": 0.10, "timeout_rate": 0.05,
                                                              "timeout_seconds": 4, "burst_429": 25, "retry_after": 2})
        assert r.status_code == 200

    log = tmp_path / "workers.log"
    steady, victim = _worker(settings, "steady", log), _worker(settings, "victim", log)
    kills = 0
    try:
        await asyncio.sleep(max(0.0, (due - datetime.now(timezone.utc)).total_seconds() - 1))
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            states = await _states(container, tag)
            if states["published"] + states["failed"] == 2 * POSTS:
                break
            if kills < 4 and rng.random() < 0.5:
                await asyncio.sleep(rng.uniform(0.2, 2.5))
                victim.send_signal(signal.SIGKILL)
                victim.wait(10)
                kills += 1
                await asyncio.sleep(rng.uniform(0.2, 1.5))
                victim = _worker(settings, f"victim-{kills}", log)
            await asyncio.sleep(1)
        else:
            raise AssertionError(f"not settled in time: {dict(await _states(container, tag))}\n{log.read_text()[-3000:]}")
    finally:
        await control.delete("/faults")
        limits.update(saved_limits)
        sim_state.platform_data("mastodon")["throttles"].clear()  # later tests start with the account's whole budget
        for proc in (steady, victim):
            proc.send_signal(signal.SIGTERM)
        for proc in (steady, victim):
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()

    assert kills >= 2, "the victim was not killed often enough to prove anything"
    posted = [p for p in (await control.get("/posts")).json() if p["text"].startswith(tag)]
    per_target = Counter((p["platform"], p["text"]) for p in posted)
    assert max(per_target.values()) == 1, [k for k, n in per_target.items() if n > 1]  # none twice

    async with container.engine().connect() as conn:
        views = (await conn.execute(text("SELECT targets FROM post_views WHERE text LIKE :tag"),
                                    {"tag": f"{tag}%"})).scalars().all()
    targets = [t for post in views for t in post]
    assert len(targets) == 2 * POSTS  # none lost
    published = {t["remote_id"] for t in targets if t["state"] == "published"}
    failed = [t for t in targets if t["state"] == "failed"]
    assert all(t["failure"]["reason"] and t["failure"]["fix"] for t in failed)
    assert published == {p["remote_id"] for p in posted}, "the record and the simulator disagree"
    assert len(published) + len(failed) == 2 * POSTS
