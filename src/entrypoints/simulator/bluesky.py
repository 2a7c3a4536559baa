"""A simulated Bluesky PDS (app-password sessions), mounted at /bluesky: every path is /xrpc/<NSID>.

Faithful to platforms.md section 2 where it matters to a client:
- sessions: createSession / refreshSession / getSession with HS256 JWTs (access 2 h, refresh 90 days;
  a refreshed refresh token is revoked at once, stricter than the real PDS's reuse grace);
- errors in the XRPC envelope {"error", "message"}: an expired access token is **400** ExpiredToken,
  a bad or wrong-kind token 400 InvalidToken, a missing one 401 AuthMissing;
- posts: createRecord validates app.bsky.feed.post (300 graphemes and 3000 UTF-8 bytes of text, reply
  refs, up to 4 images referencing this repo's blobs of at most 1,000,000 bytes and image/*); a client
  chosen rkey that already exists is refused ("Record already exists");
- likes and reposts: createRecord stores app.bsky.feed.like / app.bsky.feed.repost records whose
  subject (a strongRef) names a post here; deleteRecord removes any record (200 {} when it is not
  there). getPosts counts are the control API's plus these, replies (record.reply) and quotes
  (embed app.bsky.embed.record / recordWithMedia); a retired metric's count field is left out;
- any other path answers the xrpc-server catch-all's errors (501 MethodNotImplemented, 400 for a
  wrong HTTP method), never FastAPI's {"detail"};
- blobs are accepted by uploadBlob whatever their size (up to the PDS cap) or type: embed validation
  refuses them later with BlobTooLarge / InvalidMimeType, as the real PDS's blob checks do;
- RateLimit-Limit/-Remaining/-Reset/-Policy on every answer, counted per IP (3000/5 min), per
  account for createSession (30/5 min) and in write points per DID (5000/h, a create costs 3).
  Only the createSession limit answers 429 by default (a client logging in per post is a real bug
  worth catching); the load limits are reported but not enforced, so benchmarks are not throttled.
  `state.platform_data("bluesky")["rate_limits"]` / `["enforced_rate_limits"]` change that;
  injected 429s (faults.burst_429) cover the rate-limited path.

Where the real PDS is lenient the simulator is stricter (reply refs must exist here), never the reverse.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from domain.shared.platforms import count_length
from entrypoints.simulator import faults
from entrypoints.simulator.state import RemotePost, SandboxAccount, SimulatorState, Token, now
from entrypoints.simulator.urls import simulator_base

router = APIRouter(tags=["bluesky"])

PLATFORM = "bluesky"
POST = "app.bsky.feed.post"
LIKE, REPOST = "app.bsky.feed.like", "app.bsky.feed.repost"
# The records that act on a post (subject: a strongRef), and the count each one moves.
ACTS = {LIKE: "likes", REPOST: "reposts"}
# postView's count fields for the normalised metrics (a retired metric's field is left out).
COUNT_FIELDS = {"replies": "replyCount", "reposts": "repostCount", "likes": "likeCount", "quotes": "quoteCount",
                "bookmarks": "bookmarkCount"}
REFRESH_TTL = timedelta(days=90)
MAX_GRAPHEMES, MAX_TEXT_BYTES = 300, 3000
MAX_IMAGES, MAX_IMAGE_BYTES = 4, 1_000_000
MAX_BLOB_BYTES = 52_428_800
SCOPE_ACCESS, SCOPE_REFRESH = "com.atproto.appPass", "com.atproto.refresh"
DEFAULT_RATE_LIMITS = {  # name -> (points, window seconds) [v: BDOC rate-limits.md]
    "global": (3000, 300),   # per IP
    "session": (30, 300),    # createSession per account
    "writes": (5000, 3600),  # write points per DID; a create costs 3
}
DEFAULT_ENFORCED = frozenset({"session"})
_RKEY = re.compile(r"^[A-Za-z0-9._:~-]{1,512}$")
_AT_URI = re.compile(r"^at://(did:[a-z]+:[A-Za-z0-9._:%-]+|[A-Za-z0-9.-]+)(/[a-zA-Z0-9.-]+(/[A-Za-z0-9._:~-]+)?)?$")
_CID = re.compile(r"^b[a-z2-7]{20,}$")
_S32 = "234567abcdefghijklmnopqrstuvwxyz"
_OTHER_EMBEDS = {"app.bsky.embed.external", "app.bsky.embed.record", "app.bsky.embed.recordWithMedia",
                 "app.bsky.embed.video"}


# ---------------------------------------------------------------- identifiers and encodings

def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _cid(data: bytes, codec: int) -> str:
    """A CIDv1 (sha2-256) in base32: codec 0x55 (raw) gives bafkrei..., 0x71 (dag-cbor) bafyrei..."""
    raw = bytes([0x01, codec, 0x12, 0x20]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


def _record_cid(record: dict) -> str:
    return _cid(json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(), 0x71)


def did_for(account: SandboxAccount) -> str:
    """did:plc: and 24 base32 characters, stable per handle (across simulator restarts too)."""
    digest = hashlib.sha256(f"bluesky:{account.handle}".encode()).digest()
    return "did:plc:" + base64.b32encode(digest).decode().lower()[:24]


def _tid(state: SimulatorState) -> str:
    """A timestamp identifier (microseconds << 10 | clock id), 13 base32-sortable characters, increasing."""
    data = state.platform_data(PLATFORM)
    micros = max(int(time.time() * 1_000_000), data.get("last_tid_micros", 0) + 1)
    data["last_tid_micros"] = micros
    value = (micros << 10) | data.setdefault("clock_id", secrets.randbelow(1024))
    out = ""
    while value:
        out, value = _S32[value % 32] + out, value // 32
    return out.rjust(13, "2")


def _next_seq(state: SimulatorState) -> int:
    data = state.platform_data(PLATFORM)
    data["seq"] = data.get("seq", 0) + 1
    return data["seq"]


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _pretty_bytes(size: int) -> str:
    """As the `bytes` npm package the PDS uses formats sizes (1024-based, two decimals, trimmed)."""
    for unit, scale in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.2f}".rstrip("0").rstrip(".") + unit
    return f"{size}B"


# ---------------------------------------------------------------- per-platform state

def _data(state: SimulatorState) -> dict[str, Any]:
    data = state.platform_data(PLATFORM)
    data.setdefault("jwt_secret", secrets.token_bytes(32))
    data.setdefault("rate_limits", dict(DEFAULT_RATE_LIMITS))
    data.setdefault("enforced_rate_limits", set(DEFAULT_ENFORCED))
    data.setdefault("buckets", {})
    data.setdefault("blobs", {})  # (did, cid) -> {"mimeType", "size"}
    return data


def _records(state: SimulatorState) -> dict[str, RemotePost]:
    """at:// uri -> RemotePost. state.posts only grows, or is emptied by /_control/reset: then its first
    element changes, and the index is rebuilt from what is left."""
    data = _data(state)
    index: dict[str, RemotePost] = data.setdefault("records", {})
    head = state.posts[0] if state.posts else None
    if head is not data.get("head"):
        index.clear()
        index.update({p.remote_id: p for p in state.posts if p.platform == PLATFORM and p.deleted_at is None})
        data["head"] = head
    return index


def _accounts(state: SimulatorState) -> list[SandboxAccount]:
    return [a for (platform, _), a in state.accounts.items() if platform == PLATFORM]


def _find_account(state: SimulatorState, actor: str | None) -> SandboxAccount | None:
    """By did, handle (with or without @) or email."""
    if not actor:
        return None
    actor = actor.strip().removeprefix("@").lower()
    for account in _accounts(state):
        if actor in (did_for(account), account.handle.lower()) or (account.email and actor == account.email.lower()):
            return account
    return None


# ---------------------------------------------------------------- answers and rate limits

def _error(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


def _consume(state: SimulatorState, policy: str, key: str, points: int = 1) -> tuple[bool, dict[str, str]]:
    """Spend points from a fixed-window bucket; returns (allowed, RateLimit-* headers). A policy that
    is not enforced always allows, its Remaining staying at 0 once spent."""
    data = _data(state)
    limit, window = data["rate_limits"][policy]
    now_s = int(time.time())
    start, used = data["buckets"].get((policy, key), (now_s, 0))
    if now_s >= start + window:
        start, used = now_s, 0
    allowed = used + points <= limit or policy not in data["enforced_rate_limits"]
    if allowed:
        used = min(used + points, limit)
    data["buckets"][(policy, key)] = (start, used)
    return allowed, {"RateLimit-Limit": str(limit), "RateLimit-Remaining": str(max(limit - used, 0)),
                     "RateLimit-Reset": str(start + window), "RateLimit-Policy": f"{limit};w={window}"}


def _rate_limited_body(state: SimulatorState):
    def body(reset_epoch: int) -> tuple[dict, dict[str, str]]:
        limit, window = _data(state)["rate_limits"]["global"]
        return ({"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                {"RateLimit-Limit": str(limit), "RateLimit-Remaining": "0", "RateLimit-Reset": str(reset_epoch),
                 "RateLimit-Policy": f"{limit};w={window}"})
    return body


def _finish(response: Response, headers: dict[str, str]) -> Response:
    for name, value in headers.items():
        if name.lower() not in response.headers:
            response.headers[name] = value
    return response


@dataclass
class _Call:
    """One XRPC call after faults, auth and rate limits: the account (if authenticated) and the headers."""

    state: SimulatorState
    request: Request
    headers: dict[str, str]
    account: SandboxAccount | None = None
    token: Token | None = None

    @property
    def did(self) -> str:
        assert self.account is not None
        return did_for(self.account)

    def reply(self, body: Any, status: int = 200) -> Response:
        return _finish(JSONResponse(body, status_code=status), self.headers)

    def fail(self, status: int, error: str, message: str) -> Response:
        return _finish(_error(status, error, message), self.headers)


def _bearer(request: Request) -> str | None:
    value = request.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _verify_signature(state: SimulatorState, jwt: str) -> bool:
    try:
        header, payload, signature = jwt.split(".")
    except ValueError:
        return False
    expected = _b64url(hmac.new(_data(state)["jwt_secret"], f"{header}.{payload}".encode(), hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature)


async def _open(request: Request, *, auth: str | None, actor: str | None = None,
                session_key: str | None = None) -> _Call | Response:
    """Faults, then auth ("access", "refresh" or None), then rate limits; a Response means answer it."""
    state: SimulatorState = request.app.state.simulator
    _, headers = _consume(state, "global", request.client.host if request.client else "?", 0)
    jwt = _bearer(request) if auth else None
    token = state.tokens.get(jwt) if jwt else None
    if token is not None and token.platform != PLATFORM:
        token = None
    account = state.account(PLATFORM, token.handle) if token else _find_account(state, actor)

    fault = await faults.before_request(state, PLATFORM, account.handle if account else None,
                                        rate_limited=_rate_limited_body(state))
    if fault is not None:
        return _finish(fault, headers)

    if auth:
        if jwt is None:
            return _finish(_error(401, "AuthMissing", "Authentication Required"), headers)
        if token is None or account is None or not _verify_signature(state, jwt):
            return _finish(_error(400, "InvalidToken", "Token could not be verified"), headers)
        if token.kind != auth:
            return _finish(_error(400, "InvalidToken", "Bad token scope"), headers)
        if token.revoked:
            return _finish(_error(400, "ExpiredToken", "Token has been revoked"), headers)
        if token.expired() or state.faults_for(PLATFORM, account.handle).auth_fail:
            return _finish(_error(400, "ExpiredToken", "Token has expired"), headers)

    allowed, headers = _consume(state, "global", request.client.host if request.client else "?")
    if allowed and session_key is not None:
        allowed, headers = _consume(state, "session", session_key)
    if not allowed:
        return _finish(_error(429, "RateLimitExceeded", "Rate Limit Exceeded"), headers)
    return _Call(state, request, headers, account, token)


async def _json_body(request: Request) -> dict | None:
    try:
        body = json.loads(await request.body() or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


# ---------------------------------------------------------------- sessions

def _sign(state: SimulatorState, typ: str, payload: dict) -> str:
    header = _b64url(json.dumps({"typ": typ, "alg": "HS256"}, separators=(",", ":")).encode())
    body = _b64url(json.dumps(payload, separators=(",", ":")).encode())
    signature = hmac.new(_data(state)["jwt_secret"], f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64url(signature)}"


def _issue_session(state: SimulatorState, request: Request, account: SandboxAccount) -> dict:
    did, issued = did_for(account), now()
    access_ttl = state.access_ttl.get(PLATFORM) or timedelta(hours=2)
    pair = {}
    for kind, typ, scope, ttl in (("access", "at+jwt", SCOPE_ACCESS, access_ttl),
                                  ("refresh", "refresh+jwt", SCOPE_REFRESH, REFRESH_TTL)):
        expires = issued + ttl
        jwt = _sign(state, typ, {"scope": scope, "sub": did, "iat": int(issued.timestamp()),
                                 "exp": int(expires.timestamp()), "jti": secrets.token_urlsafe(16)})
        state.tokens[jwt] = Token(token=jwt, platform=PLATFORM, handle=account.handle, kind=kind,
                                  expires_at=expires, scopes=scope)
        pair[kind] = jwt
    return {"accessJwt": pair["access"], "refreshJwt": pair["refresh"], **_session_view(request, account)}


def _session_view(request: Request, account: SandboxAccount) -> dict:
    did = did_for(account)
    pds = simulator_base(request) + "/bluesky"
    view = {"handle": account.handle, "did": did,
            "didDoc": {"@context": ["https://www.w3.org/ns/did/v1"], "id": did, "alsoKnownAs": [f"at://{account.handle}"],
                       "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": pds}]},
            "emailConfirmed": bool(account.email), "emailAuthFactor": False, "active": True}
    if account.email:
        view["email"] = account.email
    return view


@router.post("/xrpc/com.atproto.server.createSession")
async def create_session(request: Request) -> Response:
    body = await _json_body(request)
    identifier = str((body or {}).get("identifier") or "")
    known = _find_account(request.app.state.simulator, identifier)
    call = await _open(request, auth=None, actor=identifier,
                       session_key=known.handle if known else identifier.strip().lower().removeprefix("@"))
    if isinstance(call, Response):
        return call
    if body is None or not isinstance(body.get("identifier"), str) or not isinstance(body.get("password"), str):
        return call.fail(400, "InvalidRequest", 'Input must have the properties "identifier" and "password"')
    account = call.account
    if account is None or not hmac.compare_digest(account.password.encode(), body["password"].encode()):
        return call.fail(401, "AuthenticationRequired", "Invalid identifier or password")
    return call.reply(_issue_session(call.state, request, account))


@router.post("/xrpc/com.atproto.server.refreshSession")
async def refresh_session(request: Request) -> Response:
    call = await _open(request, auth="refresh")
    if isinstance(call, Response):
        return call
    assert call.token is not None and call.account is not None
    call.token.revoked = True
    return call.reply(_issue_session(call.state, request, call.account))


@router.get("/xrpc/com.atproto.server.getSession")
async def get_session(request: Request) -> Response:
    call = await _open(request, auth="access")
    if isinstance(call, Response):
        return call
    assert call.account is not None
    return call.reply(_session_view(request, call.account))


@router.get("/xrpc/app.bsky.actor.getProfile")
async def get_profile(request: Request) -> Response:
    call = await _open(request, auth="access")
    if isinstance(call, Response):
        return call
    account = _find_account(call.state, request.query_params.get("actor"))
    if account is None:
        return call.fail(400, "InvalidRequest", "Profile not found")
    did = did_for(account)
    return call.reply({"did": did, "handle": account.handle, "displayName": account.display_name, "description": "",
                       "followersCount": 0, "followsCount": 0,
                       "postsCount": sum(1 for p in _records(call.state).values() if p.extra.get("did") == did),
                       "labels": []})


# ---------------------------------------------------------------- blobs

_MAGIC = [(b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
          (b"GIF89a", "image/gif")]


def _sniff(data: bytes, declared: str) -> str:
    """The PDS trusts the bytes over the declared Content-Type."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return declared or "application/octet-stream"


