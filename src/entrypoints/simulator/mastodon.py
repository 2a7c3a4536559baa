"""A simulated Mastodon instance (mounted at /mastodon, so its base URL is http://HOST/mastodon).

It answers as a Mastodon 4.4 server does (platforms.md section 1; MDOC, and mastodon/mastodon's
config/initializers/rack_attack.rb and concerns/rate_limit_headers.rb for the throttles):

- OAuth: `POST /api/v1/apps` (confidential clients only), `GET /oauth/authorize` (a consent page:
  the sandbox accounts stand in for "log in"), `POST /oauth/authorize` (302 back with `code` and
  `state`, or `error=access_denied`), `POST /oauth/token` (PKCE S256 checked), `POST /oauth/revoke`.
  Tokens never expire (Mastodon's Token entity has no expiry); `/_control/tokens/expire` and
  revocation make them invalid, which answers 401 `{"error":"The access token is invalid"}`.
- `GET /api/v1/accounts/verify_credentials`, `GET /api/v1/accounts/:id`, `GET /api/v1/instance` and
  `GET /api/v2/instance` (version and configuration: statuses.max_characters, media limits).
- Media: `POST /api/v2/media` answers 200 for images (processed at once) and 202 for video (processed
  in the background: `GET /api/v1/media/:id` answers 206 until it is ready, then 200); an image over
  the advertised `image_size_limit` bytes or `image_matrix_limit` pixels is refused with 422.
- Statuses: `POST /api/v1/statuses` (form or JSON, `Idempotency-Key` kept 1 hour per account),
  `GET /api/v1/statuses/:id`, `GET /api/v1/accounts/:id/statuses` (newest first, Link paging),
  `DELETE /api/v1/statuses/:id` (the author only), `GET /api/v1/statuses/:id/context`.
- Interactions: favourite/unfavourite, reblog/unreblog. A status's counts are the control API's plus
  what sandbox accounts did here (favourites, boosts, replies); a metric retired through the control
  API leaves its `*_count` field out of every Status.
- Paths with a trailing slash are the same route (Rails); an unknown path answers 404 as Mastodon's
  catch-all route does (see app.py).
- Rate limits as rack-attack: fixed windows, 300 requests per 5 minutes per account (per IP when
  unauthenticated) on /api, and 30 media uploads per 30 minutes. Every /api answer carries
  `X-RateLimit-Limit/Remaining/Reset` (reset in ISO 8601 with microseconds, as `iso8601(6)`); a 429
  answers `{"error":"Too many requests"}`. The OAuth pages are outside /api, so, as on Mastodon,
  they carry no rate-limit headers.

Tunables live in `state.platform_data("mastodon")`: "configuration" (the instance's limits, read by
`/api/v2/instance` and enforced on statuses), "rate_limits" ({"api": (limit, seconds), "media": ...})
and "media_processing_seconds" (how long a video stays in 206).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import html
import re
import secrets
import struct
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute
from starlette.datastructures import UploadFile
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from domain.shared.platforms import count_length
from entrypoints.simulator import faults
from entrypoints.simulator.state import RemotePost, SandboxAccount, SimulatorState, Token, now
from entrypoints.simulator.urls import simulator_base

PLATFORM = "mastodon"
PREFIX = "/mastodon"  # app.py mounts this router here; the instance's base URL is HOST + PREFIX
VERSION = "4.4.0"

OOB = "urn:ietf:wg:oauth:2.0:oob"
CODE_TTL = timedelta(minutes=10)          # Doorkeeper's authorization_code_expires_in
IDEMPOTENCY_TTL = timedelta(hours=1)      # MDOC statuses.md: "stored for up to 1 hour"
IMAGE_LIMIT = 16 * 1024 * 1024            # MDOC user/posting.md: images up to 16 MB
VIDEO_LIMIT = 99 * 1024 * 1024            # Mastodon's MediaAttachment::VIDEO_LIMIT
DESCRIPTION_LIMIT = 1_500

DEFAULT_CONFIGURATION: dict[str, Any] = {
    "statuses": {"max_characters": 500, "max_media_attachments": 4, "characters_reserved_per_url": 23},
    "media_attachments": {
        "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/heic", "image/heif", "image/webp",
                                 "image/avif", "video/webm", "video/mp4", "video/quicktime"],
        "description_limit": DESCRIPTION_LIMIT,
        "image_size_limit": IMAGE_LIMIT,
        "image_matrix_limit": 33_177_600,
        "video_size_limit": VIDEO_LIMIT,
        "video_frame_rate_limit": 120,
        "video_matrix_limit": 8_294_400,
    },
    "polls": {"max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2_629_746},
}
# (limit, period in seconds); "deletes" covers status deletes and unreblogs [v: MDOC api/rate-limits.md]
DEFAULT_RATE_LIMITS = {"api": (300, 300), "media": (30, 1800), "deletes": (30, 1800)}

SCOPES = {
    "read", "write", "follow", "push", "profile",
    *(f"read:{s}" for s in ("accounts", "blocks", "bookmarks", "favourites", "filters", "follows", "lists", "mutes",
                            "notifications", "search", "statuses")),
    *(f"write:{s}" for s in ("accounts", "blocks", "bookmarks", "conversations", "favourites", "filters", "follows",
                             "lists", "media", "mutes", "notifications", "reports", "statuses")),
}
SCOPE_LABELS = {
    "read": "Read all your account's data", "write": "Modify all your account's data",
    "profile": "Read only your account's profile information", "follow": "Modify account relationships",
    "push": "Receive your push notifications", "read:statuses": "See all posts", "read:accounts": "See accounts information",
    "write:statuses": "Publish posts", "write:media": "Upload media files",
}
READ_ACCOUNT = ("profile", "read", "read:accounts")
READ_STATUSES = ("read", "read:statuses")
WRITE_STATUSES = ("write", "write:statuses")
WRITE_MEDIA = ("write", "write:media")
WRITE_FAVOURITES = ("write", "write:favourites")

INVALID_TOKEN = "The access token is invalid"
NOT_FOUND = "Record not found"
INVALID_CLIENT = ("Client authentication failed due to unknown client, no client authentication included, "
                  "or unsupported authentication method.")
INVALID_GRANT = ("The provided authorization grant is invalid, expired, revoked, does not match the redirection URI "
                 "used in the authorization request, or was issued to another client.")


# -- plumbing: answers that end a request early, and rate-limit headers on every /api answer ----------

class _Answer(Exception):
    """Answer this instead (raised from anywhere in a handler)."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _error(status: int, message: str, **extra: Any) -> _Answer:
    return _Answer(JSONResponse({"error": message, **extra}, status_code=status))


