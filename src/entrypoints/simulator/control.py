"""The simulator's control API (`/_control`): what was posted, engagement counters, faults, tokens.

Tests, demos and benchmarks drive the simulated platforms through it; the adapters never call it.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import timedelta

from fastapi import APIRouter, HTTPException, Request

from entrypoints.simulator.state import Faults, SimulatorState, now

router = APIRouter(prefix="/_control", tags=["control"])


def _state(request: Request) -> SimulatorState:
    return request.app.state.simulator


@router.get("/accounts")
async def accounts(request: Request) -> list[dict]:
    return [asdict(a) for a in _state(request).accounts.values()]


@router.post("/accounts")
async def add_account(request: Request, body: dict) -> dict:
    """{"platform", "handle", "display_name"?, "password"?} -> the sandbox account."""
    account = _state(request).add_account(body["platform"], body["handle"], body.get("display_name"),
                                          **{k: body[k] for k in ("password", "email") if k in body})
    return asdict(account)


@router.get("/posts")
async def posts(request: Request, platform: str | None = None, handle: str | None = None) -> list[dict]:
    """Everything posted, in order: the judge of exactly-once."""
    return [{**asdict(p), "created_at": p.created_at.isoformat()} for p in _state(request).posts
            if (platform is None or p.platform == platform) and (handle is None or p.handle == handle)]


@router.post("/posts/{platform}/{remote_id:path}/counters")
async def set_counters(request: Request, platform: str, remote_id: str, body: dict) -> dict:
    """{"likes": 5, ...} sets counters; {"bump": {"likes": 1}} adds to them."""
    post = _state(request).find_post(platform, remote_id)
    if post is None:
        raise HTTPException(404, f"no {platform} post {remote_id}")
    for key, value in body.get("bump", {}).items():
        post.counters[key] = post.counters.get(key, 0) + int(value)
    for key, value in body.items():
        if key != "bump":
            post.counters[key] = int(value)
    return post.counters


@router.put("/faults/{platform}")
async def set_faults(request: Request, platform: str, body: dict, handle: str | None = None) -> dict:
    """Replace the faults of a platform (or of one account with ?handle=)."""
    allowed = {f.name for f in fields(Faults)}
    unknown = set(body) - allowed
    if unknown:
        raise HTTPException(422, f"unknown fault fields: {sorted(unknown)}; allowed: {sorted(allowed)}")
    faults = Faults(**body)
    _state(request).faults[(platform, handle)] = faults
    return asdict(faults)


@router.delete("/faults")
async def clear_faults(request: Request) -> dict:
    _state(request).faults.clear()
    return {"cleared": True}


@router.post("/tokens/expire")
async def expire_tokens(request: Request, body: dict) -> dict:
    """{"platform", "handle"?, "kind"?: "access"|"refresh"|"all"}: make tokens expire now."""
    count = 0
    for token in _state(request).tokens.values():
        if token.platform == body["platform"] and body.get("handle") in (None, token.handle) \
                and body.get("kind", "access") in ("all", token.kind):
            token.expires_at = now() - timedelta(seconds=1)
            count += 1
    return {"expired": count}


@router.post("/reset")
async def reset(request: Request) -> dict:
    """Forget posts and faults (accounts and tokens stay)."""
    state = _state(request)
    state.posts.clear()
    state.faults.clear()
    return {"reset": True}