@router.post("/xrpc/com.atproto.repo.uploadBlob")
async def upload_blob(request: Request) -> Response:
    call = await _open(request, auth="access")
    if isinstance(call, Response):
        return call
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BLOB_BYTES:
        return call.fail(413, "PayloadTooLarge", "request entity too large")
    data = await request.body()
    if len(data) > MAX_BLOB_BYTES:
        return call.fail(413, "PayloadTooLarge", "request entity too large")
    mime = _sniff(data, request.headers.get("content-type", "").split(";")[0].strip().lower())
    cid = _cid(data, 0x55)
    _data(call.state)["blobs"][(call.did, cid)] = {"mimeType": mime, "size": len(data)}
    return call.reply({"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(data)}})


# ---------------------------------------------------------------- records

class _Invalid(Exception):
    def __init__(self, message: str, error: str = "InvalidRequest", prefixed: bool = True,
                 collection: str = POST) -> None:
        super().__init__(f"Invalid {collection} record: {message}" if prefixed else message)
        self.error = error


def _validate_post(state: SimulatorState, did: str, record: dict) -> list[str]:
    """Lexicon and blob checks of app.bsky.feed.post; returns the blob cids referenced."""
    if record.get("$type") != POST:
        raise _Invalid(f"Invalid $type: expected {POST}, got {record.get('$type')}", prefixed=False)
    for name in ("text", "createdAt"):
        if name not in record:
            raise _Invalid(f'Record must have the property "{name}"')
    text = record["text"]
    if not isinstance(text, str):
        raise _Invalid("Record/text must be a string")
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise _Invalid(f"Record/text must not be longer than {MAX_TEXT_BYTES} characters")
    if count_length(PLATFORM, text) > MAX_GRAPHEMES:
        raise _Invalid(f"Record/text must not be longer than {MAX_GRAPHEMES} graphemes")
    try:
        datetime.fromisoformat(str(record["createdAt"]).replace("Z", "+00:00"))
    except ValueError:
        raise _Invalid("Record/createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)") from None
    langs = record.get("langs", [])
    if not isinstance(langs, list) or len(langs) > 3:
        raise _Invalid("Record/langs must not have more than 3 elements")
    _validate_facets(text, record.get("facets"))
    if "reply" in record:
        _validate_reply(state, record["reply"])
    return _validate_embed(state, did, record.get("embed"))


def _validate_facets(text: str, facets: Any) -> None:
    if facets is None:
        return
    if not isinstance(facets, list):
        raise _Invalid("Record/facets must be an array")
    size = len(text.encode("utf-8"))
    for i, facet in enumerate(facets):
        index = facet.get("index") if isinstance(facet, dict) else None
        if not isinstance(index, dict) or not all(isinstance(index.get(k), int) for k in ("byteStart", "byteEnd")):
            raise _Invalid(f'Record/facets/{i} must have the property "index" with integer byteStart and byteEnd')
        if not 0 <= index["byteStart"] <= index["byteEnd"] <= size:  # the PDS accepts these; the AppView drops them
            raise _Invalid(f"Record/facets/{i}/index is outside the text ({size} bytes)")
        if not isinstance(facet.get("features"), list) or not facet["features"]:
            raise _Invalid(f'Record/facets/{i} must have the property "features"')


def _quoted_ref(embed: Any) -> Any:
    """The strongRef a quote embeds (app.bsky.embed.record, or recordWithMedia's record.record), else None."""
    if not isinstance(embed, dict):
        return None
    if embed.get("$type") == "app.bsky.embed.record":
        return embed.get("record", {})
    if embed.get("$type") == "app.bsky.embed.recordWithMedia":
        outer = embed.get("record")
        return outer.get("record", {}) if isinstance(outer, dict) else {}
    return None


def _existing_post(state: SimulatorState, ref: Any, path: str, collection: str = POST) -> RemotePost:
    """A strongRef checked as the lexicon does (object, at-uri, cid), then, stricter than a PDS (which
    cannot see other repos), that it names a post the simulator holds at that cid."""
    if not isinstance(ref, dict):
        raise _Invalid(f"{path} must be an object", collection=collection)
    for name in ("uri", "cid"):
        if name not in ref:
            raise _Invalid(f'{path} must have the property "{name}"', collection=collection)
    if not isinstance(ref["uri"], str) or not _AT_URI.match(ref["uri"]):
        raise _Invalid(f"{path}/uri must be a valid at-uri", collection=collection)
    if not isinstance(ref["cid"], str) or not _CID.match(ref["cid"]):
        raise _Invalid(f"{path}/cid must be a cid string", collection=collection)
    target = _records(state).get(ref["uri"])
    if target is None or target.extra.get("cid") != ref["cid"]:
        raise _Invalid(f"{path} does not reference an existing post (uri and cid)", collection=collection)
    return target


def _validate_act(state: SimulatorState, collection: str, record: dict) -> RemotePost:
    """app.bsky.feed.like / app.bsky.feed.repost: {subject: strongRef, createdAt, via?}; returns the subject."""
    if record.get("$type") != collection:
        raise _Invalid(f"Invalid $type: expected {collection}, got {record.get('$type')}", prefixed=False)
    for name in ("subject", "createdAt"):
        if name not in record:
            raise _Invalid(f'Record must have the property "{name}"', collection=collection)
    try:
        datetime.fromisoformat(str(record["createdAt"]).replace("Z", "+00:00"))
    except ValueError:
        raise _Invalid("Record/createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)",
                       collection=collection) from None
    return _existing_post(state, record["subject"], "Record/subject", collection)


def _validate_reply(state: SimulatorState, reply: Any) -> None:
    if not isinstance(reply, dict):
        raise _Invalid("Record/reply must be an object")
    records = _records(state)
    for part in ("root", "parent"):
        ref = reply.get(part)
        if not isinstance(ref, dict) or not isinstance(ref.get("uri"), str) or not isinstance(ref.get("cid"), str):
            raise _Invalid(f'Record/reply must have the property "{part}" with a uri and a cid')
        target = records.get(ref["uri"])
        if target is None or target.extra.get("cid") != ref["cid"]:
            raise _Invalid(f"Record/reply/{part} does not reference an existing post (uri and cid)")


def _validate_embed(state: SimulatorState, did: str, embed: Any) -> list[str]:
    if embed is None:
        return []
    if not isinstance(embed, dict):
        raise _Invalid("Record/embed must be an object")
    quoted = _quoted_ref(embed)
    if quoted is not None:
        _existing_post(state, quoted, "Record/embed/record" if embed.get("$type") == "app.bsky.embed.record"
                       else "Record/embed/record/record")
    if embed.get("$type") in _OTHER_EMBEDS:
        return []
    if embed.get("$type") != "app.bsky.embed.images":
        raise _Invalid(f"Record/embed $type must be one of app.bsky.embed.images, {', '.join(sorted(_OTHER_EMBEDS))}")
    images = embed.get("images")
    if not isinstance(images, list):
        raise _Invalid('Record/embed must have the property "images"')
    if len(images) > MAX_IMAGES:
        raise _Invalid(f"Record/embed/images must not have more than {MAX_IMAGES} elements")
    blobs, cids = _data(state)["blobs"], []
    for i, image in enumerate(images):
        if not isinstance(image, dict) or "image" not in image:
            raise _Invalid(f'Record/embed/images/{i} must have the property "image"')
        if not isinstance(image.get("alt"), str):
            raise _Invalid(f'Record/embed/images/{i} must have the property "alt"')
        blob = image["image"]
        cid = blob.get("ref", {}).get("$link") if isinstance(blob, dict) and isinstance(blob.get("ref"), dict) else None
        if blob.get("$type") != "blob" or not isinstance(cid, str):
            raise _Invalid(f"Record/embed/images/{i}/image should be a blob ref")
        found = blobs.get((did, cid))
        if found is None:
            raise _Invalid(f"Could not find blob: {cid}", "BlobNotFound", prefixed=False)
        # The PDS's blob checks (actor-store blob transactor verifyBlob): error names and messages as there.
        if found["size"] > MAX_IMAGE_BYTES:
            raise _Invalid(f"This file is too large. It is {_pretty_bytes(found['size'])} but the maximum size is "
                           f"{_pretty_bytes(MAX_IMAGE_BYTES)}.", "BlobTooLarge", prefixed=False)
        if blob.get("mimeType") != found["mimeType"]:
            raise _Invalid(f"Referenced Mimetype does not match stored blob. Expected: {found['mimeType']}, "
                           f"Got: {blob.get('mimeType')}", "InvalidMimeType", prefixed=False)
        if not found["mimeType"].startswith("image/"):
            raise _Invalid(f"Wrong type of file. It is {found['mimeType']} but it must match image/*.",
                           "InvalidMimeType", prefixed=False)
        cids.append(cid)
    return cids


@router.post("/xrpc/com.atproto.repo.createRecord")
async def create_record(request: Request) -> Response:
    call = await _open(request, auth="access")
    if isinstance(call, Response):
        return call
    state, did = call.state, call.did
    body = await _json_body(request)
    if body is None:
        return call.fail(400, "InvalidRequest", "Request body must be a JSON object")
    for name in ("repo", "collection", "record"):
        if name not in body:
            return call.fail(400, "InvalidRequest", f'Input must have the property "{name}"')
    owner = _find_account(state, str(body["repo"]))
    if owner is None:
        return call.fail(400, "InvalidRequest", f"Could not find repo: {body['repo']}")
    if did_for(owner) != did:
        return call.fail(401, "AuthenticationRequired", "Authentication Required")
    collection = body["collection"]
    if collection not in (POST, *ACTS):
        return call.fail(400, "InvalidRequest",
                         f"The simulator only stores {', '.join((POST, *ACTS))} records, not {collection}")
    record = body["record"]
    if not isinstance(record, dict):
        return call.fail(400, "InvalidRequest", "Input/record must be an object")
    rkey = body.get("rkey")
    if rkey is not None and (not isinstance(rkey, str) or not _RKEY.match(rkey) or rkey in (".", "..")):
        return call.fail(400, "InvalidRequest", "Invalid record key")
    try:
        if collection in ACTS:
            subject = _validate_act(state, collection, record)
        else:
            blob_cids = _validate_post(state, did, record)
    except _Invalid as exc:
        return call.fail(400, exc.error, str(exc))

    records = _records(state)
    rkey = rkey or _tid(state)
    uri = f"at://{did}/{collection}/{rkey}"
    if uri in records or uri in _acts(state):
        return call.fail(400, "InvalidRequest", "Record already exists")
    allowed, headers = _consume(state, "writes", did, 3)
    call.headers = headers
    if not allowed:
        return call.fail(429, "RateLimitExceeded", "Rate Limit Exceeded")

    cid, created = _record_cid(record), now()
    if collection in ACTS:
        _act(state, subject, uri, {"collection": collection, "did": did, "cid": cid, "record": record,
                                   "subject": subject.remote_id})
        await faults.after_write(state, PLATFORM, owner.handle)
        return call.reply({"uri": uri, "cid": cid, "commit": {"cid": _cid(f"{uri}{cid}".encode(), 0x71),
                                                                 "rev": _tid(state)}, "validationStatus": "valid"})
    reply = record.get("reply") or {}
    post = RemotePost(platform=PLATFORM, handle=owner.handle, remote_id=uri, text=record["text"],
                      created_at=created, url=f"https://bsky.app/profile/{owner.handle}/post/{rkey}",
                      reply_to=(reply.get("parent") or {}).get("uri"), media_ids=blob_cids,
                      extra={"cid": cid, "did": did, "rkey": rkey, "record": record, "indexedAt": _iso(created),
                             "seq": _next_seq(state)})
    state.posts.append(post)
    records[uri] = post
    _data(state)["head"] = state.posts[0]
    parent = records.get(post.reply_to) if post.reply_to else None
    if parent is not None:
        parent.add("replies", uri)
    quoted = _quoted_ref(record.get("embed"))
    if quoted is not None:
        records[quoted["uri"]].add("quotes", uri)
    await faults.after_write(state, PLATFORM, owner.handle)
    return call.reply({"uri": uri, "cid": cid, "commit": {"cid": _cid(f"{uri}{cid}".encode(), 0x71), "rev": _tid(state)},
                       "validationStatus": "valid"})


@router.get("/xrpc/com.atproto.repo.getRecord")
async def get_record(request: Request) -> Response:
    params = request.query_params
    call = await _open(request, auth=None, actor=params.get("repo"))
    if isinstance(call, Response):
        return call
    for name in ("repo", "collection", "rkey"):
        if not params.get(name):
            return call.fail(400, "InvalidRequest", f'Error: Params must have the property "{name}"')
    account = call.account
    if account is None:
        return call.fail(400, "InvalidRequest", f"Could not find repo: {params['repo']}")
    uri = f"at://{did_for(account)}/{params['collection']}/{params['rkey']}"
    post = _records(call.state).get(uri)
    found = {"cid": post.extra["cid"], "record": post.extra["record"]} if post else _acts(call.state).get(uri)
    if found is None or (params.get("cid") and params["cid"] != found["cid"]):
        return call.fail(400, "RecordNotFound", f"Could not locate record: {uri}")
    return call.reply({"uri": uri, "cid": found["cid"], "value": found["record"]})


# ---------------------------------------------------------------- likes, reposts and deletion

def _acts(state: SimulatorState) -> dict[str, dict]:
    """Like and repost records: at:// uri -> {"collection", "did", "cid", "record", "subject"}."""
    return _data(state).setdefault("acts", {})


def _act(state: SimulatorState, subject: RemotePost, uri: str, act: dict) -> None:
    """Index a like or repost as the AppView does: one per account and subject counts (a second like
    record of the same post is stored but does not count twice); the viewer sees its record's uri."""
    _acts(state)[uri] = act
    metric = ACTS[act["collection"]]
    if subject.add(metric, act["did"]):
        subject.extra.setdefault("viewer", {}).setdefault(metric, {})[act["did"]] = uri


def _unact(state: SimulatorState, uri: str) -> None:
    act = _acts(state).pop(uri)
    subject = _records(state).get(act["subject"])
    if subject is None:
        return
    metric, did = ACTS[act["collection"]], act["did"]
    viewer = subject.extra.get("viewer", {}).get(metric, {})
    if viewer.get(did) != uri:
        return  # a duplicate that never counted
    other = next((u for u, a in _acts(state).items() if a["subject"] == act["subject"] and a["did"] == did
                  and a["collection"] == act["collection"]), None)
    if other is not None:
        viewer[did] = other
    else:
        viewer.pop(did, None)
        subject.remove(metric, did)


def _delete_post(state: SimulatorState, post: RemotePost) -> None:
    """The post goes; its parent loses a reply and the post it quoted a quote."""
    records = _records(state)
    post.deleted_at = now()
    records.pop(post.remote_id, None)
    record = post.extra["record"]
    parent = records.get(post.reply_to) if post.reply_to else None
    if parent is not None:
        parent.remove("replies", post.remote_id)
    quoted = _quoted_ref(record.get("embed"))
    target = records.get(quoted["uri"]) if quoted else None
    if target is not None:
        target.remove("quotes", post.remote_id)


@router.post("/xrpc/com.atproto.repo.deleteRecord")
async def delete_record(request: Request) -> Response:
    """{repo, collection, rkey, swapRecord?}: deleting a record that is not there is a no-op answered
    200 {} (the PDS "ensures it doesn't exist"); a like or repost deleted lowers the post's count."""
    call = await _open(request, auth="access")
    if isinstance(call, Response):
        return call
    state, did = call.state, call.did
    body = await _json_body(request)
    if body is None:
        return call.fail(400, "InvalidRequest", "Request body must be a JSON object")
    for name in ("repo", "collection", "rkey"):
        if not isinstance(body.get(name), str):
            return call.fail(400, "InvalidRequest", f'Input must have the property "{name}"')
    owner = _find_account(state, body["repo"])
    if owner is None:
        return call.fail(400, "InvalidRequest", f"Could not find repo: {body['repo']}")
    if did_for(owner) != did:
        return call.fail(401, "AuthenticationRequired", "Authentication Required")
    uri = f"at://{did}/{body['collection']}/{body['rkey']}"
    post, act = _records(state).get(uri), _acts(state).get(uri)
    if post is None and act is None:
        return call.reply({})
    cid = post.extra["cid"] if post else act["cid"]  # type: ignore[index]
    if body.get("swapRecord") is not None and body["swapRecord"] != cid:
        return call.fail(400, "InvalidSwap", f"Record was at {cid}")
    allowed, headers = _consume(state, "writes", did, 1)
    call.headers = headers
    if not allowed:
        return call.fail(429, "RateLimitExceeded", "Rate Limit Exceeded")
    if post is not None:
        _delete_post(state, post)
    else:
        _unact(state, uri)
    return call.reply({"commit": {"cid": _cid(f"delete:{uri}".encode(), 0x71), "rev": _tid(state)}})


# ---------------------------------------------------------------- reads (the AppView, proxied by the PDS)

def _post_view(state: SimulatorState, post: RemotePost, viewer: str | None = None) -> dict:
    """A postView for the viewer's did: counts are the control API's plus real likes, reposts, replies
    and quotes; `viewer.like`/`viewer.repost` hold the viewer's own record uris."""
    account = state.account(PLATFORM, post.handle)
    did = post.extra["did"]
    mine = {name: uri for metric, name in (("likes", "like"), ("reposts", "repost"))
            if (uri := post.extra.get("viewer", {}).get(metric, {}).get(viewer))}
    view = {"uri": post.remote_id, "cid": post.extra["cid"],
            "author": {"did": did, "handle": post.handle,
                       "displayName": account.display_name if account else post.handle, "labels": []},
            "record": post.extra["record"],
            **{name: post.count(metric) for metric, name in COUNT_FIELDS.items() if not state.is_retired(PLATFORM, metric)},
            "indexedAt": post.extra["indexedAt"], "viewer": mine, "labels": []}
    embed = post.extra["record"].get("embed")
    if isinstance(embed, dict) and embed.get("$type") == "app.bsky.embed.images":
        view["embed"] = {"$type": "app.bsky.embed.images#view", "images": [
            {"thumb": f"https://cdn.bsky.app/img/feed_thumbnail/plain/{did}/{cid}@jpeg",
             "fullsize": f"https://cdn.bsky.app/img/feed_fullsize/plain/{did}/{cid}@jpeg",
             "alt": image.get("alt", "")} for image, cid in zip(embed["images"], post.media_ids)]}
    return view


@router.get("/xrpc/app.bsky.feed.getPosts")
async def get_posts(request: Request) -> Response:
    call = await _open(request, auth="access")
    if isinstance(call, Response):
        return call
    uris = request.query_params.getlist("uris")
    if not uris:
        return call.fail(400, "InvalidRequest", 'Error: Params must have the property "uris"')
    if len(uris) > 25:
        return call.fail(400, "InvalidRequest", "Error: uris must not have more than 25 elements")
    records = _records(call.state)
    return call.reply({"posts": [_post_view(call.state, records[u], call.did) for u in uris if u in records]})


@router.get("/xrpc/app.bsky.feed.getAuthorFeed")
async def get_author_feed(request: Request) -> Response:
    call = await _open(request, auth="access")
    if isinstance(call, Response):
        return call
    params = request.query_params
    account = _find_account(call.state, params.get("actor"))
    if account is None:
        return call.fail(400, "InvalidRequest", "Profile not found")
    try:
        limit = int(params.get("limit", "50"))
    except ValueError:
        return call.fail(400, "InvalidRequest", "Error: limit must be an integer")
    if not 1 <= limit <= 100:
        return call.fail(400, "InvalidRequest", "Error: limit can not be greater than 100" if limit > 100
                         else "Error: limit can not be less than 1")
    did = did_for(account)
    # Newest first; the sequence number orders posts indexed within the same millisecond.
    posts = sorted((p for p in _records(call.state).values() if p.extra["did"] == did),
                   key=lambda p: p.extra["seq"], reverse=True)
    cursor = params.get("cursor", "")
    if cursor:
        before = cursor.rpartition("::")[2]
        if not before.isdigit():
            return call.fail(400, "InvalidRequest", "Malformed cursor")
        posts = [p for p in posts if p.extra["seq"] < int(before)]
    page = posts[:limit]
    body: dict[str, Any] = {"feed": [{"post": _post_view(call.state, p, call.did)} for p in page]}
    if len(posts) > limit:
        body["cursor"] = f"{page[-1].extra['indexedAt']}::{page[-1].extra['seq']}"
    return call.reply(body)


# ---------------------------------------------------------------- anything else

# Whether each known method is a query (GET) or a procedure (POST), from the routes above.
def _known_methods() -> dict[str, str]:
    return {route.path.removeprefix("/xrpc/"): next(iter(route.methods))  # type: ignore[attr-defined]
            for route in router.routes if getattr(route, "path", "").startswith("/xrpc/")}


def unknown_route(request: Request) -> Response:
    """As the PDS's xrpc-server catch-all: a known method called with the wrong HTTP verb is 400
    InvalidRequest, an unknown method 501 MethodNotImplemented; a path outside /xrpc is Express's 404."""
    path = request.url.path
    nsid = path.partition("/xrpc/")[2] if "/xrpc/" in path else None
    if nsid is None:
        return Response(f"Cannot {request.method} {path}", status_code=404, media_type="text/html")
    expected = _known_methods().get(nsid)
    if expected is not None:
        return _error(400, "InvalidRequest", f"Incorrect HTTP method ({request.method}) expected {expected}")
    return _error(501, "MethodNotImplemented", "Method Not Implemented")
