"""The procrastinate app and its tasks. Tasks take ids, find their handler in the container, and
report what happened; the handlers decide everything."""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

import procrastinate
from procrastinate.psycopg_connector import PsycopgConnector

from adapters.engagement.poll_queue import POLL_QUEUE, POLL_TASK
from adapters.publishing.job_queue import PUBLISH_QUEUE, PUBLISH_TASK
from adapters.shared.database_url import DatabaseLocation
from application.engagement.commands import PollEngagement
from application.publishing.publish_target import PublishTarget

log = logging.getLogger("postwizard.jobs")


# Job bookkeeping commits without waiting for its WAL flush: after a database crash a lost claim or
# finish only runs a job again, which its handler turns into nothing (it reads the post's state).
# The events that are the truth are saved by the event store, which waits for the flush as always.
_BOOKKEEPING = {"options": "-c synchronous_commit=off"}


def create_job_app(location: DatabaseLocation, pool_size: int = 10) -> procrastinate.App:
    app = procrastinate.App(connector=PsycopgConnector(conninfo=location.libpq_url(), min_size=1, max_size=pool_size,
                                                       kwargs=_BOOKKEEPING))
    app.task(name=PUBLISH_TASK, queue=PUBLISH_QUEUE, pass_context=True,
             retry=procrastinate.RetryStrategy(max_attempts=10, linear_wait=3))(publish_target)
    # No retry: a poll that fails leaves its targets due, and the next scheduler pass defers it again.
    app.task(name=POLL_TASK, queue=POLL_QUEUE, pass_context=True)(poll_engagement)
    return app


async def publish_target(context: procrastinate.JobContext, post_id: str, channel_id: str,
                         due_at: str | None = None) -> str:
    """Called with `adapters.publishing.job_queue.task_arguments`."""
    container = context.additional_context["container"]
    due = datetime.fromisoformat(due_at) if due_at else None
    outcome = await container.publish_target()(PublishTarget(UUID(post_id), UUID(channel_id), due))
    log.info("publish %s/%s: %s", post_id, channel_id, outcome)
    return str(outcome)


async def poll_engagement(context: procrastinate.JobContext, workspace_id: str, channel_id: str) -> str:
    """Called with `adapters.engagement.poll_queue.task_arguments`."""
    container = context.additional_context["container"]
    outcome = await container.poll_engagement()(PollEngagement(UUID(workspace_id), UUID(channel_id)))
    log.info("engagement %s: %s", channel_id, outcome)
    return str(outcome)
