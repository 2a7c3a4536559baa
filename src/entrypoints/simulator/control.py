"""The simulator's control API (`/_control`): what was posted, engagement counters, faults, tokens,
and metrics a platform stopped giving.

Tests, demos and benchmarks drive the simulated platforms through it; the adapters never call it.
A post's counters have two sources: the platform's own endpoints (a sandbox account likes, boosts,
replies, quotes) and this API, which stands for everyone outside the simulator. Setting a counter
here sets the total the platform shows; real activity then moves it from there.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import timedelta

from fastapi import APIRouter, HTTPException, Request

from entrypoints.simulator.state import Faults, RemotePost, SimulatorState, now

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
    """Everything posted, in order: the judge of exactly-once (a deleted post stays, with `deleted_at`)."""
    return [{**asdict(p), "created_at": p.created_at.isoformat(),
             "deleted_at": p.deleted_at.isoformat() if p.deleted_at else None,
             "activity": {m: sorted(acts) for m, acts in p.activity.items()}} for p in _state(request).posts
            if (platform is None or p.platform == platform) and (handle is None or p.handle == handle)]


# The normalised metrics each simulated platform gives in its read answers.
METRICS = {"mastodon": ("likes", "reposts", "replies", "quotes"),
           "bluesky": ("likes", "reposts", "replies", "quotes", "bookmarks"),
           "x": ("likes", "reposts", "replies", "quotes", "bookmarks", "impressions")}


def _post(request: Request, platform: str, remote_id: str) -> RemotePost:
    post = _state(request).find_post(platform, remote_id)
    if post is None:
        raise HTTPException(404, f"no {platform} post {remote_id}")
    return post


def _totals(post: RemotePost) -> dict[str, int]:
    return {m: post.count(m) for m in sorted(set(post.counters) | set(post.activity))}


@router.get("/posts/{platform}/{remote_id:path}/counters")
async def get_counters(request: Request, platform: str, remote_id: str) -> dict:
    """The totals the platform shows, and how many of each came through its own endpoints."""
    post = _post(request, platform, remote_id)
    return {**_totals(post), "real": {m: len(acts) for m, acts in post.activity.items()}}


@router.post("/posts/{platform}/{remote_id:path}/counters")
async def set_counters(request: Request, platform: str, remote_id: str, body: dict) -> dict:
    """{"likes": 5, ...} sets the totals shown; {"bump": {"likes": 1}} adds to them. A total below what
    sandbox accounts did through the platform (3 real likes, set to 2) is refused: undo those instead."""
    post = _post(request, platform, remote_id)
    for key, value in body.get("bump", {}).items():
        post.counters[key] = post.counters.get(key, 0) + int(value)
    for key, value in body.items():
        if key == "bump":
            continue
        real = len(post.activity.get(key, ()))
        if int(value) < real:
            raise HTTPException(422, f"{real} {key} came through the platform's own endpoints; "
                                     f"set at least {real}, or undo them there")
        post.counters[key] = int(value) - real
    return _totals(post)


@router.get("/retired")
async def retired(request: Request) -> dict[str, list[str]]:
    return {platform: sorted(metrics) for platform, metrics in _state(request).retired.items()}


@router.put("/retired/{platform}")
async def retire(request: Request, platform: str, body: dict) -> dict:
    """{"metrics": ["impressions"]}: the platform stops giving these (its read answers leave the field
    out, as an API that retired a field does); [] gives them all again. `DELETE /_control/faults` and
    `/_control/reset` give them back too."""
    known = METRICS.get(platform)
    if known is None:
        raise HTTPException(404, f"no simulated platform {platform}; known: {sorted(METRICS)}")
    metrics = body.get("metrics")
    if not isinstance(metrics, list) or not set(metrics) <= set(known):
        raise HTTPException(422, f"metrics must be a list drawn from {list(known)}")
    _state(request).retired[platform] = set(metrics)
    return {"platform": platform, "metrics": sorted(metrics)}


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
    """Every injected misbehaviour goes: faults, and metrics marked retired."""
    _state(request).faults.clear()
    _state(request).retired.clear()
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
    """Forget posts, faults and retired metrics (accounts and tokens stay)."""
    state = _state(request)
    state.posts.clear()
    state.faults.clear()
    state.retired.clear()
    return {"reset": True}
