"""What a worker process runs beside procrastinate: projections (which defer publishing jobs),
a safety sweep that re-defers anything a crash may have left behind, stalled-job recovery,
token refresh ahead of expiry, the engagement scheduler (a poll for each channel with due targets), and
the pruning of old live events."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from adapters.live.journal import prune
from adapters.publishing.orphans import orphaned_targets
from application.channels.commands import RefreshDueTokens
from application.engagement.commands import DeferDuePolls
from application.publishing.jobs import publish_job, recover_job
from application.publishing.publish_target import ATTEMPT_STALE_AFTER
from entrypoints.container import Container

log = logging.getLogger("postwizard.worker")

OVERDUE_AFTER = timedelta(seconds=30)


async def every(seconds: float, work: Callable[[], Awaitable[object]], name: str) -> None:
    """Run `work` forever, `seconds` apart; a failing run is logged and retried next time."""
    while True:
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed; retrying in %.1fs", name, seconds)
        await asyncio.sleep(seconds)


async def sweep(container: Container) -> int:
    """Re-defer overdue scheduled targets and attempts stuck in publishing/unconfirmed that have
    no job waiting or running. A safety net, not the scheduler: jobs are deferred with their
    events; this catches what a bug or an operator's hand may have removed."""
    overdue, stuck = await orphaned_targets(container.engine(), container.clock().now(), OVERDUE_AFTER,
                                            ATTEMPT_STALE_AFTER)
    queue = container.job_queue()
    deferred = 0
    for post_id, channel_id, due in overdue:
        deferred += await queue.defer(publish_job(post_id, channel_id, due))
    for post_id, channel_id, started in stuck:
        deferred += await queue.defer(recover_job(post_id, channel_id, started))
    if deferred:
        log.warning("sweep re-deferred %d publishing jobs", deferred)
    return deferred


async def recover_stalled_jobs(container: Container, heartbeat_timeout: float) -> int:
    """Jobs whose worker died (no heartbeat) go back to the queue; their handlers find the target
    publishing and reconcile before any new attempt."""
    manager = container.job_app().job_manager
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=heartbeat_timeout))
    for job in stalled:
        await manager.retry_job(job)
    if stalled:
        log.warning("re-queued %d jobs of workers that stopped", len(stalled))
    return len(stalled)


async def refresh_tokens(container: Container) -> int:
    return await container.refresh_due_tokens()(RefreshDueTokens())


async def defer_due_polls(container: Container) -> int:
    return await container.defer_due_polls()(DeferDuePolls())


async def prune_live_events(container: Container) -> int:
    return await prune(container.engine(), container.clock().now())
