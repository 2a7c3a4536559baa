"""The event store on real PostgreSQL: round trip, optimistic concurrency, one 409 for two racing edits."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from uuid import uuid4

import pytest

from application.shared.errors import ConcurrencyConflict
from domain.campaigns.campaign import Campaign
from domain.publishing.post import Post
from tests.integration.users import sign_up


async def test_round_trip_keeps_every_value(container):
    store = container.event_store()
    campaign = Campaign.plan(workspace_id=uuid4(), created_by=uuid4(), name="Autumn", objective="Leads",
                             starts_on=date(2026, 9, 1), ends_on=date(2026, 11, 30),
                             brand_voice={"tone": "dry", "banned_words": ["cheap"]}, utm={"utm_source": "pw"})
    campaign.activate(by=campaign.created_by)
    await store.save(campaign)
    loaded = await store.get(campaign.id, Campaign)
    assert (loaded.version, loaded.status, loaded.starts_on, loaded.brand_voice, loaded.utm_defaults) == (
        2, campaign.status, date(2026, 9, 1), campaign.brand_voice, {"utm_source": "pw"})

    post = Post.draft(workspace_id=uuid4(), author_id=uuid4(), text="Hi", targets=[
        {"channel_id": str(uuid4()), "platform": "bluesky"}])
    post.schedule(by=post.author_id, at=datetime.fromisoformat("2030-01-01T08:00:00+00:00"), timezone="Europe/Paris",
                  local_time=datetime(2030, 1, 1, 9, 0), now=datetime.fromisoformat("2026-01-01T00:00:00+00:00"))
    await store.save(post)
    again = await store.get(post.id, Post)
    assert again.local_time == datetime(2030, 1, 1, 9, 0) and again.scheduled_at == post.scheduled_at
    assert [t.state for t in again.targets.values()] == [t.state for t in post.targets.values()]


async def test_two_writers_of_one_version_one_wins(container):
    store = container.event_store()
    campaign = Campaign.plan(workspace_id=uuid4(), created_by=uuid4(), name="Race")
    await store.save(campaign)
    first, second = await store.get(campaign.id, Campaign), await store.get(campaign.id, Campaign)
    first.update(by=campaign.created_by, name="Mine")
    second.update(by=campaign.created_by, name="Yours")
    await store.save(first)
    with pytest.raises(ConcurrencyConflict):
        await store.save(second)
    assert (await store.get(campaign.id, Campaign)).name == "Mine"


async def test_concurrent_edits_through_the_api_give_exactly_one_409(base_url):
    ann = await sign_up(base_url)
    campaign = await ann.campaign()
    for round_ in range(5):
        version = (await ann.get(f"/campaigns/{campaign['id']}")).json()["version"]
        responses = await asyncio.gather(*[
            ann.patch(f"/campaigns/{campaign['id']}", {"objective": f"edit {round_}-{i}"},
                      headers={"If-Match": f'"{version}"'}) for i in range(2)])
        assert sorted(r.status_code for r in responses) == [200, 409]
        loser = next(r for r in responses if r.status_code == 409)
        assert loser.headers["content-type"] == "application/problem+json"
        assert loser.json()["rule"] == "concurrent_modification"
        assert (await ann.get(f"/campaigns/{campaign['id']}")).json()["version"] == version + 1


async def test_events_commit_in_the_order_their_notification_ids_were_issued(container, database):
    """A save waits while an earlier save holds ids that are not yet committed, so the projector, which reads
    past its position, can never pass an id that commits later."""
    import psycopg

    from adapters.shared.event_recorder import ServerCommitRecorder

    store = container.event_store()
    assert isinstance(store.app.recorder, ServerCommitRecorder)
    early = Campaign.plan(workspace_id=uuid4(), created_by=uuid4(), name="Early")
    late = Campaign.plan(workspace_id=uuid4(), created_by=uuid4(), name="Late")
    recorder = store.app.recorder
    with psycopg.connect(database.libpq_url()) as slow:  # not autocommit: its save stays open until commit()
        stored = [store.app.mapper.to_stored_event(e) for e in early.collect_events()]
        held = slow.execute(recorder.append_statement, (
            [s.originator_id for s in stored], [s.originator_version for s in stored], [s.topic for s in stored],
            [s.state for s in stored], [0 for _ in stored])).fetchone()[1]
        waiting = asyncio.create_task(store.save(late))
        await asyncio.sleep(0.5)
        assert not waiting.done(), "a save committed while an earlier id was still uncommitted"
        slow.commit()
        position = await asyncio.wait_for(waiting, 10)
    assert position > held
    assert [n.originator_id for n in recorder.select_notifications(held, 10)] == [early.id, late.id]


async def test_saves_waiting_together_are_written_in_one_call_and_refused_one_by_one(container, database):
    """Saves that queue behind a write go in the next call together (one lock, one WAL flush), and a save that
    lost its version race is refused alone: the others of its call are stored whole."""
    import psycopg

    store = container.event_store()
    campaigns = [Campaign.plan(workspace_id=uuid4(), created_by=uuid4(), name=f"C{i}") for i in range(12)]
    for campaign in campaigns:
        await store.save(campaign)
    loaded = [await store.get(c.id, Campaign) for c in campaigns]
    rival = await store.get(campaigns[0].id, Campaign)
    for i, campaign in enumerate(loaded):
        campaign.update(by=campaign.created_by, name=f"renamed {i}")
    rival.update(by=rival.created_by, name="rival")
    listener = psycopg.connect(database.libpq_url(), autocommit=True)
    listener.execute("LISTEN postwizard_events")  # each call of the event store notifies once, when it commits
    with psycopg.connect(database.libpq_url()) as blocker:  # holds the lock, so the saves below queue up
        blocker.execute("LOCK TABLE postwizard_events IN EXCLUSIVE MODE")
        saves = [asyncio.create_task(store.save(c)) for c in [rival, *loaded]]
        await asyncio.sleep(0.5)
        blocker.commit()
        results = await asyncio.gather(*saves, return_exceptions=True)
    # the rival and campaigns[0]'s rename save the same version: whichever was queued first wins, the other is refused
    refused = [isinstance(r, ConcurrencyConflict) for r in results[:2]]
    assert sorted(refused) == [False, True] and all(isinstance(r, int) for r in results[2:]), results
    assert (await store.get(campaigns[0].id, Campaign)).name == ("renamed 0" if refused[0] else "rival")
    assert [(await store.get(c.id, Campaign)).name for c in campaigns[1:]] == [f"renamed {i}" for i in range(1, 12)]
    calls = len(list(listener.notifies(timeout=1)))
    listener.close()
    assert 1 <= calls <= len(saves) // 2, f"{calls} calls for {len(saves)} queued saves"  # one each without batching
