"""Publishing end to end: connect sandbox channels through the simulator, schedule, and watch a
real worker publish each target exactly once, or fail it with the reason and the fix."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from adapters.shared.clock import ControlledClock
from application.publishing.outcomes import Idle, NothingDone, Published
from application.publishing.publish_target import PublishTarget, PublishTargetHandler
from domain.publishing.states import TargetState
from entrypoints.simulator.mastodon import DEFAULT_CONFIGURATION
from entrypoints.worker.run import run_worker
from tests.integration.journeys import connect_bluesky, connect_oauth
from tests.integration.users import ApiUser, sign_up


@pytest.fixture
async def worker(container):
    """A publishing worker in this process, for the test's duration."""
    task = asyncio.create_task(run_worker(container, install_signal_handlers=False, name="test-worker"))
    yield task
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def wait_for_targets(user: ApiUser, post_id: str, done=("published", "failed"), timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        post = (await user.get(f"/posts/{post_id}")).json()
        if all(t["state"] in done for t in post["targets"]):
            return post
        assert time.monotonic() < deadline, f"targets still {[t['state'] for t in post['targets']]}"
        await asyncio.sleep(0.2)


def soon(seconds: float = 1.5) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).isoformat()


async def test_connect_schedule_and_publish_exactly_once_on_mastodon_bluesky_and_x(base_url, worker, control):
    ann = await sign_up(base_url)
    mastodon = await connect_oauth(ann, "mastodon", "sandbox.social")
    bluesky = await connect_bluesky(ann)
    x = await connect_oauth(ann, "x")
    assert {c["health"] for c in (mastodon, bluesky, x)} == {"ok"}

    text = f"Spring launch {uuid.uuid4().hex[:8]}"
    post = await ann.draft([mastodon["id"], bluesky["id"], x["id"]], text, schedule_at=soon(), timezone="UTC")
    scheduled_at = datetime.fromisoformat(post["scheduled_at"].replace("Z", "+00:00"))
    done = await wait_for_targets(ann, post["id"])
    assert {t["platform"]: t["state"] for t in done["targets"]} == {"mastodon": "published", "bluesky": "published",
                                                                      "x": "published"}
    assert all(t["url"] and t["remote_id"] for t in done["targets"])

    posted = [p for p in (await control.get("/posts")).json() if p["text"] == text]
    assert sorted(p["platform"] for p in posted) == ["bluesky", "mastodon", "x"]  # once each
    lateness = [(datetime.fromisoformat(p["created_at"]) - scheduled_at).total_seconds() for p in posted]
    assert all(-0.6 < late < 3 for late in lateness), lateness

    events = [h["event"] for h in done["history"]]
    assert events.count("PublishAttemptStarted") == 3 and events.count("TargetPublished") == 3


async def test_a_refused_token_fails_that_target_with_the_fix_while_the_other_publishes(base_url, worker, control):
    ann = await sign_up(base_url)
    mastodon = await connect_oauth(ann, "mastodon", "sandbox.social")
    bluesky = await connect_bluesky(ann)
    await control.put("/faults/mastodon", json={"auth_fail": True})
    text = f"One of two {uuid.uuid4().hex[:8]}"
    post = await ann.draft([mastodon["id"], bluesky["id"]], text, schedule_at=soon(), timezone="UTC")
    done = await wait_for_targets(ann, post["id"])
    by_platform = {t["platform"]: t for t in done["targets"]}
    assert by_platform["bluesky"]["state"] == "published"
    failed = by_platform["mastodon"]
    assert failed["state"] == "failed" and failed["failure"]["reason"] == "auth_expired"
    assert "Reconnect" in failed["failure"]["fix"]
    channels = {c["id"]: c for c in (await ann.get("/channels")).json()}
    assert channels[mastodon["id"]]["health"] == "needs_reconnect"

    # Reconnect, then retry: it goes out once.
    await control.delete("/faults")
    await connect_oauth(ann, "mastodon", "sandbox.social")
    r = await ann.post(f"/posts/{post['id']}/retry", {"channel_id": mastodon["id"]})
    assert r.status_code == 200, r.text
    done = await wait_for_targets(ann, post["id"])
    assert {t["state"] for t in done["targets"]} == {"published"}
    posted = [p for p in (await control.get("/posts")).json() if p["text"] == text]
    assert sorted(p["platform"] for p in posted) == ["bluesky", "mastodon"]


async def test_an_unanswered_call_is_reconciled_not_reposted(base_url, worker, control):
    ann = await sign_up(base_url)
    bluesky = await connect_bluesky(ann)
    await control.put("/faults/bluesky", json={"timeout_rate": 1.0, "timeout_seconds": 4})
    text = f"Did it land {uuid.uuid4().hex[:8]}"
    post = await ann.draft([bluesky["id"]], text, schedule_at=soon(), timezone="UTC")
    await wait_for_targets(ann, post["id"], done=("unconfirmed", "published"), timeout=20)
    await control.delete("/faults")
    done = await wait_for_targets(ann, post["id"], timeout=30)
    assert done["targets"][0]["state"] == "published"
    assert [h["event"] for h in done["history"]].count("TargetUnconfirmed") == 1
    assert len([p for p in (await control.get("/posts")).json() if p["text"] == text]) == 1


