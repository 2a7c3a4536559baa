"""Health and the platform rules the UI's counters use."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from adapters.shared.database_probe import database_answers
from domain.shared.platforms import rules_as_json
from entrypoints.api.dependencies import ContainerDep

router = APIRouter(tags=["system"])
DATABASE_TIMEOUT = 2.0  # seconds: a frozen database must not freeze the health check


@router.get("/health")
async def health(c: ContainerDep, request: Request) -> JSONResponse:
    """200 "ok"; 503 "unavailable" when the database does not answer within 2 s; 503 "degraded" when
    the read tables lag the event log, or events are set aside, past the configured thresholds."""
    settings = request.app.state.settings
    try:
        # A fresh connection, dropped on timeout: a pooled one could hang past the deadline on a frozen server.
        await database_answers(c.location(), DATABASE_TIMEOUT)
        async with asyncio.timeout(DATABASE_TIMEOUT):
            projections = await c.projector().status()
    except Exception as exc:  # any failure means not healthy; say which
        reason = "timeout" if isinstance(exc, TimeoutError) else type(exc).__name__
        return JSONResponse({"status": "unavailable", "database": f"error: {reason}"}, status_code=503)
    degraded = (projections.lag > settings.health_max_projection_lag
                or projections.set_aside > settings.health_max_set_aside)
    body = {"status": "degraded" if degraded else "ok", "database": "ok",
            "projections": {"position": projections.position, "lag": projections.lag,
                            "set_aside": projections.set_aside}}
    return JSONResponse(body, status_code=503 if degraded else 200)


@router.get("/api/platforms/rules")
async def platform_rules() -> dict:
    """Each platform's text rules (limit, counting rule, media rules): the UI's counters use these."""
    return rules_as_json()
