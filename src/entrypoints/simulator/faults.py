"""Fault injection shared by every simulated platform: latency, 5xx, 429 bursts, downtime, timeouts."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable

from starlette.responses import JSONResponse, Response

from entrypoints.simulator.state import SimulatorState

# Each platform says "rate limited" and "server error" in its own shape.
RateLimitBody = Callable[[int], tuple[dict, dict[str, str]]]


async def before_request(state: SimulatorState, platform: str, handle: str | None, *,
                         rate_limited: RateLimitBody, rng: random.Random = random.Random()) -> Response | None:
    """Apply injected faults before a request is handled; a Response means "answer this instead"."""
    faults = state.faults_for(platform, handle)
    if faults.latency_ms:
        await asyncio.sleep(faults.latency_ms / 1000)
    if faults.down:
        return JSONResponse({"error": "Service Unavailable"}, status_code=503)
    if faults.burst_429 > 0:
        faults.burst_429 -= 1
        body, headers = rate_limited(int(time.time()) + faults.retry_after)
        return JSONResponse(body, status_code=429, headers={"Retry-After": str(faults.retry_after), **headers})
    if faults.error_rate and rng.random() < faults.error_rate:
        return JSONResponse({"error": "Internal Server Error"}, status_code=500)
    return None


async def after_write(state: SimulatorState, platform: str, handle: str | None,
                      rng: random.Random = random.Random()) -> None:
    """A write that was accepted may still never be answered in time: the post exists, the client times out."""
    faults = state.faults_for(platform, handle)
    if faults.timeout_rate and rng.random() < faults.timeout_rate:
        await asyncio.sleep(faults.timeout_seconds)