async def test_edit_reschedule_or_cancel_one_second_before_never_sends_the_old_version(base_url, worker, control):
    ann = await sign_up(base_url)
    bluesky = await connect_bluesky(ann)
    tag = uuid.uuid4().hex[:8]
    edited = await ann.draft([bluesky["id"]], f"old words {tag}", schedule_at=soon(2.0), timezone="UTC")
    moved = await ann.draft([bluesky["id"]], f"moved {tag}", schedule_at=soon(2.0), timezone="UTC")
    cancelled = await ann.draft([bluesky["id"]], f"cancelled {tag}", schedule_at=soon(2.0), timezone="UTC")
    await asyncio.sleep(1.0)
    assert (await ann.patch(f"/posts/{edited['id']}", {"text": f"new words {tag}"})).status_code == 200
    later = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
    assert (await ann.post(f"/posts/{moved['id']}/reschedule", {"at": later, "timezone": "UTC"})).status_code == 200
    assert (await ann.post(f"/posts/{cancelled['id']}/cancel", {})).status_code == 200

    done = await wait_for_targets(ann, edited["id"])
    assert done["targets"][0]["state"] == "published"
    await asyncio.sleep(2.0)  # well past the old time of the other two
    texts = [p["text"] for p in (await control.get("/posts")).json() if tag in p["text"]]
    assert texts == [f"new words {tag}"]
    assert (await ann.get(f"/posts/{moved['id']}")).json()["targets"][0]["state"] == "scheduled"
    assert (await ann.get(f"/posts/{cancelled['id']}")).json()["targets"][0]["state"] == "cancelled"


async def test_a_dst_change_between_scheduling_and_publishing_keeps_the_chosen_wall_clock_time(
        base_url, container, control):
    """Scheduled in winter time for a morning after the clocks go forward: it goes out at 09:00 Paris
    (07:00 UTC), not at 08:00 UTC as the offset of the scheduling day would say."""
    ann = await sign_up(base_url)
    bluesky = await connect_bluesky(ann)
    text = f"After the clocks change {uuid.uuid4().hex[:8]}"
    post = await ann.draft([bluesky["id"]], text, schedule_at="2027-03-28T09:00", timezone="Europe/Paris")
    assert post["scheduled_at"] == "2027-03-28T07:00:00Z"  # CEST, UTC+2, on the day itself (scheduled in CET)

    clock = ControlledClock(datetime(2027, 3, 28, 6, 59, 58, tzinfo=timezone.utc))
    publish = PublishTargetHandler(container.event_store(), container.uow(), container.platforms(),
                                   container.token_keeper(), clock, container.ids(), container.media_store(),
                                   container.images(), container.job_queue())
    due = datetime(2027, 3, 28, 7, 0, tzinfo=timezone.utc)
    job = PublishTarget(uuid.UUID(post["id"]), uuid.UUID(bluesky["id"]), due)
    assert await publish(job) == NothingDone(Idle.NOT_DUE, until=due)
    clock.current = due
    assert isinstance(await publish(job), Published)
    assert await publish(job) == NothingDone(Idle.SETTLED, TargetState.PUBLISHED)  # a duplicate job does nothing
    posted = [p for p in (await control.get("/posts")).json() if p["text"] == text]
    assert len(posted) == 1


async def test_tokens_the_platform_expired_are_refreshed_and_the_post_still_goes_out(base_url, worker, control):
    """X's access token dies early (as after a revocation of the access token only): the worker
    refreshes with the refresh token, keeps the new pair, and publishes once."""
    ann = await sign_up(base_url)
    x = await connect_oauth(ann, "x")
    r = await control.post("/tokens/expire", json={"platform": "x", "kind": "access"})
    assert r.json()["expired"] >= 1
    text = f"Fresh tokens {uuid.uuid4().hex[:8]}"
    post = await ann.draft([x["id"]], text, schedule_at=soon(), timezone="UTC")
    done = await wait_for_targets(ann, post["id"])
    assert done["targets"][0]["state"] == "published", done["targets"][0]
    assert len([p for p in (await control.get("/posts")).json() if p["text"] == text]) == 1
    channel = next(c for c in (await ann.get("/channels")).json() if c["id"] == x["id"])
    assert channel["health"] == "ok"


