"""Errors mapped once to RFC 9457 problem+json: 422 names the field, 409 names the rule."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from adapters.shared.database_errors import OUTAGE_TYPES, database_unreachable
from application.captions.ports import CaptionModelError, GenerationRateLimited
from application.identity.ports import LoginThrottled
from application.shared.errors import ConcurrencyConflict, Forbidden, NotFound, Unauthenticated
from domain.identity.login_throttle import retry_after_header
from domain.shared.errors import InvalidValue, RuleViolated
from entrypoints.api.dependencies import SavedButNotShown

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"


def problem(status: int, kind: str, title: str, detail: str, headers: dict | None = None, **extra) -> JSONResponse:
    body = {"type": f"/problems/{kind}", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


_MODEL_STATUS = {"not_configured": 503, "rate_limited": 503, "timeout": 504}


def model_problem(exc: CaptionModelError) -> dict:
    """The problem body for a model that could not answer; also sent as an SSE error event."""
    return {"type": f"/problems/model-{exc.kind.replace('_', '-')}", "title": "The caption model could not answer",
            "status": _MODEL_STATUS.get(exc.kind, 502), "detail": f"{exc.message}; {exc.fix}",
            "kind": exc.kind, "fix": exc.fix}


DATABASE_RETRY_AFTER = 5  # seconds


async def database_unavailable(_: Request, exc: Exception):
    """503 while the database cannot be reached (stopped, restarting, frozen, out of connections);
    any other database or OS error is not an outage and stays a 500."""
    if not database_unreachable(exc):
        raise exc
    log.warning("database unreachable, answered 503: %s", type(exc).__name__)  # the text may quote SQL parameters
    return problem(503, "database-unavailable", "The database is unreachable", "the database is unreachable; retry shortly",
                   headers={"Retry-After": str(DATABASE_RETRY_AFTER)})


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SavedButNotShown)
    async def saved_not_shown(_: Request, exc: SavedButNotShown):
        log.error("%s", exc)
        return JSONResponse({"id": str(exc.saved.id), "version": exc.saved.version, "stale": True,
                             "detail": "saved; its view could not be updated yet, so it may look out of date until an "
                                       "operator replays it (`postwizard projections replay`)"}, status_code=202)

    @app.exception_handler(CaptionModelError)
    async def model_failed(_: Request, exc: CaptionModelError):
        body = model_problem(exc)
        headers = {"Retry-After": str(max(1, round(exc.retry_after)))} if exc.retry_after else None
        return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON, headers=headers)

    @app.exception_handler(GenerationRateLimited)
    async def rate_limited(_: Request, exc: GenerationRateLimited):
        return problem(429, "rate-limited", "Too many caption generations", str(exc),
                       headers={"Retry-After": str(max(1, round(exc.retry_after)))}, rule="caption_rate_limit")

    @app.exception_handler(LoginThrottled)
    async def login_throttled(_: Request, exc: LoginThrottled):
        return problem(429, "login-throttled", "Too many login attempts", str(exc),
                       headers={"Retry-After": retry_after_header(exc.retry_after)}, rule="login_throttled")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError):
        errors = [{"field": _field(e["loc"]), "message": e["msg"]} for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, "validation", "The request is invalid", detail, errors=errors)

    @app.exception_handler(InvalidValue)
    async def invalid_value(_: Request, exc: InvalidValue):
        return problem(422, "validation", "The request is invalid", f"{exc.field}: {exc.message}",
                       errors=[{"field": exc.field, "message": exc.message}])

    @app.exception_handler(RuleViolated)
    async def rule_violated(_: Request, exc: RuleViolated):
        return problem(409, "rule-violated", "A business rule refused this", exc.message, rule=exc.rule)

    @app.exception_handler(ConcurrencyConflict)
    async def conflict(_: Request, exc: ConcurrencyConflict):
        return problem(409, "concurrent-modification", "Changed by someone else", str(exc), rule=exc.rule)

    @app.exception_handler(IntegrityError)
    async def integrity(_: Request, exc: IntegrityError):
        log.info("integrity error answered as 409: %s", type(exc.orig).__name__)
        return problem(409, "conflict", "Conflicts with existing data",
                       "this conflicts with something that already exists; reload and try again", rule="unique")

    for outage in OUTAGE_TYPES:
        app.add_exception_handler(outage, database_unavailable)

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound):
        return problem(404, "not-found", "Not found", str(exc))

    @app.exception_handler(Unauthenticated)
    async def unauthenticated(_: Request, exc: Unauthenticated):
        return problem(401, "unauthenticated", "Not logged in", str(exc))

    @app.exception_handler(Forbidden)
    async def forbidden(_: Request, exc: Forbidden):
        return problem(403, "forbidden", "Not allowed", str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException):
        kind = {404: "not-found", 405: "method-not-allowed", 401: "unauthenticated", 403: "forbidden"}.get(
            exc.status_code, "http-error")
        return problem(exc.status_code, kind, str(exc.detail), str(exc.detail), headers=getattr(exc, "headers", None))
