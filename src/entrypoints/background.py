"""Background loops shared by `serve`, `api` and `worker`."""

from __future__ import annotations

import asyncio
import logging

from entrypoints.container import Container

log = logging.getLogger(__name__)


async def keep_projecting(container: Container, interval: float) -> None:
    """Apply events written by other processes (CLI, workers) so the read tables never lag for long."""
    projector = container.projector()
    while True:
        try:
            await projector.catch_up()
        except Exception:  # keep going: the next run retries the same batch
            log.exception("projection run failed; retrying in %.1fs", interval)
        await asyncio.sleep(interval)