class _MastodonRoute(APIRoute):
    """Turns `_Answer` into its response and adds the request's rate-limit headers to any answer."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except _Answer as answer:
                response = answer.response
            for name, value in getattr(request.state, "mastodon_rate", {}).items():
                response.headers.setdefault(name, value)
            return response

        return route


router = APIRouter(route_class=_MastodonRoute)


def _state(request: Request) -> SimulatorState:
    return request.app.state.simulator


def _data(state: SimulatorState) -> dict[str, Any]:
    data = state.platform_data(PLATFORM)
    data.setdefault("configuration", copy.deepcopy(DEFAULT_CONFIGURATION))
    for rule, limit in DEFAULT_RATE_LIMITS.items():
        data.setdefault("rate_limits", {}).setdefault(rule, limit)
    data.setdefault("media_processing_seconds", 0.3)
    for name in ("apps", "codes", "media", "idempotency", "throttles", "scheduled"):
        data.setdefault(name, {})
    return data


def _base(request: Request) -> str:
    return simulator_base(request) + PREFIX


def _iso(moment: datetime) -> str:
    """Mastodon's entity timestamps: milliseconds and Z."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _iso6(epoch: float) -> str:
    """Ruby's Time#iso8601(6) in UTC, as X-RateLimit-Reset carries it."""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _rate_headers(limit: int, remaining: int, reset_epoch: float) -> dict[str, str]:
    return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(max(remaining, 0)),
            "X-RateLimit-Reset": _iso6(reset_epoch)}


