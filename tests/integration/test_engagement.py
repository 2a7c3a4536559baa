"""Engagement tracking on a real PostgreSQL against the platform simulator: a published target is
tracked, its numbers read on the cadence (a controlled clock here), stored by COPY with its polling
state in one transaction, and answered per target and per post."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from adapters.engagement.tables import engagement_snapshots, engagement_targets
from adapters.shared.clock import ControlledClock
from application.engagement.commands import PollEngagement
from application.engagement.outcomes import ChannelUnusable, NothingDue, Polled
from application.engagement.poll_engagement import PollEngagementHandler
from application.engagement.ports import TargetRead, TrackedTarget
from application.publishing.publish_target import PublishTarget
from domain.engagement.engagement import Counters, Snapshot
from tests.integration.journeys import connect_bluesky, connect_oauth
from tests.integration.users import ApiUser, sign_up


async def published(container, user: ApiUser, channel: dict, text: str) -> tuple[dict, datetime]:
    """A post published on the channel now (its handler called directly, no worker), with its
    tracking row applied; answers the post and the target's publication time."""
    at = datetime.now(timezone.utc) + timedelta(seconds=0.3)
    post = await user.draft([channel["id"]], text, schedule_at=at.isoformat(), timezone="UTC")
    await asyncio.sleep(max(0.0, (at - datetime.now(timezone.utc)).total_seconds()))
    outcome = await container.publish_target()(PublishTarget(uuid.UUID(post["id"]), uuid.UUID(channel["id"])))
    assert type(outcome).__name__ == "Published", outcome
    await container.projector().catch_up()
    async with container.engine().connect() as conn:
        row = (await conn.execute(select(engagement_targets).where(
            engagement_targets.c.post_id == uuid.UUID(post["id"])))).one()
    return post, row.published_at


def poller(container, clock: ControlledClock) -> PollEngagementHandler:
    return PollEngagementHandler(container.engagement_store(), container.token_keeper(), container.platforms(), clock)


async def remote_id(user: ApiUser, post_id: str) -> str:
    return (await user.get(f"/posts/{post_id}")).json()["targets"][0]["remote_id"]


async def test_a_published_target_is_tracked_with_its_first_read_a_minute_later(base_url, container):
    ann = await sign_up(base_url)
    bluesky = await connect_bluesky(ann)
    post, published_at = await published(container, ann, bluesky, f"Tracked {uuid.uuid4().hex[:8]}")
    async with container.engine().connect() as conn:
        row = (await conn.execute(select(engagement_targets).where(
            engagement_targets.c.post_id == uuid.UUID(post["id"])))).one()
    assert row.platform == "bluesky" and row.remote_id == await remote_id(ann, post["id"])
    assert row.next_poll_at == published_at + timedelta(minutes=1)
    assert row.captured_at is None and row.likes is None and row.unchanged == 0

    # Applying the same events again (a replay) tracks nothing twice.
    await container.projector().catch_up()
    async with container.engine().connect() as conn:
        count = await conn.scalar(text("SELECT count(*) FROM engagement_targets WHERE post_id = :p"), {"p": post["id"]})
    assert count == 1


async def test_polls_follow_the_simulator_on_the_cadence_and_back_off_while_nothing_changes(
        base_url, container, control):
    ann = await sign_up(base_url)
    bluesky = await connect_bluesky(ann)
    post, published_at = await published(container, ann, bluesky, f"Counted {uuid.uuid4().hex[:8]}")
    rid = await remote_id(ann, post["id"])
    workspace, channel = uuid.UUID(ann.workspace_id), uuid.UUID(bluesky["id"])
    clock = ControlledClock(published_at + timedelta(seconds=30))
    poll = poller(container, clock)

    assert isinstance(await poll(PollEngagement(workspace, channel)), NothingDue)  # not due for a minute

    await control.post(f"/posts/bluesky/{rid}/counters", json={"likes": 3, "reposts": 1})
    clock.current = published_at + timedelta(minutes=1)
    outcome = await poll(PollEngagement(workspace, channel))
    assert isinstance(outcome, Polled) and (outcome.read, outcome.changed, outcome.failed) == (1, 1, 0)
    assert outcome.next_poll_at == clock.now() + timedelta(minutes=1)

    # Nothing new twice: no new point, the wait doubles (2 then 4 minutes).
    for wait in (timedelta(minutes=2), timedelta(minutes=4)):
        clock.current = outcome.next_poll_at
        outcome = await poll(PollEngagement(workspace, channel))
        assert (outcome.read, outcome.changed) == (1, 0)
        assert outcome.next_poll_at == clock.now() + wait

    # An unlike: kept and flagged, and the cadence is back to every minute.
    await control.post(f"/posts/bluesky/{rid}/counters", json={"likes": 2, "bump": {"replies": 1}})
    clock.current = outcome.next_poll_at
    outcome = await poll(PollEngagement(workspace, channel))
    assert outcome.changed == 1 and outcome.next_poll_at == clock.now() + timedelta(minutes=1)

    view = (await ann.get(f"/posts/{post['id']}/engagement")).json()
    target = view["targets"][0]
    assert target["counters"]["likes"] == 2 and target["counters"]["replies"] == 1
    assert target["counters"]["impressions"] is None  # Bluesky gives none: unknown, not 0
    assert target["flags"] == ["likes:dropped"]
    assert [p["counters"]["likes"] for p in target["series"]] == [3, 2]
    assert datetime.fromisoformat(target["captured_at"]) == clock.now()
    assert datetime.fromisoformat(target["next_poll_at"]) == clock.now() + timedelta(minutes=1)
    assert view["totals"]["likes"] == 2 and view["totals"]["clicks"] is None


