"""Running a worker: procrastinate plus the loops, in this process, until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from entrypoints.background import keep_projecting
from entrypoints.container import Container
from entrypoints.worker import loops

log = logging.getLogger("postwizard.worker")

HEARTBEAT_INTERVAL = 2.0
STALLED_AFTER = 8.0
ENGAGEMENT_PASS = 5.0  # seconds between the scheduler's passes (the finest cadence step is a minute)


async def run_worker(container: Container, *, install_signal_handlers: bool, name: str = "worker") -> None:
    """Runs until cancelled (or, with signal handlers, until SIGINT/SIGTERM). On stop, jobs in
    flight get `graceful_timeout` seconds to finish; procrastinate releases the rest."""
    settings = container.settings()
    job_app = container.job_app()
    async with job_app.open_async():
        side = [
            asyncio.create_task(keep_projecting(container, settings.projection_interval)),
            asyncio.create_task(loops.every(5, lambda: loops.sweep(container), "sweep")),
            asyncio.create_task(loops.every(STALLED_AFTER, lambda: loops.recover_stalled_jobs(container, STALLED_AFTER),
                                            "stalled-job recovery")),
            asyncio.create_task(loops.every(60, lambda: loops.refresh_tokens(container), "token refresh")),
            asyncio.create_task(loops.every(ENGAGEMENT_PASS, lambda: loops.defer_due_polls(container), "engagement polls")),
            asyncio.create_task(loops.every(300, lambda: loops.prune_live_events(container), "live events pruning")),
        ]
        try:
            await job_app.run_worker_async(
                queues=["publishing", "engagement"],  # publishing's jobs have the higher priority
                concurrency=settings.worker_concurrency, name=name,
                fetch_job_polling_interval=settings.worker_poll_interval, update_heartbeat_interval=HEARTBEAT_INTERVAL,
                stalled_worker_timeout=STALLED_AFTER, shutdown_graceful_timeout=20,
                install_signal_handlers=install_signal_handlers, additional_context={"container": container},
                delete_jobs="successful")
        finally:
            for task in side:
                task.cancel()
            for task in side:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