def png(width: int = 2, height: int = 1) -> bytes:
    """A real, tiny PNG."""
    import struct
    import zlib

    raw = b"".join(b"\x00" + b"\x00\x80\xff" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


async def test_an_uploaded_image_goes_out_with_the_post(base_url, worker, control):
    ann = await sign_up(base_url)
    bluesky = await connect_bluesky(ann)
    r = await ann.client.post(ann.url("/media"), files={"file": ("sky.png", png(), "image/png")},
                              data={"alt": "a blue sky"})
    assert r.status_code == 201, r.text
    ref = r.json()["ref"]
    assert r.json()["mime_type"] == "image/png"
    r = await ann.client.post(ann.url("/media"), files={"file": ("notes.txt", b"not an image", "image/png")})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"

    text = f"With a picture {uuid.uuid4().hex[:8]}"
    post = await ann.draft([bluesky["id"]], text, media=[ref], schedule_at=soon(), timezone="UTC")
    done = await wait_for_targets(ann, post["id"])
    assert done["targets"][0]["state"] == "published", done["targets"][0]
    posted = [p for p in (await control.get("/posts")).json() if p["text"] == text]
    assert len(posted) == 1 and len(posted[0]["media_ids"]) == 1


async def test_the_sweep_redefers_a_target_whose_job_went_missing_and_only_that(base_url, container):
    from sqlalchemy import text as sql

    from entrypoints.worker.loops import sweep

    ann = await sign_up(base_url)
    bluesky = await connect_bluesky(ann)
    post = await ann.draft([bluesky["id"]], f"Lost job {uuid.uuid4().hex[:8]}", schedule_at=soon(1), timezone="UTC")
    jobs = sql("SELECT count(*) FROM procrastinate_jobs WHERE args->>'post_id' = :post AND status = 'todo'")
    async with container.engine().begin() as conn:
        assert await conn.scalar(jobs, {"post": post["id"]}) == 1  # deferred with its Scheduled event
        await conn.execute(sql("DELETE FROM procrastinate_jobs WHERE args->>'post_id' = :post"), {"post": post["id"]})
    container.clock.override(ControlledClock(datetime.now(timezone.utc) + timedelta(minutes=2)))
    try:
        async with container.job_app().open_async():
            assert await sweep(container) >= 1
            assert await sweep(container) == 0  # a job is waiting again: nothing more
    finally:
        container.clock.reset_override()
    async with container.engine().connect() as conn:
        assert await conn.scalar(jobs, {"post": post["id"]}) == 1


async def test_a_post_within_its_instances_own_limit_stays_editable_once_scheduled(base_url, sim_state):
    """A Mastodon instance allowing 5,000 characters: what scheduling accepted, editing accepts too."""
    mastodon_data = sim_state.platform_data("mastodon")
    statuses = mastodon_data.setdefault("configuration", copy.deepcopy(DEFAULT_CONFIGURATION))["statuses"]
    statuses["max_characters"] = 5000
    try:
        ann = await sign_up(base_url)
        mastodon = await connect_oauth(ann, "mastodon", "sandbox.social")
    finally:
        statuses["max_characters"] = 500
    assert (mastodon["text_limit"], mastodon["text_limit_reported"]) == (5000, True)
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    post = await ann.draft([mastodon["id"]], "a" * 600, schedule_at=tomorrow, timezone="UTC")
    assert post["status"] == "scheduled"

    edited = await ann.patch(f"/posts/{post['id']}", {"text": "b" * 650})
    assert edited.status_code == 200, edited.text
    variant = await ann.put(f"/posts/{post['id']}/variants/{mastodon['id']}", {"text": "c" * 700})
    assert variant.status_code == 200, variant.text
    assert variant.json()["status"] == "scheduled"

    too_long = await ann.put(f"/posts/{post['id']}/variants/{mastodon['id']}", {"text": "d" * 5001})
    assert too_long.status_code == 409 and too_long.json()["rule"] == "platform_rules.text_too_long", too_long.text
    assert "5000" in too_long.json()["detail"]


async def test_a_worker_runs_its_jobs_at_once(base_url, worker, control):
    """Eight posts due together on a platform answering in one second each go out within about a
    second of one another: the worker runs its jobs concurrently (POSTWIZARD_WORKER_CONCURRENCY), not
    one after another."""
    ann = await sign_up(base_url)
    mastodon = await connect_oauth(ann, "mastodon", "sandbox.social")
    tag = uuid.uuid4().hex[:8]
    due = soon(2)
    assert (await control.put("/faults/mastodon", json={"latency_ms": 1000})).status_code == 200
    try:
        posts = [await ann.draft([mastodon["id"]], f"{tag} at once {i}", schedule_at=due, timezone="UTC")
                 for i in range(8)]
        for post in posts:
            await wait_for_targets(ann, post["id"])
    finally:
        await control.delete("/faults")
    made = sorted(datetime.fromisoformat(p["created_at"]) for p in (await control.get("/posts")).json()
                  if p["text"].startswith(tag))
    assert len(made) == 8
    assert (made[-1] - made[0]).total_seconds() < 3, made  # one after another would take 8 s