async def test_a_rate_limited_or_disconnected_channel_keeps_the_numbers_and_waits(base_url, container, control):
    ann = await sign_up(base_url)
    mastodon = await connect_oauth(ann, "mastodon", "sandbox.social")
    post, published_at = await published(container, ann, mastodon, f"Limited {uuid.uuid4().hex[:8]}")
    workspace, channel = uuid.UUID(ann.workspace_id), uuid.UUID(mastodon["id"])
    clock = ControlledClock(published_at + timedelta(minutes=1))
    poll = poller(container, clock)
    assert (await poll(PollEngagement(workspace, channel))).read == 1

    await control.put("/faults/mastodon", json={"burst_429": 5})
    clock.advance(timedelta(minutes=1))
    outcome = await poll(PollEngagement(workspace, channel))
    assert isinstance(outcome, Polled) and outcome.failed == 1
    async with container.engine().connect() as conn:
        row = (await conn.execute(select(engagement_targets).where(
            engagement_targets.c.post_id == uuid.UUID(post["id"])))).one()
    assert row.error and row.likes == 0 and row.captured_at == published_at + timedelta(minutes=1)
    assert row.next_poll_at > clock.now()
    await control.delete("/faults")

    assert (await ann.post(f"/channels/{mastodon['id']}/disconnect")).status_code == 200
    clock.current = row.next_poll_at
    unusable = await poll(PollEngagement(workspace, channel))
    assert isinstance(unusable, ChannelUnusable) and unusable.targets == 1


async def test_a_batch_is_stored_in_one_transaction_or_not_at_all(container):
    store = container.engagement_store()
    workspace, now = uuid.uuid4(), datetime.now(timezone.utc)
    targets = [TrackedTarget(workspace, uuid.uuid4(), uuid.uuid4(), "bluesky", f"at://r/{i}", now, None, 0)
               for i in range(3)]
    async with container.engine().begin() as conn:
        await conn.execute(engagement_targets.insert(), [
            {"post_id": t.post_id, "channel_id": t.channel_id, "workspace_id": workspace, "platform": t.platform,
             "remote_id": t.remote_id, "published_at": now, "flags": [], "unchanged": 0, "next_poll_at": now}
            for t in targets])
    assert len(await store.due(workspace, targets[0].channel_id, now, 10)) == 1
    assert await store.due(uuid.uuid4(), targets[0].channel_id, now, 10) == []  # another workspace sees nothing

    later = now + timedelta(minutes=1)
    good = [TargetRead(targets[0], later, Snapshot(later, Counters(likes=4), ("quotes:missing",)), 0, later),
            TargetRead(targets[1], later, None, 1, later + timedelta(minutes=2)),
            TargetRead(targets[2], later, None, 1, later + timedelta(minutes=2), "Bluesky is down")]
    await store.save(good)
    async with container.engine().connect() as conn:
        points = (await conn.execute(select(engagement_snapshots).where(
            engagement_snapshots.c.workspace_id == workspace))).all()
        states = {r.post_id: r for r in await conn.execute(select(engagement_targets).where(
            engagement_targets.c.workspace_id == workspace))}
    assert [(p.likes, p.reposts, p.flags) for p in points] == [(4, None, ["quotes:missing"])]
    assert states[targets[0].post_id].likes == 4 and states[targets[0].post_id].changed_at == later
    assert states[targets[1].post_id].captured_at == later and states[targets[1].post_id].unchanged == 1
    assert states[targets[2].post_id].error == "Bluesky is down" and states[targets[2].post_id].captured_at is None

    # A batch whose COPY fails leaves the polling state as it was too.
    broken = TrackedTarget(workspace, targets[0].post_id, targets[0].channel_id, None, None, now, None, 0)  # type: ignore[arg-type]
    after = later + timedelta(minutes=1)
    with pytest.raises(Exception):
        await store.save([TargetRead(targets[1], after, None, 2, after),
                          TargetRead(broken, after, Snapshot(after, Counters(likes=5)), 0, after)])
    async with container.engine().connect() as conn:
        unchanged = await conn.scalar(select(engagement_targets.c.unchanged).where(
            engagement_targets.c.post_id == targets[1].post_id))
        count = await conn.scalar(select(text("count(*)")).select_from(engagement_snapshots).where(
            engagement_snapshots.c.workspace_id == workspace))
    assert unchanged == 1 and count == 1


async def test_a_channels_due_bluesky_posts_are_read_together_and_one_no_longer_shown_fails_alone(
        base_url, container, control):
    ann = await sign_up(base_url)
    bluesky = await connect_bluesky(ann)
    first, published_at = await published(container, ann, bluesky, f"One {uuid.uuid4().hex[:8]}")
    second, _ = await published(container, ann, bluesky, f"Two {uuid.uuid4().hex[:8]}")
    await control.post(f"/posts/bluesky/{await remote_id(ann, first['id'])}/counters", json={"likes": 5})
    async with container.engine().begin() as conn:  # as if the second one were deleted on Bluesky
        await conn.execute(text("UPDATE engagement_targets SET remote_id = remote_id || 'gone' WHERE post_id = :p"),
                           {"p": second["id"]})
    clock = ControlledClock(published_at + timedelta(minutes=5))
    outcome = await poller(container, clock)(PollEngagement(uuid.UUID(ann.workspace_id), uuid.UUID(bluesky["id"])))
    assert isinstance(outcome, Polled) and (outcome.read, outcome.failed) == (1, 1)
    one = (await ann.get(f"/posts/{first['id']}/engagement")).json()["targets"][0]
    two = (await ann.get(f"/posts/{second['id']}/engagement")).json()["targets"][0]
    assert one["counters"]["likes"] == 5 and one["error"] is None
    assert two["counters"]["likes"] is None and "does not show" in two["error"] and two["next_poll_at"]
