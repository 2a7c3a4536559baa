"""Real time end to end, on a real PostgreSQL and over sockets: likes raised on the simulator are read
by a poll, stored with a NOTIFY in the same transaction, heard by the API process's one LISTEN
connection and pushed over Server-Sent Events to the members of the post's workspace only; a second
API process delivers too; a client that reconnects with Last-Event-ID gets what it missed; the
listening connection comes back after the database drops it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from adapters.live.postgres_feed import APPLICATION_NAME
from adapters.shared.clock import ControlledClock
from application.engagement.commands import PollEngagement
from application.engagement.outcomes import Polled
from tests.integration.journeys import connect_bluesky
from tests.integration.live import listening
from tests.integration.test_engagement import poller, published, remote_id
from tests.integration.users import ApiUser, sign_up

CLI = str(Path(sys.executable).with_name("postwizard"))
DELIVERY_LIMIT = 2.0  # seconds from the poll to the member's browser


async def _poll_new_likes(container, control, user: ApiUser, channel: dict, post: dict, published_at, likes: int,
                          minutes: int = 1) -> float:
    """Raises the post's likes on the simulator, then polls the channel as a worker does; answers the
    monotonic time the poll started."""
    rid = await remote_id(user, post["id"])
    r = await control.post(f"/posts/bluesky/{rid}/counters", json={"likes": likes})
    assert r.status_code == 200, r.text
    poll = poller(container, ControlledClock(published_at + timedelta(minutes=minutes)))
    started = time.monotonic()
    outcome = await poll(PollEngagement(uuid.UUID(user.workspace_id), uuid.UUID(channel["id"])))
    assert isinstance(outcome, Polled), outcome
    return started


async def test_new_likes_reach_the_members_stream_within_two_seconds_and_no_one_else(base_url, container, control):
    ann, bob = await sign_up(base_url, "Ann"), await sign_up(base_url, "Bob")
    bluesky = await connect_bluesky(ann)
    r = await ann.client.post("/api/auth/tokens", json={"name": "live"})
    assert r.status_code == 201, r.text
    bearer = {"Authorization": f"Bearer {r.json()['token']}"}
    async with httpx.AsyncClient(base_url=base_url) as cookieless, listening(cookieless) as refused:
        assert refused.status == 401

    async with httpx.AsyncClient(base_url=base_url) as cookieless, listening(ann.client) as ann_live, \
            listening(bob.client) as bob_live, listening(cookieless, headers=bearer) as token_live:
        post, published_at = await published(container, ann, bluesky, f"Live {uuid.uuid4().hex[:8]}")
        published_event = await ann_live.wait_for(lambda e: e.data["post_id"] == post["id"] and e.kind == "target",
                                                  DELIVERY_LIMIT, "the target's publishing")
        assert published_event.data == {"workspace_id": ann.workspace_id, "post_id": post["id"],
                                        "channel_id": bluesky["id"]}

        started = await _poll_new_likes(container, control, ann, bluesky, post, published_at, likes=5)
        got = await ann_live.wait_for(lambda e: e.data["post_id"] == post["id"] and e.kind == "metrics",
                                      DELIVERY_LIMIT, "the new likes")
        print(f"likes raised -> poll -> member's SSE client: {got.at - started:.3f}s")
        assert got.at - started < DELIVERY_LIMIT
        await token_live.wait_for(lambda e: e.id == got.id, DELIVERY_LIMIT, "the same event on a token's stream")
        numbers = (await ann.get(f"/posts/{post['id']}/engagement")).json()
        assert numbers["totals"]["likes"] == 5  # the event came after the numbers were committed

        await asyncio.sleep(0.5)  # well past the member's delivery
        assert [e for e in bob_live.events if e.data["workspace_id"] == ann.workspace_id] == []
        assert bob_live.events == []


async def test_a_client_that_reconnects_with_last_event_id_gets_what_it_missed(base_url, container, control):
    ann, bob = await sign_up(base_url, "Ann"), await sign_up(base_url, "Bob")
    bluesky = await connect_bluesky(ann)
    async with listening(ann.client) as before:
        post, published_at = await published(container, ann, bluesky, f"Resumed {uuid.uuid4().hex[:8]}")
        seen = await before.wait_for(lambda e: e.data["post_id"] == post["id"] and e.kind == "target"
                                     and e.id == max(x.id for x in before.of_post(post["id"])), DELIVERY_LIMIT,
                                     "the publishing")
        await asyncio.sleep(0.2)
        last = max(e.id for e in before.events)

    # Away: two changes of the numbers are committed while nobody of the workspace listens.
    await _poll_new_likes(container, control, ann, bluesky, post, published_at, likes=3, minutes=1)
    await _poll_new_likes(container, control, ann, bluesky, post, published_at, likes=4, minutes=2)

    async with listening(ann.client, last_event_id=last) as after, listening(bob.client, last_event_id=0) as other:
        missed = await after.wait_for(lambda e: e.kind == "metrics", DELIVERY_LIMIT, "the missed numbers")
        await asyncio.sleep(0.3)
        assert [(e.kind, e.data["post_id"]) for e in after.events] == [("metrics", post["id"])] * 2
        assert all(e.id > last for e in after.events) and missed.id > seen.id
        assert other.events == []  # resuming from the start gives no other workspace's events

        # Live again: the next change comes as it happens, once.
        await _poll_new_likes(container, control, ann, bluesky, post, published_at, likes=6, minutes=3)
        await after.wait_for(lambda e: len(after.events) == 3, DELIVERY_LIMIT, "the next change")
        assert len({e.id for e in after.events}) == 3


@pytest.fixture
def second_api(database, tmp_path) -> Iterator[str]:
    """Another API process, `postwizard api`, on the same database as the test's server."""
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTWIZARD_")}
    env.update(POSTWIZARD_DATABASE_URL=database.libpq_url(), POSTWIZARD_DATA_DIR=str(tmp_path / "data"),
               POSTWIZARD_FRONTEND_DIR=str(tmp_path), POSTWIZARD_LOG_LEVEL="WARNING")
    log = tmp_path / "api.log"
    proc = subprocess.Popen([CLI, "api", "--port", str(port)], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, log.read_text()
        try:
            httpx.get(f"{url}/health", timeout=1)
            break
        except httpx.HTTPError:
            assert time.monotonic() < deadline, "postwizard api did not come up in 60 s"
            time.sleep(0.1)
    yield url
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


async def test_every_api_process_delivers_to_its_own_clients(base_url, second_api, container, control):
    ann = await sign_up(base_url, "Ann")
    bluesky = await connect_bluesky(ann)
    post, published_at = await published(container, ann, bluesky, f"Everywhere {uuid.uuid4().hex[:8]}")
    async with listening(ann.client) as here, listening(ann.client, base_url=second_api) as there:
        started = await _poll_new_likes(container, control, ann, bluesky, post, published_at, likes=8)
        for name, live in (("this process", here), ("postwizard api", there)):
            got = await live.wait_for(lambda e: e.data["post_id"] == post["id"] and e.kind == "metrics",
                                      DELIVERY_LIMIT, f"the new likes through {name}")
            print(f"likes raised -> poll -> SSE client of {name}: {got.at - started:.3f}s")


async def test_the_listening_connection_comes_back_after_the_database_drops_it(base_url, container, control):
    ann = await sign_up(base_url, "Ann")
    bluesky = await connect_bluesky(ann)
    post, published_at = await published(container, ann, bluesky, f"Dropped {uuid.uuid4().hex[:8]}")
    async with listening(ann.client) as first:
        async with container.engine().begin() as conn:
            dropped = await conn.scalar(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                             "WHERE application_name = :name"), {"name": APPLICATION_NAME})
        assert dropped >= 1
        await asyncio.wait_for(first.ended.wait(), 5)  # the stream ends: its client must resume
    # The browser reconnects (EventSource does so by itself) and is heard once the feed listens again.
    async with listening(ann.client, last_event_id=0) as second:
        started = await _poll_new_likes(container, control, ann, bluesky, post, published_at, likes=2)
        got = await second.wait_for(lambda e: e.data["post_id"] == post["id"] and e.kind == "metrics",
                                    DELIVERY_LIMIT, "the new likes after the reconnection")
        print(f"after the LISTEN connection was dropped: delivered in {got.at - started:.3f}s")