def _throttle(request: Request, state: SimulatorState, key: str, *, also: str | None = None) -> None:
    """rack-attack's fixed windows: count this request; 429 when a throttle is exceeded. The headers of
    the most limited throttle go on the answer (rate_limit_headers.rb)."""
    data = _data(state)
    counters: dict[tuple[str, str, int], int] = data["throttles"]
    rules = [("api", key)] + ([(also, key)] if also else [])
    moment = time.time()
    best: dict[str, str] | None = None
    best_remaining = None
    for rule, who in rules:
        limit, period = data["rate_limits"][rule]
        window = int(moment) // period
        slot = (rule, who, window)
        counters[slot] = counters.get(slot, 0) + 1
        reset = (window + 1) * period
        if counters[slot] > limit:
            raise _Answer(JSONResponse({"error": "Too many requests"}, status_code=429,
                                       headers=_rate_headers(limit, 0, reset)))
        remaining = limit - counters[slot]
        if best_remaining is None or remaining < best_remaining:
            best, best_remaining = _rate_headers(limit, remaining, reset), remaining
    if len(counters) > 10_000:  # forget finished windows
        for slot in [s for s in counters if s[2] < int(moment) // data["rate_limits"][s[0]][1]]:
            del counters[slot]
    request.state.mastodon_rate = best


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.query_params.get("access_token") or None  # Doorkeeper's from_access_token_param


@dataclass
class _Caller:
    state: SimulatorState
    token: Token | None = None
    account: SandboxAccount | None = None
    scopes: set[str] = field(default_factory=set)

    @property
    def user(self) -> SandboxAccount:
        """The token's account, where `_enter(user=True)` required one (it answered 422 without)."""
        assert self.account is not None
        return self.account


async def _enter(request: Request, *, auth: str, scopes: tuple[str, ...] = (), user: bool = True,
                 media_upload: bool = False, deletes: bool = False) -> _Caller:
    """What every /api request goes through, in Mastodon's order: injected faults, rack-attack
    throttles, then Doorkeeper. `auth` is "required" (doorkeeper_authorize!), "optional"
    (authorize_if_got_token!: a token, if sent, must be valid) or "none" (the token is not looked at)."""
    state = _state(request)
    presented = _bearer(request)
    token = state.tokens.get(presented) if presented else None
    if token is not None and (token.platform != PLATFORM or token.kind != "access" or token.expired()):
        token = None
    account = state.account(PLATFORM, token.handle) if token is not None and token.handle else None
    handle = account.handle if account else None

    api = _data(state)["rate_limits"]["api"][0]
    injected = await faults.before_request(
        state, PLATFORM, handle,
        rate_limited=lambda reset: ({"error": "Too many requests"}, _rate_headers(api, 0, reset)))
    if injected is not None:
        raise _Answer(injected)

    client_ip = request.client.host if request.client else "unknown"
    _throttle(request, state, f"account:{handle}" if handle else f"ip:{client_ip}",
              also="media" if media_upload else "deletes" if deletes else None)

    if auth == "none":
        return _Caller(state)
    if presented is None:
        if auth == "required":
            raise _error(401, INVALID_TOKEN)
        return _Caller(state)
    if token is None or (handle and state.faults_for(PLATFORM, handle).auth_fail):
        raise _error(401, INVALID_TOKEN)
    granted = set(token.scopes.split())
    if scopes and not granted & set(scopes):
        raise _error(403, "This action is outside the authorized scopes")
    if user and account is None:
        raise _error(422, "This method requires an authenticated user")
    return _Caller(state, token, account, granted)


async def _params(request: Request) -> dict[str, Any]:
    """Rails' params: the query string, then a form, multipart or JSON body. `key[]` becomes a list."""
    params: dict[str, Any] = {}

    def put(key: str, value: Any) -> None:
        if key.endswith("[]"):
            params.setdefault(key[:-2], []).append(value)
        else:
            params[key] = value

    for key, value in request.query_params.multi_items():
        put(key, value)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise _error(400, "Error occurred while parsing request parameters.") from None
        if not isinstance(body, dict):
            raise _error(400, "Error occurred while parsing request parameters.")
        params.update(body)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form(max_part_size=IMAGE_LIMIT)
        for key, part in form.multi_items():  # a text field or an UploadFile
            put(key, part)
    return params


def _text(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if value is None or isinstance(value, UploadFile):
        return ""
    return str(value)


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true", "on", "yes")


def unknown_route(request: Request) -> Response:
    """Mastodon's catch-all route (`*unmatched_route` -> raise_not_found): a 404 for any unknown path or
    method, JSON `{"error": "Not Found"}` to a client asking for JSON, the HTML error page otherwise
    (ApplicationController#respond_with_error lists `format.any` first, so `*/*` gets HTML)."""
    accept = request.headers.get("accept", "")
    if "application/json" in accept:
        return JSONResponse({"error": "Not Found"}, status_code=404)
    return _page("The page you are looking for isn't here.",
                 "<h1>The page you are looking for isn't here.</h1>", status=404)


# -- entities --------------------------------------------------------------------------------------

def _account_json(state: SimulatorState, account: SandboxAccount, base: str, *, credentials: bool = False) -> dict:
    posts = state.posts_of(PLATFORM, account.handle)
    body = {
        "id": account.remote_id, "username": account.handle, "acct": account.handle,
        "display_name": account.display_name, "locked": False, "bot": False, "discoverable": True,
        "indexable": True, "group": False, "created_at": "2024-01-01T00:00:00.000Z", "note": "",
        "url": f"{base}/@{account.handle}", "uri": f"{base}/users/{account.handle}",
        "avatar": f"{base}/avatars/original/missing.png", "avatar_static": f"{base}/avatars/original/missing.png",
        "header": f"{base}/headers/original/missing.png", "header_static": f"{base}/headers/original/missing.png",
        "followers_count": 0, "following_count": 0, "statuses_count": len(posts),
        "last_status_at": posts[-1].created_at.date().isoformat() if posts else None,
        "hide_collections": False, "noindex": False, "emojis": [], "roles": [], "fields": [],
    }
    if credentials:
        body["source"] = {"privacy": "public", "sensitive": False, "language": "", "note": "", "fields": [],
                          "follow_requests_count": 0, "hide_collections": False, "discoverable": True,
                          "indexable": True}
        body["role"] = {"id": "-99", "name": "", "permissions": "0", "color": "", "highlighted": False}
    return body


def _media_json(media: dict, base: str) -> dict:
    ready = media["ready_at"] <= now()
    url = f"{base}/system/media_attachments/files/{media['id']}/original.{media['ext']}"
    original = {"size": media["size"]}
    if media.get("width") and media.get("height"):
        original.update(width=media["width"], height=media["height"],
                        aspect=media["width"] / media["height"], size=f"{media['width']}x{media['height']}")
    return {
        "id": media["id"], "type": media["type"], "url": url if ready else None,
        "preview_url": url if media["type"] == "image" else f"{base}/system/media_attachments/files/{media['id']}/small.png",
        "remote_url": None, "preview_remote_url": None, "text_url": None,
        "meta": {"original": original, "focus": media["focus"]} if media["focus"] else {"original": original},
        "description": media["description"] or None, "blurhash": None,
    }


_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_TAG = re.compile(r"(?<![\w/#])#(\w*[^\W\d_]\w*)")


def _link(url: str) -> str:
    """Mastodon's link markup: scheme hidden, long URLs cut to 30 characters with the rest invisible."""
    match = re.match(r"(https?://(?:www\.)?)(.*)", url, re.IGNORECASE)
    assert match is not None  # `url` is a match of _URL, which starts with the scheme
    prefix, rest = match.group(1), match.group(2)
    if len(rest) > 30:
        shown = f'<span class="ellipsis">{html.escape(rest[:30])}</span><span class="invisible">{html.escape(rest[30:])}</span>'
    else:
        shown = f'<span class="">{html.escape(rest)}</span><span class="invisible"></span>'
    return (f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener" translate="no">'
            f'<span class="invisible">{html.escape(prefix)}</span>{shown}</a>')


def _content_html(text: str, base: str) -> str:
    """Plain text as Mastodon renders it: paragraphs, <br /> for line breaks, links and hashtags."""
    paragraphs = []
    for paragraph in re.split(r"\n{2,}", text.strip("\n")):
        pieces, position = [], 0
        tokens = sorted([(m.start(), m.end(), "url") for m in _URL.finditer(paragraph)]
                        + [(m.start(), m.end(), "tag") for m in _TAG.finditer(paragraph)])
        for start, end, kind in tokens:
            if start < position:
                continue
            if kind == "url":
                while end > start and paragraph[end - 1] in ".,;:!?)'\"":  # trailing punctuation is not the URL's
                    end -= 1
                markup = _link(paragraph[start:end])
            else:
                tag = paragraph[start + 1:end]
                markup = (f'<a href="{base}/tags/{html.escape(tag.lower())}" class="mention hashtag" rel="tag">'
                          f'#<span>{html.escape(tag)}</span></a>')
            pieces += [html.escape(paragraph[position:start], quote=False), markup]
            position = end
        pieces.append(html.escape(paragraph[position:], quote=False))
        paragraphs.append("<p>" + "".join(pieces).replace("\n", "<br />") + "</p>")
    return "".join(paragraphs)


def _visible(post: RemotePost, viewer: SandboxAccount | None) -> bool:
    return post.extra.get("visibility", "public") in ("public", "unlisted") or (
        viewer is not None and viewer.handle == post.handle)


# Mastodon's count fields for the normalised metrics (a retired metric's field is left out).
COUNT_FIELDS = {"likes": "favourites_count", "reposts": "reblogs_count", "replies": "replies_count",
                "quotes": "quotes_count"}


def _status_json(state: SimulatorState, post: RemotePost, base: str, viewer: SandboxAccount | None = None) -> dict:
    """A Status entity as `viewer` sees it: counts are the control API's plus real favourites, boosts
    and replies, and `favourited`/`reblogged` say what the viewer did."""
    account = state.account(PLATFORM, post.handle)
    media = _data(state)["media"]
    parent = state.find_post(PLATFORM, post.reply_to) if post.reply_to else None
    parent_account = state.account(PLATFORM, parent.handle) if parent else None
    who = viewer.handle if viewer else None
    body = {
        "id": post.remote_id, "created_at": _iso(post.created_at),
        "in_reply_to_id": post.reply_to,
        "in_reply_to_account_id": parent_account.remote_id if parent_account else None,
        "sensitive": post.extra.get("sensitive", False), "spoiler_text": post.extra.get("spoiler_text", ""),
        "visibility": post.extra.get("visibility", "public"), "language": post.extra.get("language"),
        "uri": f"{base}/users/{post.handle}/statuses/{post.remote_id}", "url": post.url,
        **{name: post.count(metric) for metric, name in COUNT_FIELDS.items() if not state.is_retired(PLATFORM, metric)},
        "edited_at": None, "favourited": who in post.activity.get("likes", ()),
        "reblogged": who in post.activity.get("reposts", ()), "muted": False, "bookmarked": False,
        "pinned": False, "content": _content_html(post.text, base), "filtered": [], "reblog": None,
        "application": post.extra.get("application"),
        "account": _account_json(state, account, base) if account else None,
        "media_attachments": [_media_json(media[m], base) for m in post.media_ids if m in media],
        "mentions": [], "tags": [{"name": t.lower(), "url": f"{base}/tags/{t.lower()}"} for t in _TAG.findall(post.text)],
        "emojis": [], "card": None, "poll": None, "quote": None,
    }
    if viewer is None:  # the viewer-specific attributes are absent without a user token
        for name in ("favourited", "reblogged", "muted", "bookmarked", "pinned", "filtered"):
            body.pop(name)
    return body


# -- OAuth -----------------------------------------------------------------------------------------

def _redirect_uris(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v for v in re.split(r"\s+", str(value or "")) if v]


def _valid_redirect(uri: str) -> bool:
    if uri == OOB:
        return True
    parts = urlsplit(uri)
    return bool(parts.scheme) and not parts.fragment and (parts.scheme not in ("http", "https") or bool(parts.netloc))


@router.post("/api/v1/apps")
async def create_app(request: Request) -> JSONResponse:
    caller = await _enter(request, auth="none")
    params = await _params(request)
    name = _text(params, "client_name").strip()
    uris = _redirect_uris(params.get("redirect_uris"))
    scopes = str(params.get("scopes") or "read").split()
    problems = []
    if not name:
        problems.append("Application name can't be blank")
    if not uris:
        problems.append("Redirect URI can't be blank")
    elif not all(_valid_redirect(u) for u in uris):
        problems.append("Redirect URI must be an absolute URI.")
    if not set(scopes) <= SCOPES:
        problems.append("Scopes doesn't match configured on the server.")
    if problems:
        raise _error(422, "Validation failed: " + ", ".join(problems))
    app = {"id": caller.state.next_id(), "name": name, "website": _text(params, "website") or None,
           "scopes": scopes, "redirect_uris": uris,
           "client_id": secrets.token_urlsafe(32), "client_secret": secrets.token_urlsafe(32)}
    _data(caller.state)["apps"][app["client_id"]] = app
    return JSONResponse({**app, "redirect_uri": "\n".join(uris), "client_secret_expires_at": 0,
                         "vapid_key": base64.urlsafe_b64encode(b"\x04" + secrets.token_bytes(64)).decode().rstrip("=")})


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} - Mastodon (PostWizard simulator)</title>
<style>body{{font-family:system-ui,sans-serif;background:#191b22;color:#fff;max-width:32rem;margin:3rem auto;padding:0 1rem}}
.box{{background:#282c37;border-radius:8px;padding:1.5rem}} li{{margin:.3rem 0}} code{{color:#8c8dff}}
button{{font-size:1rem;padding:.6rem 1.4rem;border-radius:4px;border:0;margin-right:.5rem;cursor:pointer}}
.approve{{background:#563acc;color:#fff}} .deny{{background:#d9e1e8;color:#282c37}} select{{font-size:1rem;padding:.3rem}}
.sim{{color:#9baec8;font-size:.85rem}}</style></head>
<body><div class="box">{body}</div>
<p class="sim">A simulated Mastodon instance of PostWizard: no real account is involved.</p></body></html>""",
                        status_code=status)


def _authorization_error(message: str) -> HTMLResponse:
    return _page("An error has occurred",
                 f'<h1>An error has occurred</h1><p id="error">{html.escape(message)}</p>', status=400)


def _redirect_with(uri: str, params: dict[str, str]) -> RedirectResponse:
    parts = urlsplit(uri)
    query = urlencode(parse_qsl(parts.query, keep_blank_values=True) + [(k, v) for k, v in params.items() if v])
    return RedirectResponse(urlunsplit(parts._replace(query=query)), status_code=302)


def _pre_authorize(state: SimulatorState, params: dict[str, Any]) -> dict:
    """Doorkeeper's pre-authorization: an unknown client or redirect URI gets an error page (it is not
    safe to redirect); other problems are redirected to the client with an OAuth error."""
    app = _data(state)["apps"].get(_text(params, "client_id"))
    if app is None:
        raise _Answer(_authorization_error(INVALID_CLIENT))
    redirect_uri = _text(params, "redirect_uri") or (app["redirect_uris"][0] if len(app["redirect_uris"]) == 1 else "")
    if redirect_uri not in app["redirect_uris"]:
        raise _Answer(_authorization_error("The redirect URI included is not valid."))
    client_state = _text(params, "state")
    scopes = _text(params, "scope").replace("+", " ").split() or ["read"]
    error = None
    if _text(params, "response_type") != "code":
        error = ("unsupported_response_type", "The authorization server does not support this response type.")
    elif not set(scopes) <= set(app["scopes"]):
        error = ("invalid_scope", "The requested scope is invalid, unknown, or malformed.")
    elif _text(params, "code_challenge") and _text(params, "code_challenge_method") != "S256":
        error = ("invalid_request", "The code challenge method must be S256.")
    if error:
        raise _Answer(_redirect_with(redirect_uri, {"error": error[0], "error_description": error[1], "state": client_state}))
    return {"app": app, "redirect_uri": redirect_uri, "scopes": scopes, "state": client_state,
            "code_challenge": _text(params, "code_challenge"),
            "code_challenge_method": _text(params, "code_challenge_method")}


async def _oauth_faults(request: Request, handle: str | None = None) -> None:
    injected = await faults.before_request(
        _state(request), PLATFORM, handle,
        rate_limited=lambda reset: ({"error": "Too many requests"}, {}))
    if injected is not None:
        raise _Answer(injected)


@router.get("/oauth/authorize")
async def authorize_page(request: Request) -> Response:
    await _oauth_faults(request)
    state = _state(request)
    grant = _pre_authorize(state, dict(request.query_params))
    accounts = [a for a in state.accounts.values() if a.platform == PLATFORM]
    hidden = "".join(f'<input type="hidden" name="{name}" value="{html.escape(value)}">' for name, value in [
        ("client_id", grant["app"]["client_id"]), ("redirect_uri", grant["redirect_uri"]),
        ("state", grant["state"]), ("response_type", "code"), ("scope", " ".join(grant["scopes"])),
        ("code_challenge", grant["code_challenge"]), ("code_challenge_method", grant["code_challenge_method"])])
    choices = "".join(
        f'<li><label><input type="radio" name="account" value="{html.escape(a.handle)}"{" checked" if i == 0 else ""}> '
        f'{html.escape(a.display_name)} (@{html.escape(a.handle)})</label></li>' for i, a in enumerate(accounts))
    scopes = "".join(f'<li><code>{html.escape(s)}</code> {html.escape(SCOPE_LABELS.get(s, ""))}</li>' for s in grant["scopes"])
    app_name = html.escape(grant["app"]["name"])
    return _page("Authorization required", f"""
<h1>Authorization required</h1>
<p><strong id="app-name">{app_name}</strong> would like permission to access your account.
It is a third-party application. If you do not trust it, then you should not authorize it.</p>
<h2>Review permissions</h2><ul id="scopes">{scopes}</ul>
<form method="post" action="{html.escape(request.url.path)}">{hidden}
<h2>Log in as</h2><ul id="accounts" style="list-style:none;padding:0">{choices}</ul>
<button type="submit" class="approve" name="decision" value="approve">Authorize</button>
<button type="submit" class="deny" name="decision" value="deny">Deny</button>
</form>""")


@router.post("/oauth/authorize")
async def authorize_decision(request: Request) -> Response:
    await _oauth_faults(request)
    state = _state(request)
    params = await _params(request)
    grant = _pre_authorize(state, params)
    if _text(params, "decision") != "approve":
        return _redirect_with(grant["redirect_uri"], {
            "error": "access_denied",
            "error_description": "The resource owner or authorization server denied the request.",
            "state": grant["state"]})
    account = state.account(PLATFORM, _text(params, "account"))
    if account is None:
        return _authorization_error("Choose one of the sandbox accounts to log in as.")
    code = secrets.token_urlsafe(32)
    _data(state)["codes"][code] = {
        "client_id": grant["app"]["client_id"], "redirect_uri": grant["redirect_uri"], "scopes": grant["scopes"],
        "handle": account.handle, "challenge": grant["code_challenge"], "expires_at": now() + CODE_TTL, "used": False}
    if grant["redirect_uri"] == OOB:
        return _page("Authorization code", f'<h1>Authorization code</h1><p>Copy this code into the application:</p>'
                                           f'<p><code id="code">{html.escape(code)}</code></p>')
    return _redirect_with(grant["redirect_uri"], {"code": code, "state": grant["state"]})


def _oauth_error(status: int, error: str, description: str) -> _Answer:
    return _Answer(JSONResponse({"error": error, "error_description": description}, status_code=status,
                                headers={"Cache-Control": "no-store", "Pragma": "no-cache"}))


def _client_credentials(request: Request, params: dict[str, Any]) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        try:
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            return client_id, secret
        except (ValueError, UnicodeDecodeError):
            return "", ""
    return _text(params, "client_id"), _text(params, "client_secret")


def _authenticated_app(state: SimulatorState, request: Request, params: dict[str, Any]) -> dict | None:
    client_id, secret = _client_credentials(request, params)
    app = _data(state)["apps"].get(client_id)
    if app is None or not secrets.compare_digest(app["client_secret"], secret):
        return None
    return app


@router.post("/oauth/token")
async def token(request: Request) -> JSONResponse:
    state = _state(request)
    params = await _params(request)
    code = _data(state)["codes"].get(_text(params, "code"))
    await _oauth_faults(request, code["handle"] if code else None)
    grant_type = _text(params, "grant_type")
    if grant_type not in ("authorization_code", "client_credentials"):
        raise _oauth_error(400, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.")
    app = _authenticated_app(state, request, params)
    if app is None:
        raise _oauth_error(401, "invalid_client", INVALID_CLIENT)
    if grant_type == "client_credentials":  # an app token: no user behind it
        issued = state.issue_token(PLATFORM, "", scopes=" ".join(_text(params, "scope").split() or ["read"]),
                                   client_id=app["client_id"])
    else:
        if not _text(params, "code"):
            raise _oauth_error(400, "invalid_request", "Missing required parameter: code.")
        if code is None or code["used"] or code["expires_at"] <= now() or code["client_id"] != app["client_id"] \
                or _text(params, "redirect_uri") != code["redirect_uri"]:
            raise _oauth_error(400, "invalid_grant", INVALID_GRANT)
        if code["challenge"]:
            verifier = _text(params, "code_verifier")
            if not verifier:
                raise _oauth_error(400, "invalid_request", "Missing required parameter: code_verifier.")
            expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
            if not secrets.compare_digest(expected, code["challenge"]):
                raise _oauth_error(400, "invalid_grant", INVALID_GRANT)
        code["used"] = True
        issued = state.issue_token(PLATFORM, code["handle"], ttl=state.access_ttl.get(PLATFORM),
                                   scopes=" ".join(code["scopes"]), client_id=app["client_id"])
    return JSONResponse({"access_token": issued.token, "token_type": "Bearer", "scope": issued.scopes,
                         "created_at": int(time.time())}, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


@router.post("/oauth/revoke")
async def revoke(request: Request) -> JSONResponse:
    """RFC 7009 as Doorkeeper does it: 200 {} whether or not the token existed."""
    await _oauth_faults(request)
    state = _state(request)
    params = await _params(request)
    app = _authenticated_app(state, request, params)
    if app is None:
        raise _oauth_error(403, "unauthorized_client", "You are not authorized to revoke this token.")
    found = state.tokens.get(_text(params, "token"))
    if found is not None and found.platform == PLATFORM and found.client_id == app["client_id"]:
        found.revoked = True
    return JSONResponse({})


# -- accounts and instance -------------------------------------------------------------------------

@router.get("/api/v1/accounts/verify_credentials")
async def verify_credentials(request: Request) -> JSONResponse:
    caller = await _enter(request, auth="required", scopes=READ_ACCOUNT)
    return JSONResponse(_account_json(caller.state, caller.user, _base(request), credentials=True))


def _account_by_id(state: SimulatorState, account_id: str) -> SandboxAccount:
    account = next((a for a in state.accounts.values() if a.platform == PLATFORM and a.remote_id == account_id), None)
    if account is None:
        raise _error(404, NOT_FOUND)
    return account


@router.get("/api/v1/accounts/{account_id}")
async def show_account(request: Request, account_id: str) -> JSONResponse:
    caller = await _enter(request, auth="optional", scopes=READ_ACCOUNT, user=False)
    return JSONResponse(_account_json(caller.state, _account_by_id(caller.state, account_id), _base(request)))


@router.get("/api/v2/instance")
async def instance(request: Request) -> JSONResponse:
    caller = await _enter(request, auth="none")
    base = _base(request)
    configuration = copy.deepcopy(_data(caller.state)["configuration"])
    configuration.setdefault("urls", {"streaming": base.replace("http", "ws", 1), "status": None})
    configuration.setdefault("accounts", {"max_featured_tags": 10, "max_pinned_statuses": 5})
    configuration.setdefault("translation", {"enabled": False})
    configuration.setdefault("vapid", {"public_key": ""})
    return JSONResponse({
        "domain": request.url.netloc, "title": "PostWizard simulated Mastodon", "version": VERSION,
        "source_url": "https://github.com/mastodon/mastodon",
        "description": "A Mastodon instance simulated by PostWizard for tests and demos.",
        "usage": {"users": {"active_month": len([a for a in caller.state.accounts.values() if a.platform == PLATFORM])}},
        "thumbnail": {"url": f"{base}/packs/media/images/preview.png"}, "icon": [],
        "languages": ["en"], "configuration": configuration,
        "registrations": {"enabled": False, "approval_required": False, "message": None, "url": None},
        "api_versions": {"mastodon": 6},
        "contact": {"email": "admin@sandbox.test", "account": None}, "rules": []})


@router.get("/api/v1/instance")
async def instance_v1(request: Request) -> JSONResponse:
    """The v1 Instance entity (deprecated in 4.0 but still served; Mastodon.py reads `version` here).
    Its configuration has no `urls`/`translation`/`vapid`, and the media limits sit as in v2."""
    caller = await _enter(request, auth="none")
    state, base = caller.state, _base(request)
    configuration = copy.deepcopy(_data(state)["configuration"])
    configuration.setdefault("accounts", {"max_featured_tags": 10})
    return JSONResponse({
        "uri": request.url.netloc, "title": "PostWizard simulated Mastodon",
        "short_description": "A Mastodon instance simulated by PostWizard for tests and demos.",
        "description": "", "email": "admin@sandbox.test", "version": VERSION,
        "urls": {"streaming_api": base.replace("http", "ws", 1)},
        "stats": {"user_count": sum(1 for a in state.accounts.values() if a.platform == PLATFORM),
                  "status_count": len(state.posts_of(PLATFORM)), "domain_count": 0},
        "thumbnail": f"{base}/packs/media/images/preview.png", "languages": ["en"],
        "registrations": False, "approval_required": False, "invites_enabled": False,
        "configuration": configuration, "contact_account": None, "rules": []})


# -- media -----------------------------------------------------------------------------------------

def _sniff(data: bytes) -> tuple[str, str, str] | None:
    """(mime type, Mastodon media type, extension) from the file's bytes, as Mastodon detects it."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "image", "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "image", "jpg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif", "image", "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "image", "webp"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"avif", b"avis"):
            return "image/avif", "image", "avif"
        if brand in (b"heic", b"heix", b"mif1", b"msf1"):
            return "image/heic", "image", "heic"
        if brand == b"qt  ":
            return "video/quicktime", "video", "mov"
        return "video/mp4", "video", "mp4"
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm", "video", "webm"
    return None


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _dimensions(data: bytes, mime: str) -> tuple[int, int] | None:
    if mime == "image/png" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if mime == "image/gif" and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if mime == "image/jpeg":  # the first start-of-frame segment holds the size
        i = 2
        while i + 9 < len(data) and data[i] == 0xFF:
            marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in _SOF:
                height, width = struct.unpack(">HH", data[i + 5:i + 9])
                return width, height
            i += 2 + length
    return None


@router.post("/api/v2/media")
@router.post("/api/v1/media")
async def upload_media(request: Request) -> JSONResponse:
    caller = await _enter(request, auth="required", scopes=WRITE_MEDIA, media_upload=True)
    params = await _params(request)
    upload = params.get("file")
    if not isinstance(upload, UploadFile):
        raise _error(422, "Validation failed: File can't be blank")
    data = await upload.read()
    sniffed = _sniff(data)
    configuration = _data(caller.state)["configuration"]["media_attachments"]
    if sniffed is None or sniffed[0] not in configuration["supported_mime_types"]:
        raise _error(422, "Validation failed: File content type is invalid, File is invalid")
    mime, kind, ext = sniffed
    limit = configuration["image_size_limit"] if kind == "image" else configuration["video_size_limit"]
    if len(data) > limit:  # [unverified] wording of Paperclip's size validation
        raise _error(422, f"Validation failed: File file size must be less than {limit // (1024 * 1024)} MB")
    description = _text(params, "description")
    if len(description) > configuration["description_limit"]:
        raise _error(422, f"Validation failed: Description is too long (maximum is {configuration['description_limit']} characters)")
    size = _dimensions(data, mime)
    if kind == "image" and size and size[0] * size[1] > configuration["image_matrix_limit"]:
        # Mastodon's MediaAttachment#check_image_dimensions [unverified: wording recalled from its source]
        raise _error(422, f"{size[0]}x{size[1]} images are not supported")
    media_id = caller.state.next_id()
    delay = 0.0 if kind == "image" else float(_data(caller.state)["media_processing_seconds"])
    media = {"id": media_id, "handle": caller.user.handle, "type": kind, "mime": mime, "ext": ext, "data": data,
             "size": len(data), "width": size[0] if size else None, "height": size[1] if size else None,
             "description": description, "focus": _focus(_text(params, "focus")), "status_id": None,
             "ready_at": now() + timedelta(seconds=delay)}
    _data(caller.state)["media"][media_id] = media
    v2 = request.url.path.endswith("/api/v2/media")
    return JSONResponse(_media_json(media, _base(request)), status_code=202 if v2 and delay else 200)


def _focus(value: str) -> dict | None:
    try:
        x, y = (float(v) for v in value.split(","))
    except ValueError:
        return None
    return {"x": max(-1.0, min(1.0, x)), "y": max(-1.0, min(1.0, y))}


@router.get("/api/v1/media/{media_id}")
async def show_media(request: Request, media_id: str) -> JSONResponse:
    caller = await _enter(request, auth="required", scopes=WRITE_MEDIA)
    media = _data(caller.state)["media"].get(media_id)
    if media is None or media["handle"] != caller.user.handle:
        raise _error(404, NOT_FOUND)
    return JSONResponse(_media_json(media, _base(request)), status_code=200 if media["ready_at"] <= now() else 206)


@router.get("/system/media_attachments/files/{media_id}/{name}")
async def media_file(request: Request, media_id: str, name: str) -> Response:
    """The stored file, as the instance's file server (or object storage) would serve it."""
    media = _data(_state(request))["media"].get(media_id)
    if media is None or not name.startswith("original.") or media["ready_at"] > now():
        return Response(status_code=404)
    return Response(media["data"], media_type=media["mime"])


# -- statuses --------------------------------------------------------------------------------------

VISIBILITIES = ("public", "unlisted", "private", "direct")


@router.post("/api/v1/statuses")
async def create_status(request: Request) -> JSONResponse:
    caller = await _enter(request, auth="required", scopes=WRITE_STATUSES)
    state, account, base = caller.state, caller.user, _base(request)
    data = _data(state)
    params = await _params(request)

    key = request.headers.get("idempotency-key")
    if key:  # PostStatusService checks the key before anything else
        seen = data["idempotency"].get((account.handle, key))
        if seen and seen[1] > now() - IDEMPOTENCY_TTL:
            if seen[0].startswith("scheduled:"):
                return JSONResponse(data["scheduled"][seen[0]])
            existing = state.find_post(PLATFORM, seen[0])
            if existing is not None:
                await faults.after_write(state, PLATFORM, account.handle)
                return JSONResponse(_status_json(state, existing, base, account))

    limits = data["configuration"]["statuses"]
    raw_ids = params.get("media_ids") or []
    media_ids = [str(m) for m in (raw_ids if isinstance(raw_ids, list) else [raw_ids])]
    if len(media_ids) > limits["max_media_attachments"]:
        raise _error(422, f"Cannot attach more than {limits['max_media_attachments']} files")
    # Unknown media, someone else's, or already attached are silently left out, as Mastodon does.
    attached = [m for i in media_ids if (m := data["media"].get(i)) and m["handle"] == account.handle and m["status_id"] is None]
    if any(m["ready_at"] > now() for m in attached):
        raise _error(422, "Cannot attach files that have not finished processing. Try again in a moment!")
    if len(attached) > 1 and any(m["type"] == "video" for m in attached):
        raise _error(422, "Cannot attach a video to a post that already contains images")

    text, spoiler = _text(params, "status"), _text(params, "spoiler_text")
    if not text.strip() and not attached:
        raise _error(422, "Validation failed: Text can't be blank")
    if count_length(PLATFORM, text) + count_length(PLATFORM, spoiler) > limits["max_characters"]:
        raise _error(422, f"Validation failed: Text character limit of {limits['max_characters']} exceeded")
    visibility = _text(params, "visibility") or "public"
    if visibility not in VISIBILITIES:
        raise _error(422, "Validation failed: Visibility is not included in the list")  # [unverified] wording
    reply_to = _text(params, "in_reply_to_id") or None
    parent = None
    if reply_to is not None:
        parent = state.find_post(PLATFORM, reply_to)
        if parent is None or not _visible(parent, account):
            raise _error(404, "The post you are trying to reply to does not appear to exist.")

    scheduled_at = _text(params, "scheduled_at")
    if scheduled_at:
        return _schedule(state, account, key, scheduled_at, params, attached, base)

    status_id = state.next_id()
    post = RemotePost(platform=PLATFORM, handle=account.handle, remote_id=status_id, text=text, created_at=now(),
                      url=f"{base}/@{account.handle}/{status_id}", reply_to=reply_to,
                      media_ids=[m["id"] for m in attached], idempotency_key=key,
                      extra={"visibility": visibility, "language": _text(params, "language") or None,
                             "sensitive": _flag(params.get("sensitive")) or bool(spoiler), "spoiler_text": spoiler,
                             "application": _application(state, caller.token)})
    state.posts.append(post)
    if parent is not None:
        parent.add("replies", status_id)
    for m in attached:
        m["status_id"] = status_id
    if key:
        data["idempotency"][(account.handle, key)] = (status_id, now())
    await faults.after_write(state, PLATFORM, account.handle)  # the post exists; the answer may come too late
    return JSONResponse(_status_json(state, post, base, account))


def _application(state: SimulatorState, token: Token | None) -> dict | None:
    app = _data(state)["apps"].get(token.client_id) if token and token.client_id else None
    return {"name": app["name"], "website": app["website"]} if app else None


def _schedule(state: SimulatorState, account: SandboxAccount, key: str | None, scheduled_at: str, params: dict,
              attached: list[dict], base: str) -> JSONResponse:
    """A ScheduledStatus (remembered, never published: PostWizard schedules on its own side)."""
    try:
        when = datetime.fromisoformat(scheduled_at.replace("Z", "+00:00"))
    except ValueError:
        raise _error(422, "Validation failed: Scheduled at The scheduled date must be in the future") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    if when < now() + timedelta(minutes=5):
        raise _error(422, "Validation failed: Scheduled at The scheduled date must be in the future")
    scheduled_id = f"scheduled:{state.next_id()}"
    body = {"id": scheduled_id.split(":", 1)[1], "scheduled_at": _iso(when),
            "params": {"text": _text(params, "status"), "visibility": _text(params, "visibility") or "public",
                       "in_reply_to_id": _text(params, "in_reply_to_id") or None,
                       "media_ids": [m["id"] for m in attached] or None, "idempotency": key},
            "media_attachments": [_media_json(m, base) for m in attached]}
    _data(state)["scheduled"][scheduled_id] = body
    if key:
        _data(state)["idempotency"][(account.handle, key)] = (scheduled_id, now())
    return JSONResponse(body)


@router.get("/api/v1/statuses/{status_id}")
async def show_status(request: Request, status_id: str) -> JSONResponse:
    caller = await _enter(request, auth="optional", scopes=READ_STATUSES, user=False)
    post = caller.state.find_post(PLATFORM, status_id)
    if post is None or not _visible(post, caller.account):
        raise _error(404, NOT_FOUND)
    return JSONResponse(_status_json(caller.state, post, _base(request), caller.account))


# -- interactions: favourites, boosts, deletion, threads ---------------------------------------------
# What a second sandbox account does to a status moves its counts, as on Mastodon (favourites_count,
# reblogs_count, replies_count); the control API's counters stand for everyone else.

async def _target(request: Request, status_id: str, scopes: tuple[str, ...], **kw: Any) -> tuple[_Caller, RemotePost]:
    caller = await _enter(request, auth="required", scopes=scopes, **kw)
    post = caller.state.find_post(PLATFORM, status_id)
    if post is None or not _visible(post, caller.user):
        raise _error(404, NOT_FOUND)
    return caller, post


@router.post("/api/v1/statuses/{status_id}/favourite")
async def favourite(request: Request, status_id: str) -> JSONResponse:
    caller, post = await _target(request, status_id, WRITE_FAVOURITES)
    post.add("likes", caller.user.handle)
    return JSONResponse(_status_json(caller.state, post, _base(request), caller.user))


@router.post("/api/v1/statuses/{status_id}/unfavourite")
async def unfavourite(request: Request, status_id: str) -> JSONResponse:
    """Answers the status, favourited or not before (Mastodon does not refuse an unfavourite)."""
    caller, post = await _target(request, status_id, WRITE_FAVOURITES)
    post.remove("likes", caller.user.handle)
    return JSONResponse(_status_json(caller.state, post, _base(request), caller.user))


@router.post("/api/v1/statuses/{status_id}/reblog")
async def reblog(request: Request, status_id: str) -> JSONResponse:
    """A boost is a status of its own wrapping the original (`reblog`); only public and unlisted
    statuses can be boosted (403 otherwise); boosting again answers the same boost."""
    caller, post = await _target(request, status_id, WRITE_STATUSES)
    if post.extra.get("visibility", "public") not in ("public", "unlisted"):
        raise _error(403, "This action is not allowed")
    boosts: dict[str, dict] = post.extra.setdefault("boosts", {})
    boost = boosts.setdefault(caller.user.handle, {"id": caller.state.next_id(), "created_at": now()})
    post.add("reposts", caller.user.handle)
    base = _base(request)
    original = _status_json(caller.state, post, base, caller.user)
    return JSONResponse({**original, "id": boost["id"], "created_at": _iso(boost["created_at"]),
                         "in_reply_to_id": None, "in_reply_to_account_id": None, "content": "", "spoiler_text": "",
                         "uri": f"{base}/users/{caller.user.handle}/statuses/{boost['id']}/activity",
                         "url": None, "replies_count": 0, "reblogs_count": 0, "favourites_count": 0,
                         "media_attachments": [], "tags": [], "application": None, "reblog": original,
                         "account": _account_json(caller.state, caller.user, base)})


@router.post("/api/v1/statuses/{status_id}/unreblog")
async def unreblog(request: Request, status_id: str) -> JSONResponse:
    caller, post = await _target(request, status_id, WRITE_STATUSES, deletes=True)
    post.extra.get("boosts", {}).pop(caller.user.handle, None)
    post.remove("reposts", caller.user.handle)
    return JSONResponse(_status_json(caller.state, post, _base(request), caller.user))


@router.delete("/api/v1/statuses/{status_id}")
async def delete_status(request: Request, status_id: str) -> JSONResponse:
    """Only the author deletes: someone else's status is "Record not found" (Mastodon looks the id up
    among the caller's own statuses). The answer is the deleted status with its source `text`, for
    delete-and-redraft; the parent loses the reply."""
    caller = await _enter(request, auth="required", scopes=WRITE_STATUSES, deletes=True)
    post = caller.state.find_post(PLATFORM, status_id)
    if post is None or post.handle != caller.user.handle:
        raise _error(404, NOT_FOUND)
    body = {**_status_json(caller.state, post, _base(request), caller.user), "text": post.text}
    post.deleted_at = now()
    parent = caller.state.find_post(PLATFORM, post.reply_to) if post.reply_to else None
    if parent is not None:
        parent.remove("replies", post.remote_id)
    return JSONResponse(body)


@router.get("/api/v1/statuses/{status_id}/context")
async def status_context(request: Request, status_id: str) -> JSONResponse:
    """Ancestors (root first) and descendants (depth first, oldest first) that the caller may see."""
    caller = await _enter(request, auth="optional", scopes=READ_STATUSES, user=False)
    state, base, viewer = caller.state, _base(request), caller.account
    post = state.find_post(PLATFORM, status_id)
    if post is None or not _visible(post, viewer):
        raise _error(404, NOT_FOUND)
    ancestors: list[RemotePost] = []
    cursor: RemotePost | None = post
    while cursor is not None and cursor.reply_to:
        cursor = state.find_post(PLATFORM, cursor.reply_to)
        if cursor is not None:
            ancestors.insert(0, cursor)
    children: dict[str, list[RemotePost]] = {}
    for p in state.posts_of(PLATFORM):
        if p.reply_to:
            children.setdefault(p.reply_to, []).append(p)
    descendants: list[RemotePost] = []
    stack = list(reversed(children.get(post.remote_id, [])))
    while stack:
        child = stack.pop()
        descendants.append(child)
        stack.extend(reversed(children.get(child.remote_id, [])))
    return JSONResponse({"ancestors": [_status_json(state, p, base, viewer) for p in ancestors if _visible(p, viewer)],
                         "descendants": [_status_json(state, p, base, viewer) for p in descendants if _visible(p, viewer)]})


@router.get("/api/v1/accounts/{account_id}/statuses")
async def account_statuses(request: Request, account_id: str) -> JSONResponse:
    caller = await _enter(request, auth="optional", scopes=READ_STATUSES, user=False)
    state, base = caller.state, _base(request)
    account = _account_by_id(state, account_id)
    query = request.query_params
    try:
        limit = max(1, min(int(query.get("limit", 20)), 40))
        max_id, since_id, min_id = (int(query[k]) if query.get(k) else None for k in ("max_id", "since_id", "min_id"))
    except ValueError:
        raise _error(400, "Error occurred while parsing request parameters.") from None
    posts = [p for p in state.posts_of(PLATFORM, account.handle) if _visible(p, caller.account)
             and (max_id is None or int(p.remote_id) < max_id)
             and (since_id is None or int(p.remote_id) > since_id)
             and (min_id is None or int(p.remote_id) > min_id)
             and not (_flag(query.get("exclude_replies")) and p.reply_to)
             and not (_flag(query.get("only_media")) and not p.media_ids)]
    posts.sort(key=lambda p: int(p.remote_id), reverse=True)
    page = posts[-limit:] if min_id is not None else posts[:limit]  # min_id pages upward from the oldest
    headers = {}
    if page:
        path = f"{base}/api/v1/accounts/{account_id}/statuses"
        kept = [(k, v) for k, v in query.multi_items() if k not in ("max_id", "since_id", "min_id", "limit")]
        next_url = f"{path}?{urlencode(kept + [('limit', limit), ('max_id', page[-1].remote_id)])}"
        prev_url = f"{path}?{urlencode(kept + [('limit', limit), ('min_id', page[0].remote_id)])}"
        headers["Link"] = f'<{next_url}>; rel="next", <{prev_url}>; rel="prev"'
    return JSONResponse([_status_json(state, p, base, caller.account) for p in page], headers=headers)


@router.get("/@{handle}/{status_id}")
async def status_page(request: Request, handle: str, status_id: str) -> HTMLResponse:
    """The public web page of a status (what a published post's link opens)."""
    state = _state(request)
    post = state.find_post(PLATFORM, status_id)
    if post is None or post.handle != handle or not _visible(post, None):
        return _page("Not found", "<h1>The page you are looking for isn't here.</h1>", status=404)
    account = state.account(PLATFORM, handle)
    base = _base(request)
    images = "".join(f'<p><img alt="{html.escape(m["description"])}" src="{base}/system/media_attachments/files/'
                     f'{m["id"]}/original.{m["ext"]}" style="max-width:100%"></p>'
                     for i in post.media_ids if (m := _data(state)["media"].get(i)))
    name = html.escape(account.display_name if account else handle)
    return _page(f"{name}: post", f'<p><strong>{name}</strong> @{html.escape(handle)}</p>'
                                  f'<div class="status-content">{_content_html(post.text, base)}</div>{images}'
                                  f'<p class="sim">{_iso(post.created_at)}</p>')
