"""Health and the platform rules the UI's counters use."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from domain.shared.platforms import rules_as_json
from entrypoints.api.dependencies import ContainerDep

router = APIRouter(tags=["system"])


@router.get("/health")
async def health(c: ContainerDep) -> JSONResponse:
    """200 when the database answers, 503 (with the reason) when it does not."""
    try:
        async with c.engine().connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means not healthy; say which
        return JSONResponse({"status": "unavailable", "database": f"error: {type(exc).__name__}"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


@router.get("/api/platforms/rules")
async def platform_rules() -> dict:
    """Each platform's text rules (limit, counting rule, media rules): the UI's counters use these."""
    return rules_as_json()
