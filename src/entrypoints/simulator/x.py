"""The simulated X: OAuth 2.0 with PKCE (consent page on "x.com", token endpoint on "api.x.com") and
the v2 endpoints PostWizard uses, mounted at /x. Shapes follow platforms.md section 3; where the
reference marks a fact unverified, this module says so next to the code that fakes it.

One confidential OAuth 2.0 client is pre-registered (X apps are registered in the developer portal,
never at run time): client_id "postwizard-sandbox", client_secret "sandbox-secret", any loopback
redirect URI.

Counts follow what sandbox accounts do here: likes (POST/DELETE /2/users/:id/likes), retweets
(POST/DELETE /2/users/:id/retweets), replies (reply.in_reply_to_tweet_id) and quotes (quote_tweet_id),
on top of the control API's counters; DELETE /2/tweets/:id removes one's own tweet. A request field
or query parameter the simulator does not implement is refused with X's 400 invalid-request, never
silently dropped; `expansions=author_id` with `user.fields` is implemented. A metric retired through
the control API leaves its `public_metrics` field out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from domain.shared.platforms import count_length
from entrypoints.simulator import faults
from entrypoints.simulator.state import RemotePost, SandboxAccount, SimulatorState, Token, now

router = APIRouter(tags=["x"])

PLATFORM = "x"
SANDBOX_CLIENT_ID = "postwizard-sandbox"
SANDBOX_CLIENT_SECRET = "sandbox-secret"

# Every OAuth 2.0 scope X documents; an unknown one makes the authorize page refuse.
KNOWN_SCOPES = frozenset({
    "tweet.read", "tweet.write", "tweet.moderate.write", "users.read", "users.email", "follows.read", "follows.write",
    "offline.access", "space.read", "mute.read", "mute.write", "like.read", "like.write", "list.read", "list.write",
    "block.read", "block.write", "bookmark.read", "bookmark.write", "media.write", "dm.read", "dm.write",
})
CODE_TTL = timedelta(seconds=30)        # X's authorization codes are short-lived [unverified: 30 s]
MAX_TEXT = 280                          # weighted characters [v: XDOC counting-characters]
DUPLICATE_WINDOW = timedelta(hours=24)  # how far back "duplicate content" looks [unverified]
MAX_MEDIA_PER_TWEET = 4                 # [v: XDOC media best-practices]
MEDIA_EXPIRES_AFTER = 86_400            # seconds an uploaded media id stays usable [unverified]
SIZE_LIMITS = {"tweet_image": 5 * 1024 * 1024, "tweet_gif": 15 * 1024 * 1024,
               "tweet_video": 512 * 1024 * 1024}  # [v: XDOC media introduction]
WINDOW = 15 * 60
# Per-user limits per 15-minute window. POST /2/tweets is [v: XOLD]; the others are [unverified]
# stand-ins of the same order as X's published tables. Adapters read the headers, never these numbers.
RATE_LIMITS = {"tweets:create": 200, "users:me": 75, "tweets:lookup": 900, "users:tweets": 900, "media": 500,
               "likes": 50, "retweets": 50, "tweets:delete": 50}

# public_metrics fields for the normalised metrics (a retired metric's field is left out).
METRIC_FIELDS = {"reposts": "retweet_count", "replies": "reply_count", "likes": "like_count", "quotes": "quote_count",
                 "bookmarks": "bookmark_count", "impressions": "impression_count"}
# Every tweet.fields / user.fields / expansions value X knows [v: XDOC fields], and the ones simulated.
TWEET_FIELDS = frozenset({
    "article", "attachments", "author_id", "card_uri", "community_id", "context_annotations", "conversation_id",
    "created_at", "display_text_range", "edit_controls", "edit_history_tweet_ids", "entities", "geo", "id",
    "in_reply_to_user_id", "lang", "media_metadata", "non_public_metrics", "note_tweet", "organic_metrics",
    "possibly_sensitive", "promoted_metrics", "public_metrics", "referenced_tweets", "reply_settings", "scopes",
    "source", "text", "withheld"})
TWEET_FIELDS_SIMULATED = frozenset({
    "attachments", "author_id", "conversation_id", "created_at", "edit_history_tweet_ids", "id",
    "in_reply_to_user_id", "possibly_sensitive", "public_metrics", "referenced_tweets", "reply_settings", "text"})
USER_FIELDS = frozenset({
    "affiliation", "connection_status", "created_at", "description", "entities", "id", "location",
    "most_recent_tweet_id", "name", "pinned_tweet_id", "profile_banner_url", "profile_image_url", "protected",
    "public_metrics", "receives_your_dm", "subscription_type", "url", "username", "verified", "verified_type",
    "withheld"})
USER_FIELDS_SIMULATED = frozenset({"created_at", "description", "id", "name", "protected", "public_metrics",
                                   "username", "verified"})
EXPANSIONS = frozenset({
    "article.cover_media", "article.media_entities", "attachments.media_keys", "attachments.media_source_tweet",
    "attachments.poll_ids", "author_id", "edit_history_tweet_ids", "entities.mentions.username", "geo.place_id",
    "in_reply_to_user_id", "entities.note.mentions.username", "referenced_tweets.id",
    "referenced_tweets.id.attachments.media_keys", "referenced_tweets.id.author_id"})
EXPANSIONS_SIMULATED = frozenset({"author_id"})
# The fields of POST /2/tweets X documents, and the ones simulated.
TWEET_BODY = frozenset({"card_uri", "community_id", "direct_message_deep_link", "for_super_followers_only", "geo",
                        "made_with_ai", "media", "nullcast", "paid_partnership", "poll", "quote_tweet_id", "reply",
                        "reply_settings", "share_with_followers", "text"})
TWEET_BODY_SIMULATED = frozenset({"media", "quote_tweet_id", "reply", "text"})

PROBLEM_INVALID = "https://api.twitter.com/2/problems/invalid-request"
PROBLEM_NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"


# ---------------------------------------------------------------------------------------------
# state


def _state(request: Request) -> SimulatorState:
    return request.app.state.simulator


def _data(state: SimulatorState) -> dict[str, Any]:
    """X's own memory: the one OAuth client, pending consents, codes, media, rate-limit buckets."""
    data = state.platform_data(PLATFORM)
    if "clients" not in data:
        data.update(clients={SANDBOX_CLIENT_ID: {"client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET}},
                    consents={}, codes={}, media={}, rate={})
    return data


def _redirect_allowed(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")


def _ts(moment: datetime) -> str:
    """X's timestamps: ISO 8601 UTC with milliseconds, e.g. 2024-05-01T12:00:00.000Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _x_accounts(state: SimulatorState) -> list[SandboxAccount]:
    return [a for a in state.accounts.values() if a.platform == PLATFORM]


def _account_by_id(state: SimulatorState, user_id: str) -> SandboxAccount | None:
    return next((a for a in _x_accounts(state) if a.remote_id == user_id), None)


# ---------------------------------------------------------------------------------------------
# error shapes


def _problem(status: int, title: str, detail: str, type_: str = "about:blank", headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"title": title, "type": type_, "status": status, "detail": detail}, status_code=status, headers=headers)


def _unauthorized() -> JSONResponse:
    # [v: XISS xurl#8]
    return _problem(401, "Unauthorized", "Unauthorized")


async def _json_object(request: Request, headers: dict) -> dict | JSONResponse:
    """The request's JSON object, or X's 400 saying what is wrong with it."""
    try:
        body = await request.json()
    except ValueError:
        return _invalid("The request body is not valid JSON.", headers)
    if not isinstance(body, dict):
        return _invalid("The request body must be a JSON object.", headers)
    return body


def _invalid(message: str, headers: dict | None = None, parameters: dict | None = None) -> JSONResponse:
    """X's 400 for a request it understood but refuses [v: XDOC response-codes; text too long: FotBot#22]."""
    return JSONResponse({"errors": [{"parameters": parameters or {}, "message": message}], "title": "Invalid Request",
                         "detail": "One or more parameters to your request was invalid.", "type": PROBLEM_INVALID},
                        status_code=400, headers=headers)


def _rate_limited(reset: int, limit: int = 0) -> tuple[dict, dict[str, str]]:
    # The v2 429 body is [unverified]; X's problem-details shape is the likely one.
    return ({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
            {"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)})


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    # X also returns an "errors" array beside these two fields [3p: plhery/node-twitter-api-v2#496].
    return JSONResponse({"error": error, "error_description": description,
                         "errors": [{"message": description}]}, status_code=status)


def _error_page(message: str) -> HTMLResponse:
    body = ("<!doctype html><html><head><title>X / Error</title></head><body><main><h1>Something went wrong</h1>"
            f"<p>You weren't able to give access to the App. Go back and try logging in again.</p><p><small>{html.escape(message)}"
            "</small></p></main></body></html>")
    return HTMLResponse(body, status_code=400)


# ---------------------------------------------------------------------------------------------
# OAuth 2.0 authorization code with PKCE [v: XDOC authorization-code; TWP auth.py]


@router.get("/i/oauth2/authorize", response_class=HTMLResponse)
async def authorize_page(request: Request) -> Response:
    state = _state(request)
    data = _data(state)
    q = request.query_params
    client = data["clients"].get(q.get("client_id", ""))
    if client is None:
        return _error_page("unknown client_id")
    redirect_uri = q.get("redirect_uri", "")
    if not _redirect_allowed(redirect_uri):
        return _error_page("redirect_uri is not registered for this app")
    if q.get("response_type") != "code":
        return _error_page("response_type must be code")
    scopes = q.get("scope", "").split()
    if not scopes or any(s not in KNOWN_SCOPES for s in scopes):
        return _error_page("scope is missing or names an unknown scope")
    if not q.get("state"):
        return _error_page("state is required")
    challenge = q.get("code_challenge", "")
    # Real X also accepts code_challenge_method=plain; the sandbox insists on S256, as PostWizard sends.
    if q.get("code_challenge_method") != "S256" or not re.fullmatch(r"[A-Za-z0-9_-]{43}", challenge):
        return _error_page("code_challenge with code_challenge_method=S256 is required")
    consent_id = secrets.token_urlsafe(16)
    data["consents"][consent_id] = {"client_id": client["client_id"], "redirect_uri": redirect_uri, "scope": " ".join(scopes),
                                    "state": q["state"], "code_challenge": challenge}
    accounts = _x_accounts(state)
    choices = "".join(
        f'<li><label><input type="radio" name="account" value="{html.escape(a.handle)}"{" checked" if i == 0 else ""}>'
        f' {html.escape(a.display_name)} <span>@{html.escape(a.handle)}</span></label></li>'
        for i, a in enumerate(accounts)) or "<li>No sandbox accounts on X.</li>"
    scope_items = "".join(f"<li>{html.escape(s)}</li>" for s in scopes)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorize app / X</title></head>
<body><main>
<h1>PostWizard (sandbox) wants to access your X account</h1>
<form method="post" action="{html.escape(str(request.url.path))}">
<input type="hidden" name="consent_id" value="{consent_id}">
<fieldset><legend>Sign in as</legend><ul>{choices}</ul></fieldset>
<p>This app will be able to:</p><ul class="scopes">{scope_items}</ul>
<p>It will be redirected to {html.escape(redirect_uri)}.</p>
<button type="submit" name="action" value="authorize">Authorize app</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</form></main></body></html>"""
    return HTMLResponse(page)


@router.post("/i/oauth2/authorize")
async def authorize_decision(request: Request) -> Response:
    state = _state(request)
    data = _data(state)
    form = await request.form()
    consent = data["consents"].pop(str(form.get("consent_id", "")), None)
    if consent is None:
        return _error_page("this authorization request expired or was already answered")
    separator = "&" if "?" in consent["redirect_uri"] else "?"
    if form.get("action") != "authorize":
        query = urlencode({"error": "access_denied", "state": consent["state"]})
        return RedirectResponse(f"{consent['redirect_uri']}{separator}{query}", status_code=302)
    account = state.account(PLATFORM, str(form.get("account", "")))
    if account is None:
        return _error_page("choose an account")
    code = secrets.token_urlsafe(32)
    data["codes"][code] = {**consent, "handle": account.handle, "expires_at": now() + CODE_TTL}
    query = urlencode({"state": consent["state"], "code": code})
    return RedirectResponse(f"{consent['redirect_uri']}{separator}{query}", status_code=302)


def _basic_client(request: Request, data: dict[str, Any]) -> dict | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        client_id, _, secret = base64.b64decode(header[6:].strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client = data["clients"].get(client_id)
    if client is None or not secrets.compare_digest(client["client_secret"], secret):
        return None
    return client


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def _token_answer(state: SimulatorState, handle: str, scope: str, client_id: str) -> JSONResponse:
    ttl = state.access_ttl.get(PLATFORM)
    access = state.issue_token(PLATFORM, handle, "access", ttl=ttl, scopes=scope, client_id=client_id)
    body: dict[str, Any] = {"token_type": "bearer", "expires_in": int(ttl.total_seconds()) if ttl else 7200,
                            "access_token": access.token, "scope": scope}
    if "offline.access" in scope.split():
        # X's refresh tokens have no documented lifetime [unverified]; they live until used once.
        body["refresh_token"] = state.issue_token(PLATFORM, handle, "refresh", scopes=scope, client_id=client_id).token
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.post("/2/oauth2/token")
async def token(request: Request) -> Response:
    state = _state(request)
    data = _data(state)
    form = await request.form()
    grant = form.get("grant_type")
    handle = None
    if grant == "authorization_code":
        pending = data["codes"].get(str(form.get("code", "")))
        handle = pending["handle"] if pending else None
    elif grant == "refresh_token":
        known = state.tokens.get(str(form.get("refresh_token", "")))
        handle = known.handle if known and known.platform == PLATFORM else None
    injected = await faults.before_request(state, PLATFORM, handle, rate_limited=_rate_limited)
    if injected is not None:
        return injected
    # The sandbox client is confidential: X wants HTTP Basic client_id:client_secret [v: XDOC; 3p: tweepy, xdevplatform/oauth2.0-bot#2].
    client = _basic_client(request, data)
    if client is None:
        return _oauth_error(401, "unauthorized_client", "Missing valid authorization header")
    if form.get("client_id") not in (None, client["client_id"]):
        return _oauth_error(400, "invalid_request", "Value passed for the client id was invalid.")
    if grant == "authorization_code":
        code = str(form.get("code", ""))
        pending = data["codes"].pop(code, None)  # single use, even when the exchange fails
        bad_code = "Value passed for the authorization code was invalid."
        if pending is None or pending["expires_at"] <= now() or pending["client_id"] != client["client_id"]:
            return _oauth_error(400, "invalid_request", bad_code)
        if form.get("redirect_uri") != pending["redirect_uri"]:
            return _oauth_error(400, "invalid_request", bad_code)  # [unverified] which message X gives here
        verifier = str(form.get("code_verifier", ""))
        if not re.fullmatch(r"[A-Za-z0-9._~-]{43,128}", verifier) or not secrets.compare_digest(_s256(verifier), pending["code_challenge"]):
            # [3p: xdevplatform/twitter-api-typescript-sdk#26]
            return _oauth_error(400, "invalid_request", "Value passed for the code verifier did not match the code challenge.")
        return _token_answer(state, pending["handle"], pending["scope"], client["client_id"])
    if grant == "refresh_token":
        old = state.tokens.get(str(form.get("refresh_token", "")))
        if old is None or old.platform != PLATFORM or old.kind != "refresh" or old.expired() or old.client_id != client["client_id"]:
            # [3p: several OSS X clients quote this exact answer for a spent refresh token]
            return _oauth_error(400, "invalid_request", "Value passed for the token was invalid.")
        old.revoked = True  # rotation: a refresh token works once
        return _token_answer(state, old.handle, old.scopes, client["client_id"])
    return _oauth_error(400, "unsupported_grant_type", "Value passed for the grant type was invalid.")


# ---------------------------------------------------------------------------------------------
# authenticated API calls: faults, bearer token, scopes, rate-limit headers


@dataclass
class _Call:
    token: Token
    account: SandboxAccount
    headers: dict[str, str]

    def json(self, body: Any, status: int = 200) -> JSONResponse:
        return JSONResponse(body, status_code=status, headers=self.headers)


def _bearer(request: Request, state: SimulatorState) -> Token | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    known = state.tokens.get(header[7:].strip())
    return known if known is not None and known.platform == PLATFORM else None


async def _begin(request: Request, bucket: str, scopes: tuple[str, ...]) -> _Call | Response:
    """Faults first (targeted at the token's user when the token is known), then auth, scopes, rate limit."""
    state = _state(request)
    known = _bearer(request, state)
    handle = known.handle if known else None
    injected = await faults.before_request(state, PLATFORM, handle, rate_limited=lambda reset: _rate_limited(reset, RATE_LIMITS[bucket]))
    if injected is not None:
        return injected
    account = state.account(PLATFORM, handle) if handle else None
    if known is None or known.kind != "access" or known.expired() or account is None or state.faults_for(PLATFORM, handle).auth_fail:
        return _unauthorized()
    granted = set(known.scopes.split())
    if not set(scopes) <= granted:
        # What X says for a token lacking a scope is [unverified]; a plain 403 problem is the likely shape.
        return _problem(403, "Forbidden", f"Missing scopes: {' '.join(sorted(set(scopes) - granted))}")
    limit = RATE_LIMITS[bucket]
    buckets = _data(state)["rate"]
    clock = int(time.time())
    reset, remaining = buckets.get((handle, bucket), (0, limit))
    if reset <= clock:
        reset, remaining = clock + WINDOW, limit
    if remaining <= 0:
        body, headers = _rate_limited(reset, limit)
        return JSONResponse(body, status_code=429, headers=headers)
    remaining -= 1
    buckets[(handle, bucket)] = (reset, remaining)
    return _Call(known, account, {"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": str(remaining),
                                  "x-rate-limit-reset": str(reset)})


@router.get("/2/users/me")
async def users_me(request: Request) -> Response:
    call = await _begin(request, "users:me", ("tweet.read", "users.read"))
    if isinstance(call, Response):
        return call
    for name in request.query_params:
        if name not in ("user.fields", "expansions", "tweet.fields"):
            return _invalid(f"The query parameter [{name}] is not one of [expansions,tweet.fields,user.fields]",
                            call.headers, {name: [request.query_params[name]]})
        if name != "user.fields":  # the user expansions (pinned_tweet_id, ...) are not simulated
            return _invalid(f"The query parameter [{name}] is not implemented by the simulator on /2/users/me",
                            call.headers, {name: [request.query_params[name]]})
    fields = _fields(request, "user.fields")
    for value in sorted(fields):
        if value not in USER_FIELDS:
            return _invalid(f"The `user.fields` query parameter value [{value}] is not one of "
                            f"[{','.join(sorted(USER_FIELDS))}]", call.headers, {"user.fields": [value]})
        if value not in USER_FIELDS_SIMULATED:
            return _invalid(f"The `user.fields` query parameter value [{value}] is not implemented by the simulator",
                            call.headers, {"user.fields": [value]})
    return call.json({"data": _user(_state(request), call.account, fields)})


# ---------------------------------------------------------------------------------------------
# media: simple upload, chunked upload, status, alt text [v: XDOC x-api/media/*]


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    return None


def _media_key(media: dict) -> str:
    prefix = {"tweet_image": "3", "tweet_gif": "16", "tweet_video": "7"}.get(media["category"], "3")
    return f"{prefix}_{media['id']}"


def _category_for(mime: str) -> str | None:
    if mime == "image/gif":
        return "tweet_gif"
    if mime.startswith("image/"):
        return "tweet_image"
    if mime.startswith("video/"):
        return "tweet_video"
    return None


def _media_answer(media: dict, *, with_processing: bool) -> dict:
    body = {"id": media["id"], "media_key": _media_key(media), "size": media["size"],
            "expires_after_secs": max(0, int((media["expires_at"] - now()).total_seconds()))}
    if with_processing and media["processing"] is not None:
        body["processing_info"] = media["processing"]
    return body


@router.post("/2/media/upload")
async def media_upload(request: Request) -> Response:
    """Simple upload of an image: multipart `media` (raw bytes) and `media_category`."""
    call = await _begin(request, "media", ("media.write",))
    if isinstance(call, Response):
        return call
    form = await request.form()
    upload = form.get("media")
    if isinstance(upload, UploadFile):
        payload = await upload.read()
    elif isinstance(upload, str) and upload:
        try:  # base64 is accepted as well [v: XDOC image-or-subtitle-media-upload]
            payload = base64.b64decode(upload, validate=True)
        except binascii.Error:
            return _invalid("media is not valid base64.", call.headers)
    else:
        return _invalid("The `media` field is required.", call.headers, {"media": []})
    category = str(form.get("media_category") or "tweet_image")
    if category not in ("tweet_image", "dm_image"):
        return _invalid(f"media_category {category} needs the chunked upload.", call.headers, {"media_category": [category]})
    sniffed = _sniff(payload[:16])
    if sniffed is None or not sniffed.startswith("image/"):
        return _invalid("media type unrecognized.", call.headers, {"media": []})  # [unverified] wording
    if len(payload) > SIZE_LIMITS["tweet_image"]:
        return _invalid(f"File size exceeds {SIZE_LIMITS['tweet_image']} bytes.", call.headers, {"media": []})  # [unverified] wording
    media = _new_media(_state(request), call, sniffed, "tweet_image", len(payload))
    media.update(size=len(payload), state="finalized")
    return call.json({"data": _media_answer(media, with_processing=False)})


def _new_media(state: SimulatorState, call: _Call, mime: str, category: str, total: int) -> dict:
    media_id = state.next_id()
    media = {"id": media_id, "handle": call.account.handle, "mime": mime, "category": category, "total_bytes": total,
             "chunks": {}, "size": 0, "state": "initialized", "processing": None, "alt_text": None,
             "expires_at": now() + timedelta(seconds=MEDIA_EXPIRES_AFTER)}
    _data(state)["media"][media_id] = media
    return media


@router.post("/2/media/upload/initialize")
async def media_initialize(request: Request) -> Response:
    call = await _begin(request, "media", ("media.write",))
    if isinstance(call, Response):
        return call
    body = await _json_object(request, call.headers)
    if isinstance(body, Response):
        return body
    mime = str(body.get("media_type", ""))
    total = body.get("total_bytes")
    category = str(body.get("media_category") or _category_for(mime) or "")
    if category not in SIZE_LIMITS or _category_for(mime) is None:
        return _invalid(f"media_type {mime!r} is not supported.", call.headers, {"media_type": [mime]})
    if not isinstance(total, int) or isinstance(total, bool) or total <= 0:
        return _invalid("total_bytes must be a positive integer.", call.headers, {"total_bytes": [str(total)]})
    if total > SIZE_LIMITS[category]:
        return _invalid(f"File size exceeds {SIZE_LIMITS[category]} bytes.", call.headers, {"total_bytes": [str(total)]})
    media = _new_media(_state(request), call, mime, category, total)
    return call.json({"data": {"id": media["id"], "media_key": _media_key(media), "expires_after_secs": MEDIA_EXPIRES_AFTER}})


def _own_media(request: Request, call: _Call, media_id: str) -> dict | None:
    media = _data(_state(request))["media"].get(media_id)
    return media if media is not None and media["handle"] == call.account.handle and media["expires_at"] > now() else None


@router.post("/2/media/upload/{media_id}/append")
async def media_append(request: Request, media_id: str) -> Response:
    call = await _begin(request, "media", ("media.write",))
    if isinstance(call, Response):
        return call
    media = _own_media(request, call, media_id)
    if media is None or media["state"] != "initialized":
        return _invalid("Invalid or expired media id.", call.headers, {"id": [media_id]})
    form = await request.form()
    upload, index = form.get("media"), str(form.get("segment_index", ""))
    if not isinstance(upload, UploadFile) or not index.isdigit() or int(index) > 999:
        return _invalid("`media` and `segment_index` (0-999) are required.", call.headers, {"segment_index": [index]})
    media["chunks"][int(index)] = await upload.read()
    if sum(len(c) for c in media["chunks"].values()) > media["total_bytes"]:
        return _invalid("The uploaded segments exceed total_bytes.", call.headers)
    # The append answer's body is [unverified]; an expiry is what X's v2 schema lists.
    return call.json({"data": {"expires_at": int(media["expires_at"].timestamp())}})


@router.post("/2/media/upload/{media_id}/finalize")
async def media_finalize(request: Request, media_id: str) -> Response:
    call = await _begin(request, "media", ("media.write",))
    if isinstance(call, Response):
        return call
    media = _own_media(request, call, media_id)
    if media is None or media["state"] != "initialized":
        return _invalid("Invalid or expired media id.", call.headers, {"id": [media_id]})
    payload = b"".join(media["chunks"][i] for i in sorted(media["chunks"]))
    media["chunks"] = {}
    if len(payload) != media["total_bytes"]:
        return _invalid(f"Segments total {len(payload)} bytes, but total_bytes is {media['total_bytes']}.", call.headers)
    sniffed = _sniff(payload[:16])
    if sniffed is None or _category_for(sniffed) != media["category"]:
        return _invalid("media type unrecognized.", call.headers)
    media.update(size=len(payload), state="finalized")
    if media["category"] != "tweet_image":  # videos and GIFs are transcoded: poll STATUS
        media["processing"] = {"state": "pending", "check_after_secs": 1}
    return call.json({"data": _media_answer(media, with_processing=True)})


@router.get("/2/media/upload")
async def media_status(request: Request) -> Response:
    call = await _begin(request, "media", ("media.write",))
    if isinstance(call, Response):
        return call
    if request.query_params.get("command") != "STATUS":
        return _invalid("command must be STATUS.", call.headers, {"command": [request.query_params.get("command", "")]})
    media_id = request.query_params.get("media_id", "")
    media = _own_media(request, call, media_id)
    if media is None or media["state"] != "finalized":
        return _invalid("Invalid or expired media id.", call.headers, {"media_id": [media_id]})
    processing = media["processing"]
    if processing is not None and processing["state"] != "succeeded":  # pending -> in_progress -> succeeded
        media["processing"] = ({"state": "in_progress", "check_after_secs": 1, "progress_percent": 50}
                               if processing["state"] == "pending" else {"state": "succeeded", "progress_percent": 100})
    return call.json({"data": _media_answer(media, with_processing=True)})


@router.post("/2/media/metadata")
async def media_metadata(request: Request) -> Response:
    """Alt text: {"id", "metadata": {"alt_text": {"text"}}} [v: XDOC create-media-metadata]."""
    call = await _begin(request, "media", ("media.write",))
    if isinstance(call, Response):
        return call
    body = await _json_object(request, call.headers)
    if isinstance(body, Response):
        return body
    media_id = str(body.get("id", ""))
    media = _own_media(request, call, media_id)
    if media is None:
        return _invalid("Invalid or expired media id.", call.headers, {"id": [media_id]})
    alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
    if not isinstance(alt, str) or len(alt) > 1000:
        return _invalid("alt_text.text must be a string of at most 1000 characters.", call.headers)
    media["alt_text"] = alt
    return call.json({"data": {"id": media_id, "associated_metadata": {"alt_text": {"text": alt}}}})


# ---------------------------------------------------------------------------------------------
# tweets


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


@router.post("/2/tweets")
async def create_tweet(request: Request) -> Response:
    state = _state(request)
    call = await _begin(request, "tweets:create", ("tweet.read", "tweet.write", "users.read"))
    if isinstance(call, Response):
        return call
    body = await _json_object(request, call.headers)
    if isinstance(body, Response):
        return body
    refused = _refused_body(body, call.headers)
    if refused is not None:
        return refused
    text = body.get("text", "")
    media_ids = ((body.get("media") or {}).get("media_ids")) or []
    reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
    quote_of = body.get("quote_tweet_id")
    if not isinstance(text, str) or not isinstance(media_ids, list):
        return _invalid("`text` must be a string and `media.media_ids` a list.", call.headers)
    if not text.strip() and not media_ids:
        return _invalid("Your Tweet text is empty.", call.headers, {"text": [text]})  # [unverified] wording
    if count_length(PLATFORM, text) > MAX_TEXT:
        return _invalid("Your Tweet text is too long. For more information on how Twitter determines text length see "
                        "https://github.com/twitter/twitter-text.", call.headers)
    if len(media_ids) > MAX_MEDIA_PER_TWEET:
        return _invalid(f"Your Tweet can have at most {MAX_MEDIA_PER_TWEET} media.", call.headers, {"media.media_ids": media_ids})
    store = _data(state)["media"]
    media = [store.get(str(m)) for m in media_ids]
    if any(m is None or m["handle"] != call.account.handle or m["state"] != "finalized" or m["expires_at"] <= now()
           or (m["processing"] is not None and m["processing"]["state"] != "succeeded") for m in media):
        return _invalid("Your media IDs are invalid.", call.headers, {"media.media_ids": media_ids})
    if len(media) > 1 and any(m["category"] != "tweet_image" for m in media):
        return _invalid("A Tweet can have 4 images, or 1 GIF, or 1 video.", call.headers, {"media.media_ids": media_ids})
    parent = None
    if reply_to is not None:
        parent = state.find_post(PLATFORM, str(reply_to))
        if parent is None:
            return _invalid("The Tweet you are replying to has been deleted or is not visible to you.", call.headers,
                            {"reply.in_reply_to_tweet_id": [str(reply_to)]})
    quoted = None
    if quote_of is not None:
        quoted = state.find_post(PLATFORM, str(quote_of))
        if quoted is None:  # [unverified] wording
            return _invalid("The Tweet you are quoting has been deleted or is not visible to you.", call.headers,
                            {"quote_tweet_id": [str(quote_of)]})
    if text.strip():
        since = now() - DUPLICATE_WINDOW
        if any(p.created_at >= since and _normal(p.text) == _normal(text) for p in state.posts_of(PLATFORM, call.account.handle)):
            # [v: XISS akrherz/iembot#163]
            return JSONResponse({"detail": "You are not allowed to create a Tweet with duplicate content.", "type": "about:blank",
                                 "title": "Forbidden", "status": 403}, status_code=403, headers=call.headers)
    tweet_id = state.next_id()
    handle = call.account.handle
    post = RemotePost(platform=PLATFORM, handle=handle, remote_id=tweet_id, text=text, created_at=now(),
                      url=f"https://x.com/{handle}/status/{tweet_id}", reply_to=str(reply_to) if reply_to is not None else None,
                      media_ids=[m["id"] for m in media],
                      extra={"conversation_id": parent.extra.get("conversation_id", parent.remote_id) if parent else tweet_id,
                             "media_keys": [_media_key(m) for m in media],
                             "quote_of": quoted.remote_id if quoted else None})
    state.posts.append(post)
    if parent is not None:
        parent.add("replies", tweet_id)
    if quoted is not None:
        quoted.add("quotes", tweet_id)
    await faults.after_write(state, PLATFORM, handle)
    return call.json({"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}}, status=201)


def _fields(request: Request, name: str = "tweet.fields") -> set[str]:
    return {f.strip() for f in request.query_params.get(name, "").split(",") if f.strip()}


def _refused_body(body: dict, headers: dict) -> JSONResponse | None:
    """X validates the body against its schema (no additional properties); a field X knows but the
    simulator does not act on is refused too, so a test never passes on a field that did nothing."""
    for name in body:
        if name not in TWEET_BODY:
            return _invalid(f"$.{name}: is not defined in the schema and the schema does not allow additional "
                            "properties", headers)
        if name not in TWEET_BODY_SIMULATED:
            return _invalid(f"$.{name}: the simulator does not implement this field", headers)
    for name, allowed in (("media", {"media_ids"}), ("reply", {"in_reply_to_tweet_id"})):
        part = body.get(name)
        if isinstance(part, dict) and set(part) - allowed:
            return _invalid(f"$.{name}.{sorted(set(part) - allowed)[0]}: the simulator does not implement this field",
                            headers)
    return None


def _refused_query(request: Request, headers: dict, allowed: set[str]) -> JSONResponse | None:
    """X's 400 for a query parameter the endpoint does not take, or a field value it does not know;
    a value X knows but the simulator does not produce is refused as well (saying so)."""
    for name in request.query_params:
        if name not in allowed:
            return _invalid(f"The query parameter [{name}] is not one of [{','.join(sorted(allowed))}]", headers,
                            {name: [request.query_params[name]]})
    for name, known, simulated in (("tweet.fields", TWEET_FIELDS, TWEET_FIELDS_SIMULATED),
                                   ("user.fields", USER_FIELDS, USER_FIELDS_SIMULATED),
                                   ("expansions", EXPANSIONS, EXPANSIONS_SIMULATED)):
        for value in sorted(_fields(request, name)):
            if value not in known:
                return _invalid(f"The `{name}` query parameter value [{value}] is not one of "
                                f"[{','.join(sorted(known))}]", headers, {name: [value]})
            if value not in simulated:
                return _invalid(f"The `{name}` query parameter value [{value}] is not implemented by the simulator "
                                f"(it gives {','.join(sorted(simulated))})", headers, {name: [value]})
    return None


def _user(state: SimulatorState, account: SandboxAccount, fields: set[str]) -> dict:
    out: dict[str, Any] = {"id": account.remote_id, "name": account.display_name, "username": account.handle}
    if "created_at" in fields:
        out["created_at"] = "2024-01-01T00:00:00.000Z"
    if "description" in fields:
        out["description"] = ""
    if "protected" in fields:
        out["protected"] = False
    if "verified" in fields:
        out["verified"] = False
    if "public_metrics" in fields:
        out["public_metrics"] = {"followers_count": 0, "following_count": 0, "listed_count": 0,
                                 "tweet_count": len(state.posts_of(PLATFORM, account.handle)),
                                 "like_count": sum(1 for p in state.posts_of(PLATFORM) if account.handle in p.activity.get("likes", ()))}
    return out


def _includes(state: SimulatorState, request: Request, posts: list[RemotePost]) -> dict:
    """`includes.users` for expansions=author_id (the authors, once each, with user.fields)."""
    if "author_id" not in _fields(request, "expansions"):
        return {}
    handles = list(dict.fromkeys(p.handle for p in posts))
    users = [_user(state, a, _fields(request, "user.fields")) for h in handles if (a := state.account(PLATFORM, h))]
    return {"includes": {"users": users}} if users else {}


TWEET_LOOKUP_PARAMS = {"expansions", "media.fields", "place.fields", "poll.fields", "tweet.fields", "user.fields"}


def _render(state: SimulatorState, post: RemotePost, fields: set[str]) -> dict:
    """A Tweet object: id, text and edit_history_tweet_ids always; the rest on request via tweet.fields."""
    out: dict[str, Any] = {"id": post.remote_id, "text": post.text, "edit_history_tweet_ids": [post.remote_id]}
    account = state.account(PLATFORM, post.handle)
    if "created_at" in fields:
        out["created_at"] = _ts(post.created_at)
    if "author_id" in fields and account:
        out["author_id"] = account.remote_id
    if "conversation_id" in fields:
        out["conversation_id"] = post.extra.get("conversation_id", post.remote_id)
    if "attachments" in fields and post.extra.get("media_keys"):
        out["attachments"] = {"media_keys": post.extra["media_keys"]}
    referenced = ([{"type": "replied_to", "id": post.reply_to}] if post.reply_to else []) + (
        [{"type": "quoted", "id": post.extra["quote_of"]}] if post.extra.get("quote_of") else [])
    if "referenced_tweets" in fields and referenced:
        out["referenced_tweets"] = referenced
    if "in_reply_to_user_id" in fields and post.reply_to:
        parent = next((p for p in state.posts if p.platform == PLATFORM and p.remote_id == post.reply_to), None)
        replied = state.account(PLATFORM, parent.handle) if parent else None
        if replied:
            out["in_reply_to_user_id"] = replied.remote_id
    if "possibly_sensitive" in fields:
        out["possibly_sensitive"] = False
    if "reply_settings" in fields:
        out["reply_settings"] = "everyone"
    if "public_metrics" in fields:
        out["public_metrics"] = {name: post.count(metric) for metric, name in METRIC_FIELDS.items()
                                 if not state.is_retired(PLATFORM, metric)}
    return out


def _not_found(kind: str, value: str, parameter: str) -> dict:
    # A lookup of a missing resource answers 200 with an "errors" entry, not 404.
    return {"value": value, "detail": f"Could not find {kind} with {parameter}: [{value}].", "title": "Not Found Error",
            "resource_type": kind, "parameter": parameter, "resource_id": value, "type": PROBLEM_NOT_FOUND}


@router.get("/2/tweets/{tweet_id}")
async def get_tweet(request: Request, tweet_id: str) -> Response:
    state = _state(request)
    call = await _begin(request, "tweets:lookup", ("tweet.read", "users.read"))
    if isinstance(call, Response):
        return call
    if not tweet_id.isdigit():
        return _invalid(f"The `id` query parameter value [{tweet_id}] does not match ^[0-9]{{1,19}}$", call.headers, {"id": [tweet_id]})
    refused = _refused_query(request, call.headers, TWEET_LOOKUP_PARAMS)
    if refused is not None:
        return refused
    post = state.find_post(PLATFORM, tweet_id)
    if post is None:
        return call.json({"errors": [_not_found("tweet", tweet_id, "id")]})
    return call.json({"data": _render(state, post, _fields(request)), **_includes(state, request, [post])})


@router.get("/2/tweets")
async def get_tweets(request: Request) -> Response:
    state = _state(request)
    call = await _begin(request, "tweets:lookup", ("tweet.read", "users.read"))
    if isinstance(call, Response):
        return call
    ids = [i.strip() for i in request.query_params.get("ids", "").split(",") if i.strip()]
    if not ids or len(ids) > 100 or not all(i.isdigit() for i in ids):
        return _invalid("The `ids` query parameter must hold 1 to 100 comma-separated ids.", call.headers, {"ids": ids})
    refused = _refused_query(request, call.headers, TWEET_LOOKUP_PARAMS | {"ids"})
    if refused is not None:
        return refused
    fields = _fields(request)
    found, missing = [], []
    for tweet_id in ids:
        post = state.find_post(PLATFORM, tweet_id)
        (found.append(post) if post else missing.append(_not_found("tweet", tweet_id, "ids")))
    body: dict[str, Any] = {}
    if found:
        body["data"] = [_render(state, p, fields) for p in found]
        body.update(_includes(state, request, found))
    if missing:
        body["errors"] = missing
    return call.json(body)


def _parse_time(value: str) -> datetime | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})", value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


@router.get("/2/users/{user_id}/tweets")
async def user_tweets(request: Request, user_id: str) -> Response:
    """A user's timeline, newest first, with start_time/end_time/since_id/until_id and pagination."""
    state = _state(request)
    call = await _begin(request, "users:tweets", ("tweet.read", "users.read"))
    if isinstance(call, Response):
        return call
    q = request.query_params
    refused = _refused_query(request, call.headers, TWEET_LOOKUP_PARAMS | {
        "max_results", "start_time", "end_time", "since_id", "until_id", "pagination_token", "exclude"})
    if refused is not None:
        return refused
    exclude = _fields(request, "exclude")
    if not exclude <= {"replies", "retweets"}:
        return _invalid(f"The `exclude` query parameter value [{sorted(exclude - {'replies', 'retweets'})[0]}] is not one "
                        "of [replies,retweets]", call.headers)
    raw_max = q.get("max_results", "10")
    if not raw_max.isdigit() or not 5 <= int(raw_max) <= 100:
        return _invalid(f"The `max_results` query parameter value [{raw_max}] is not between 5 and 100", call.headers,
                        {"max_results": [raw_max]})
    bounds = {}
    for name in ("start_time", "end_time"):
        if q.get(name):
            parsed = _parse_time(q[name])
            if parsed is None:
                return _invalid(f"Invalid '{name}':'{q[name]}'. '{name}' must be a timestamp in RFC 3339 format "
                                "(YYYY-MM-DDTHH:mm:ssZ).", call.headers, {name: [q[name]]})
            bounds[name] = parsed
    account = _account_by_id(state, user_id)
    if account is None:
        return call.json({"errors": [_not_found("user", user_id, "id")]})
    # Retweets are not tweets of the timeline here, so exclude=retweets has nothing to leave out.
    posts = sorted((p for p in state.posts_of(PLATFORM, account.handle) if not ("replies" in exclude and p.reply_to)),
                   key=lambda p: int(p.remote_id), reverse=True)
    if "start_time" in bounds:
        posts = [p for p in posts if p.created_at >= bounds["start_time"]]
    if "end_time" in bounds:
        posts = [p for p in posts if p.created_at <= bounds["end_time"]]
    if q.get("since_id", "").isdigit():
        posts = [p for p in posts if int(p.remote_id) > int(q["since_id"])]
    if q.get("until_id", "").isdigit():
        posts = [p for p in posts if int(p.remote_id) < int(q["until_id"])]
    offset = 0
    if q.get("pagination_token"):
        try:
            offset = int(base64.urlsafe_b64decode(q["pagination_token"].encode()).decode().removeprefix("p:"))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return _invalid("The `pagination_token` query parameter value is invalid.", call.headers)
    page = posts[offset:offset + int(raw_max)]
    meta: dict[str, Any] = {"result_count": len(page)}
    if page:
        meta.update(newest_id=page[0].remote_id, oldest_id=page[-1].remote_id)
    if offset + len(page) < len(posts):
        meta["next_token"] = base64.urlsafe_b64encode(f"p:{offset + len(page)}".encode()).decode()
    body: dict[str, Any] = {"meta": meta}
    if page:  # X leaves "data" out of an empty page
        body = {"data": [_render(state, p, _fields(request)) for p in page], "meta": meta,
                **_includes(state, request, page)}
    return call.json(body)


# ---------------------------------------------------------------------------------------------
# likes, retweets, deletion: what a sandbox account does moves the tweet's public_metrics


def _forbidden_other_user(call: _Call, user_id: str) -> JSONResponse | None:
    """The :id of /2/users/:id/... must be the token's user [unverified: X's exact words]."""
    if user_id != call.account.remote_id:
        return _problem(403, "Forbidden", "You are not permitted to perform this action.", headers=call.headers)
    return None


async def _acted_on(request: Request, call: _Call, user_id: str) -> RemotePost | JSONResponse:
    """The tweet named by the body's `tweet_id`, or X's answer refusing the request."""
    forbidden = _forbidden_other_user(call, user_id)
    if forbidden is not None:
        return forbidden
    body = await _json_object(request, call.headers)
    if isinstance(body, Response):
        return body
    unknown = set(body) - {"tweet_id"}
    if unknown:
        return _invalid(f"$.{sorted(unknown)[0]}: is not defined in the schema and the schema does not allow "
                        "additional properties", call.headers)
    tweet_id = body.get("tweet_id")
    if not isinstance(tweet_id, str) or not tweet_id.isdigit():
        return _invalid("$.tweet_id: must be a string of digits", call.headers, {"tweet_id": [str(tweet_id)]})
    post = _state(request).find_post(PLATFORM, tweet_id)
    if post is None:  # [unverified] wording
        return _invalid("The Tweet is deleted or not visible to you.", call.headers, {"tweet_id": [tweet_id]})
    return post


def _undone_on(request: Request, call: _Call, user_id: str, tweet_id: str) -> RemotePost | JSONResponse | None:
    """The tweet of a DELETE .../likes/:tweet_id (None: nothing to undo, answered as done)."""
    forbidden = _forbidden_other_user(call, user_id)
    if forbidden is not None:
        return forbidden
    if not tweet_id.isdigit():
        return _invalid(f"The `tweet_id` path parameter value [{tweet_id}] does not match ^[0-9]{{1,19}}$",
                        call.headers, {"tweet_id": [tweet_id]})
    return _state(request).find_post(PLATFORM, tweet_id)


@router.post("/2/users/{user_id}/likes")
async def like(request: Request, user_id: str) -> Response:
    call = await _begin(request, "likes", ("tweet.read", "users.read", "like.write"))
    if isinstance(call, Response):
        return call
    post = await _acted_on(request, call, user_id)
    if isinstance(post, Response):
        return post
    post.add("likes", call.account.handle)
    return call.json({"data": {"liked": True}})


@router.delete("/2/users/{user_id}/likes/{tweet_id}")
async def unlike(request: Request, user_id: str, tweet_id: str) -> Response:
    call = await _begin(request, "likes", ("tweet.read", "users.read", "like.write"))
    if isinstance(call, Response):
        return call
    post = _undone_on(request, call, user_id, tweet_id)
    if isinstance(post, Response):
        return post
    if post is not None:
        post.remove("likes", call.account.handle)
    return call.json({"data": {"liked": False}})


@router.post("/2/users/{user_id}/retweets")
async def retweet(request: Request, user_id: str) -> Response:
    call = await _begin(request, "retweets", ("tweet.read", "users.read", "tweet.write"))
    if isinstance(call, Response):
        return call
    post = await _acted_on(request, call, user_id)
    if isinstance(post, Response):
        return post
    retweets: dict[str, str] = post.extra.setdefault("retweets", {})
    rest_id = retweets.setdefault(call.account.handle, _state(request).next_id())
    post.add("reposts", call.account.handle)
    return call.json({"data": {"retweeted": True, "rest_id": rest_id}})


@router.delete("/2/users/{user_id}/retweets/{source_tweet_id}")
async def unretweet(request: Request, user_id: str, source_tweet_id: str) -> Response:
    call = await _begin(request, "retweets", ("tweet.read", "users.read", "tweet.write"))
    if isinstance(call, Response):
        return call
    post = _undone_on(request, call, user_id, source_tweet_id)
    if isinstance(post, Response):
        return post
    if post is not None:
        post.extra.get("retweets", {}).pop(call.account.handle, None)
        post.remove("reposts", call.account.handle)
    return call.json({"data": {"retweeted": False}})


@router.delete("/2/tweets/{tweet_id}")
async def delete_tweet(request: Request, tweet_id: str) -> Response:
    """The author deletes; someone else's tweet is 403 and a missing one 404 [unverified: both bodies].
    The tweet it replied to loses a reply, the one it quoted a quote."""
    state = _state(request)
    call = await _begin(request, "tweets:delete", ("tweet.read", "users.read", "tweet.write"))
    if isinstance(call, Response):
        return call
    if not tweet_id.isdigit():
        return _invalid(f"The `id` query parameter value [{tweet_id}] does not match ^[0-9]{{1,19}}$", call.headers,
                        {"id": [tweet_id]})
    post = state.find_post(PLATFORM, tweet_id)
    if post is None:
        return JSONResponse({"errors": [_not_found("tweet", tweet_id, "id")], "title": "Not Found Error",
                             "type": PROBLEM_NOT_FOUND, "detail": f"Could not find tweet with id: [{tweet_id}]."},
                            status_code=404, headers=call.headers)
    if post.handle != call.account.handle:
        return _problem(403, "Forbidden", "You are not allowed to delete a Tweet you did not author.",
                        headers=call.headers)
    post.deleted_at = now()
    for metric, other in (("replies", post.reply_to), ("quotes", post.extra.get("quote_of"))):
        target = state.find_post(PLATFORM, other) if other else None
        if target is not None:
            target.remove(metric, post.remote_id)
    return call.json({"data": {"deleted": True}})


def unknown_route(request: Request) -> Response:
    """An endpoint X does not have [unverified: X's v2 answers an unknown path with this v1.1-style body]."""
    return JSONResponse({"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}, status_code=404)
