"""Publishing jobs on procrastinate's table: each job once while it waits, its own transaction or
the caller's, with the arguments the `publish_target` task takes."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from adapters.publishing.job_queue import PUBLISH_TASK, TransactionJobQueue
from application.publishing.jobs import PublishJob, ReconcileAttempt, publish_job, recover_job

_WAITING = text("SELECT queueing_lock, args, scheduled_at FROM procrastinate_jobs "
                "WHERE task_name = :task AND args->>'post_id' = :post AND status = 'todo' ORDER BY id")


async def waiting(container, post_id: uuid.UUID) -> list:
    async with container.engine().connect() as conn:
        return (await conn.execute(_WAITING, {"task": PUBLISH_TASK, "post": str(post_id)})).all()


@pytest.fixture
async def post_id(container):
    """A post no table knows; its jobs are deleted after the test, so no worker of a later test runs them."""
    post_id = uuid.uuid4()
    yield post_id
    async with container.engine().begin() as conn:
        await conn.execute(text("DELETE FROM procrastinate_jobs WHERE args->>'post_id' = :post"), {"post": str(post_id)})


async def test_a_job_waits_once_and_each_purpose_is_a_job_of_its_own(container, post_id):
    queue, channel_id = container.job_queue(), uuid.uuid4()
    due = datetime.now(timezone.utc) + timedelta(days=1)
    assert await queue.defer(publish_job(post_id, channel_id, due)) is True
    assert await queue.defer(publish_job(post_id, channel_id, due)) is False  # already waiting
    assert await queue.defer(publish_job(post_id, channel_id, due + timedelta(hours=1))) is True  # a new schedule
    attempt = uuid.uuid4()
    reconcile = PublishJob(post_id, channel_id, ReconcileAttempt(attempt), run_at=due)
    assert await queue.defer(reconcile) is True and await queue.defer(reconcile) is False
    assert await queue.defer(recover_job(post_id, channel_id, due)) is True

    rows = await waiting(container, post_id)
    assert len(rows) == 4 and len({row.queueing_lock for row in rows}) == 4
    first = rows[0]
    assert first.args == {"post_id": str(post_id), "channel_id": str(channel_id), "due_at": due.isoformat()}
    assert first.scheduled_at == due
    assert rows[2].args["due_at"] is None and rows[2].scheduled_at == due  # a reconcile job is for no schedule
    assert rows[3].args["due_at"] is None and rows[3].scheduled_at is None  # a recover job runs at once


async def test_a_job_deferred_in_a_transaction_exists_only_if_it_commits(container, post_id):
    channel_id = uuid.uuid4()
    due = datetime.now(timezone.utc) + timedelta(days=1)
    async with container.engine().connect() as conn:
        async with conn.begin() as tx:
            assert await TransactionJobQueue(conn).defer(publish_job(post_id, channel_id, due)) is True
            assert await TransactionJobQueue(conn).defer(publish_job(post_id, channel_id, due)) is False
            await tx.rollback()
    assert await waiting(container, post_id) == []
    async with container.engine().begin() as conn:
        assert await TransactionJobQueue(conn).defer(publish_job(post_id, channel_id, due)) is True
    assert len(await waiting(container, post_id)) == 1


async def test_job_bookkeeping_does_not_wait_for_the_wal_flush_but_saving_events_does(container):
    """A claim or finish lost to a database crash only runs a job again (its handler then does nothing);
    the events are the truth and keep the server's default."""
    async with container.job_app().open_async() as job_app:
        async with job_app.connector.pool.connection() as conn:
            assert await (await conn.execute("SHOW synchronous_commit")).fetchone() == ("off",)
    async with container.engine().connect() as conn:
        assert await conn.scalar(text("SHOW synchronous_commit")) == "on"
