"""One event whose projection fails never stops anyone else: it is set aside (with every later
event of its aggregate), its rows are marked stale, the rest of the log and every other workspace
keep flowing, health says degraded, and a replay applies it once the cause is fixed."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime, timezone
from uuid import UUID, uuid4

from sqlalchemy import text

from adapters.campaigns.projection import CampaignProjection
from adapters.publishing.projection import PostProjection
from adapters.shared.database import create_engine
from adapters.shared.event_store import AsyncEventStore, build_application
from adapters.shared.projector import WAITING, Projector
from domain.publishing.post import Post
from tests.integration.users import sign_up

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


class FailsFor:
    """A projection with a bug that only some aggregates hit (as a NUL byte once did)."""

    kind = Post

    def __init__(self, *workspaces: UUID) -> None:
        self.workspaces = set(workspaces)

    async def apply(self, conn, changes) -> None:
        if any(c.aggregate.workspace_id in self.workspaces for c in changes):
            await conn.execute(text("SELECT 1 / 0"))  # a real database error, inside the transaction

    async def mark_stale(self, conn, aggregate_id, stale) -> None:
        pass


async def _history(engine, post_id) -> list[int]:
    async with engine.connect() as conn:
        return list(await conn.scalars(text("SELECT version FROM post_history WHERE post_id = :p ORDER BY version"),
                                       {"p": post_id}))


async def _stale(engine, post_id) -> bool | None:
    async with engine.connect() as conn:
        return await conn.scalar(text("SELECT stale FROM post_views WHERE id = :p"), {"p": post_id})


async def test_a_failing_aggregate_is_set_aside_and_replayed_once_fixed(fresh_database):
    store = AsyncEventStore(build_application(fresh_database.eventsourcing_env()))
    victim_ws, other_ws = uuid4(), uuid4()
    victim = Post.draft(workspace_id=victim_ws, author_id=uuid4(), text="v1",
                        targets=[{"channel_id": str(uuid4()), "platform": "mastodon"}])
    await store.save(victim)
    others = [Post.draft(workspace_id=other_ws, author_id=uuid4(), text=f"other {i}",
                         targets=[{"channel_id": str(uuid4()), "platform": "bluesky"}]) for i in range(3)]
    await store.save(*others)

    failing = FailsFor(victim_ws)
    projector = Projector(build_application(fresh_database.eventsourcing_env()), create_engine(fresh_database),
                          [CampaignProjection(), PostProjection(), failing], batch_size=2)
    try:
        # The victim was created before the bug: its first version is projected.
        projector.projections.remove(failing)
        await projector.catch_up()
        projector.projections.append(failing)
        victim.edit(by=victim.author_id, text="v2")
        await store.save(victim)
        victim.edit(by=victim.author_id, text="v3")
        await store.save(victim)
        later = Post.draft(workspace_id=other_ws, author_id=uuid4(), text="after",
                           targets=[{"channel_id": str(uuid4()), "platform": "x"}])
        await store.save(later)

        position = await projector.catch_up()
        status = await projector.status()
        assert status.position == position == status.head and status.lag == 0  # nothing stalls
        assert status.set_aside == 2
        aside = await projector.set_aside_events()
        assert [(e.aggregate_id, e.version) for e in aside] == [(victim.id, 2), (victim.id, 3)]
        assert "DivisionByZero" in aside[0].error
        assert await _history(projector.engine, later.id) == [1]  # the other workspace kept flowing
        assert await _history(projector.engine, victim.id) == [1]  # no version skipped
        assert await _stale(projector.engine, victim.id) is True

        victim.edit(by=victim.author_id, text="v4")  # a later event waits behind the set-aside ones
        await store.save(victim)
        await projector.catch_up()
        aside = await projector.set_aside_events()
        assert [e.version for e in aside] == [2, 3, 4] and aside[-1].error == WAITING

        still = [o async for o in projector.replay()]  # not fixed yet: stays aside
        assert [(o.aggregate_id, o.events, o.error is not None) for o in still] == [(victim.id, 3, True)]

        projector.projections.remove(failing)  # the fix ships
        replayed = [o async for o in projector.replay()]
        assert [(o.aggregate_id, o.events, o.error) for o in replayed] == [(victim.id, 3, None)]
        assert await _history(projector.engine, victim.id) == [1, 2, 3, 4]  # each applied once
        assert await _stale(projector.engine, victim.id) is False
        assert (await projector.status()).set_aside == 0
        assert [o async for o in projector.replay()] == []

        victim.edit(by=victim.author_id, text="v5")  # and it flows normally again
        await store.save(victim)
        await projector.catch_up()
        assert await _history(projector.engine, victim.id) == [1, 2, 3, 4, 5]
    finally:
        store.close()
        await projector.engine.dispose()
        projector.app.close()


async def _cli(settings, *args: str) -> tuple[int, str]:
    """The real CLI in its own process; awaited, so the app in this event loop keeps serving."""
    env = {**os.environ, "POSTWIZARD_DATABASE_URL": settings.database_url, "POSTWIZARD_DATA_DIR": str(settings.data_dir),
           "COLUMNS": "200"}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "entrypoints.cli.main", *args, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode, output.decode()


async def test_other_workspaces_write_and_read_while_one_is_set_aside(base_url, container, settings):
    victim, other = await sign_up(base_url, "Vic"), await sign_up(base_url, "Otto")
    victim_channel, other_channel = await victim.channel(), await other.channel()
    failing = FailsFor(UUID(victim.workspace_id))
    projector = container.projector()
    projector.projections.append(failing)
    try:
        r = await victim.post("/posts", {"text": "hit by the bug", "channel_ids": [victim_channel]})
        assert r.status_code == 202, r.text  # saved, answered as saved, never as an error
        assert r.json()["stale"] is True
        post_id = r.json()["id"]

        for i in range(3):  # the other workspace is not affected at all
            made = await other.draft([other_channel], text=f"business as usual {i}")
            assert (await other.get(f"/posts/{made['id']}")).json()["text"] == f"business as usual {i}"

        health = await other.client.get("/health")
        assert health.status_code == 503 and health.json()["status"] == "degraded", health.text
        assert health.json()["projections"]["set_aside"] >= 1

        code, shown = await _cli(settings, "projections", "status")
        assert code == 1 and post_id in shown and "DivisionByZero" in shown, shown
    finally:
        projector.projections.remove(failing)

    code, replayed = await _cli(settings, "projections", "replay")
    assert code == 0 and "replayed 1 event(s); 0 aggregate(s) still set aside" in replayed, replayed
    shown = (await victim.get(f"/posts/{post_id}")).json()
    assert shown["text"] == "hit by the bug" and shown["stale"] is False
    assert (await victim.client.get("/health")).status_code == 200
