"""Bluesky over XRPC with an app password (platforms.md section 2): one PDS base URL per channel.

- Sessions: createSession (handle or email + app password) gives an access JWT (about 2 h) and a
  refresh JWT; refreshSession rotates both. Expiry comes from the access JWT's `exp` claim, read
  without verifying (only the PDS can verify it).
- Publishing: each image is uploaded with uploadBlob, then createRecord writes app.bsky.feed.post
  with link facets in UTF-8 byte offsets. The record key is derived from the attempt's
  idempotency key, so a retry of the same attempt writes the same key: the PDS refuses a second
  record there and the adapter answers with the one that exists. Thread texts are replies chained
  root/parent, each with its own derived key, so a retried thread resumes where it stopped.
- Errors: 400 ExpiredToken/InvalidToken and 401 are auth_expired (Bluesky says "expired" with a
  400), 429 rate_limited (Retry-After or RateLimit-Reset), 400 InvalidRequest validation, blob
  problems media_rejected, 5xx platform_unavailable, anything else unknown.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from adapters.platforms.http import retry_at_from, send, server_error
from application.platforms.ports import (
    Account,
    Credentials,
    MediaItem,
    OAuthClient,
    OutgoingPost,
    PlatformError,
    PlatformLimits,
    PublishedPost,
    RecentPost,
)
from domain.engagement.engagement import Counters
from domain.publishing.states import FailureReason

POST = "app.bsky.feed.post"
APP_PASSWORD_ONLY = "Bluesky connects with an app password (Settings > App passwords)"
BAD_LOGIN = "Bluesky refused the handle or app password; create an app password and try again"
_AUTH_ERRORS = {"ExpiredToken", "InvalidToken", "AuthMissing", "AuthRequired", "AuthenticationRequired",
                "AccountTakedown", "AccountDeactivated", "AccountSuspended"}
_MEDIA_ERRORS = {"BlobTooLarge", "InvalidMimeType", "InvalidBlob", "BlobNotFound", "PayloadTooLarge"}
# A link as Bluesky's own clients detect one: after start, space or "(", up to the next space.
_LINK = re.compile(r"(?:^|(?<=[\s(]))https?://\S+", re.IGNORECASE)
_TRAILING = ".,;:!?\"'"
_S32 = "234567abcdefghijklmnopqrstuvwxyz"
_TID_START = int(datetime(2023, 1, 1, tzinfo=timezone.utc).timestamp()) * 1_000_000
_TID_SPAN = 365 * 24 * 3600 * 1_000_000
_FEED_PAGES = 10


def record_key(idempotency_key: str, index: int = 0) -> str:
    """The record key of entry `index` of an attempt: a valid TID (the key type app.bsky.feed.post
    declares: 13 base32-sortable characters) derived from the idempotency key, so the same attempt
    always writes the same keys. Its timestamp lies in 2023, so it never sorts as a future record."""
    digest = hashlib.sha256(f"postwizard:{idempotency_key}:{index}".encode()).digest()
    micros = _TID_START + int.from_bytes(digest[:8], "big") % _TID_SPAN
    value = (micros << 10) | (int.from_bytes(digest[8:10], "big") % 1024)
    out = ""
    while value:
        out, value = _S32[value % 32] + out, value // 32
    return out.rjust(13, "2")


def link_facets(text: str) -> list[dict]:
    """richtext link facets for the http(s) URLs in `text`, indexed in UTF-8 bytes (not characters)."""
    facets = []
    for match in _LINK.finditer(text):
        url = match.group(0)
        while url and (url[-1] in _TRAILING or (url[-1] == ")" and url.count("(") < url.count(")"))):
            url = url[:-1]
        if len(url) <= len("https://"):
            continue
        start = len(text[:match.start()].encode("utf-8"))
        facets.append({"index": {"byteStart": start, "byteEnd": start + len(url.encode("utf-8"))},
                       "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}]})
    return facets


def jwt_expiry(jwt: str) -> datetime | None:
    """The `exp` claim of a JWT, read without verifying the signature."""
    try:
        payload = jwt.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), timezone.utc)
    except (IndexError, ValueError, KeyError, TypeError, OverflowError):
        return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG (for the embed's aspectRatio), None if unknown."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return None
            marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                height, width = struct.unpack(">HH", data[i + 5:i + 9])
                return width, height
            i += 2 + length
    return None


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _web_url(handle: str, uri: str) -> str:
    return f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"


def _body(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


_DID = re.compile(r"did:[a-z]+:[A-Za-z0-9._:%-]{1,2000}")
_HANDLE = re.compile(r"[A-Za-z0-9.-]{1,253}")


def _session_identity(session: dict) -> tuple[str, str]:
    """The account's DID and handle from a session answer, only when they have their syntax (they are
    stored and shown to the user)."""
    did, handle = session.get("did"), session.get("handle")
    if not (isinstance(did, str) and _DID.fullmatch(did) and isinstance(handle, str) and _HANDLE.fullmatch(handle)):
        raise PlatformError(FailureReason.UNKNOWN, "Bluesky answered the session without a valid did and handle")
    return did, handle


def error_for(response: httpx.Response) -> PlatformError:
    """Map a PDS error answer to a typed PlatformError (never quoting tokens: the PDS never echoes them)."""
    status, body = response.status_code, _body(response)
    name, message = str(body.get("error") or ""), str(body.get("message") or body.get("error") or "")
    if status == 429:
        return PlatformError(FailureReason.RATE_LIMITED, "Bluesky rate limit reached; retrying after the reset time",
                             retry_at_from(response.headers, "ratelimit-reset"))
    if status >= 500:
        return server_error(response)
    if status == 401 or name in _AUTH_ERRORS:
        return PlatformError(FailureReason.AUTH_EXPIRED,
                             f"Bluesky ended the session ({name or status}: {message or 'no detail'}); log in again with an app password")
    lowered = message.lower()
    if status in (400, 413) and (name in _MEDIA_ERRORS or
                                 (name == "InvalidRequest" and any(w in lowered for w in ("embed", "image", "blob")))):
        return PlatformError(FailureReason.MEDIA_REJECTED, message or f"Bluesky refused the media ({name})")
    if status == 400 and name == "InvalidRequest":
        return PlatformError(FailureReason.VALIDATION, message or "Bluesky refused the request as invalid")
    return PlatformError(FailureReason.UNKNOWN, f"Bluesky answered {status} {name}: {message}".rstrip(": "))


class BlueskyPlatform:
    """The SocialPlatform port for Bluesky (any PDS: bsky.social, a self-hosted one, the simulator)."""

    platform = "bluesky"
    auth = "app_password"

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    # ------------------------------------------------------------ plumbing

    @staticmethod
    def _url(base_url: str, nsid: str) -> str:
        return f"{base_url.rstrip('/')}/xrpc/{nsid}"

    @staticmethod
    def _auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    async def _call(self, method: str, base_url: str, nsid: str, token: str | None = None, *,
                    write: bool = False, **kwargs) -> dict:
        headers = {**kwargs.pop("headers", {}), **(self._auth(token) if token else {})}
        response = await send(self._client, method, self._url(base_url, nsid), write=write, headers=headers, **kwargs)
        if response.status_code != 200:
            raise error_for(response)
        body = _body(response)
        if not body:
            raise PlatformError(FailureReason.UNKNOWN, f"Bluesky answered {nsid} without a JSON object")
        return body

    @staticmethod
    def _credentials(body: dict, previous: Credentials | None = None) -> Credentials:
        access, refresh = body.get("accessJwt"), body.get("refreshJwt")
        if not (isinstance(access, str) and access and isinstance(refresh, str) and refresh):
            raise PlatformError(FailureReason.UNKNOWN, "Bluesky answered the session without tokens")
        extra = dict(previous.extra) if previous else {}
        extra.update({k: body[k] for k in ("did", "handle") if isinstance(body.get(k), str)})
        return Credentials(access_token=access, refresh_token=refresh, expires_at=jwt_expiry(access), extra=extra)

    async def _identity(self, base_url: str, credentials: Credentials) -> tuple[str, str]:
        did, handle = credentials.extra.get("did"), credentials.extra.get("handle")
        if not (isinstance(did, str) and _DID.fullmatch(did) and isinstance(handle, str) and _HANDLE.fullmatch(handle)):
            session = await self._call("GET", base_url, "com.atproto.server.getSession", credentials.access_token)
            did, handle = _session_identity(session)
        return did, handle

    # ------------------------------------------------------------ connecting

    async def register_client(self, base_url: str, redirect_uri: str) -> OAuthClient:
        raise PlatformError(FailureReason.VALIDATION, APP_PASSWORD_ONLY)

    def authorization_url(self, base_url: str, client: OAuthClient, *, state: str, code_challenge: str) -> str:
        raise PlatformError(FailureReason.VALIDATION, APP_PASSWORD_ONLY)

    async def exchange_code(self, base_url: str, client: OAuthClient, *, code: str, code_verifier: str) -> Credentials:
        raise PlatformError(FailureReason.VALIDATION, APP_PASSWORD_ONLY)

    async def log_in(self, base_url: str, identifier: str, password: str) -> Credentials:
        """createSession with a handle (with or without @) or the account's email, and an app password."""
        response = await send(self._client, "POST", self._url(base_url, "com.atproto.server.createSession"),
                              json={"identifier": identifier.strip().removeprefix("@"), "password": password})
        if response.status_code == 401:
            raise PlatformError(FailureReason.AUTH_EXPIRED, BAD_LOGIN)
        if response.status_code == 400 and _body(response).get("error") == "AuthFactorTokenRequired":
            raise PlatformError(FailureReason.AUTH_EXPIRED,
                                "Bluesky asked for an email sign-in code: use an app password (Settings > App passwords), "
                                "not the account password")
        if response.status_code != 200:
            raise error_for(response)
        return self._credentials(_body(response))

    async def refresh(self, base_url: str, client: OAuthClient | None, credentials: Credentials) -> Credentials:
        """refreshSession with the refresh JWT; both tokens are replaced (the old refresh JWT stops working)."""
        if not credentials.refresh_token:
            raise PlatformError(FailureReason.AUTH_EXPIRED, "This Bluesky channel has no refresh token; log in again")
        body = await self._call("POST", base_url, "com.atproto.server.refreshSession", credentials.refresh_token)
        return self._credentials(body, credentials)

    async def account(self, base_url: str, credentials: Credentials) -> Account:
        session = await self._call("GET", base_url, "com.atproto.server.getSession", credentials.access_token)
        did, handle = _session_identity(session)
        display_name = handle
        try:  # the display name lives in the profile, not the session
            profile = await self._call("GET", base_url, "app.bsky.actor.getProfile", credentials.access_token,
                                       params={"actor": did})
            named = profile.get("displayName")
            display_name = named[:640] if isinstance(named, str) and named.strip() else display_name
        except PlatformError as exc:
            if exc.reason is FailureReason.AUTH_EXPIRED:
                raise
        return Account(remote_id=did, handle=handle, display_name=display_name)

    async def limits(self, base_url: str, credentials: Credentials) -> PlatformLimits:
        """Bluesky reports no limits at run time; these are the app.bsky.feed.post lexicon's
        (300 graphemes, 4 images). Links count as written (no fixed URL length)."""
        return PlatformLimits(max_characters=300, max_media=4)

    # ------------------------------------------------------------ publishing

    async def _upload(self, base_url: str, credentials: Credentials, media: MediaItem) -> dict:
        # Not a write for OutcomeUnknown's sake: a lost upload posts nothing, so retrying is always safe.
        body = await self._call("POST", base_url, "com.atproto.repo.uploadBlob", credentials.access_token,
                                content=media.data, headers={"Content-Type": media.mime_type})
        blob = body.get("blob")
        if not isinstance(blob, dict):
            raise PlatformError(FailureReason.UNKNOWN, "Bluesky answered uploadBlob without a blob")
        image: dict[str, Any] = {"alt": media.alt, "image": blob}
        size = (media.width, media.height) if media.width and media.height else image_size(media.data)
        if size and all(size):
            image["aspectRatio"] = {"width": size[0], "height": size[1]}
        return image

    async def _existing(self, base_url: str, credentials: Credentials, did: str, rkey: str) -> dict | None:
        try:
            body = await self._call("GET", base_url, "com.atproto.repo.getRecord", credentials.access_token,
                                    params={"repo": did, "collection": POST, "rkey": rkey})
        except PlatformError:
            return None
        return {"uri": body["uri"], "cid": body["cid"]} if body.get("uri") and body.get("cid") else None

    async def _create(self, base_url: str, credentials: Credentials, did: str, rkey: str, record: dict) -> dict:
        response = await send(self._client, "POST", self._url(base_url, "com.atproto.repo.createRecord"), write=True,
                              headers=self._auth(credentials.access_token),
                              json={"repo": did, "collection": POST, "rkey": rkey, "record": record})
        body = _body(response)
        if response.status_code == 200 and body.get("uri") and body.get("cid"):
            return {"uri": body["uri"], "cid": body["cid"]}
        if response.status_code == 200:
            raise PlatformError(FailureReason.UNKNOWN, "Bluesky answered createRecord without a uri and cid")
        error = error_for(response)
        already = "already exists" in str(body.get("message", "")).lower()
        if already or response.status_code >= 500:
            # Our key is taken: an earlier try of this same attempt landed. (A 5xx may hide the same.)
            existing = await self._existing(base_url, credentials, did, rkey)
            if existing:
                return existing
            if already:
                raise PlatformError(FailureReason.UNKNOWN,
                                    f"Bluesky says record {rkey} exists but does not show it yet; retry later")
        raise error

    async def publish(self, base_url: str, credentials: Credentials, post: OutgoingPost) -> PublishedPost:
        did, handle = await self._identity(base_url, credentials)
        images = [await self._upload(base_url, credentials, item) for item in post.media]
        root: dict | None = None
        parent: dict | None = None
        refs: list[dict] = []
        for index, text in enumerate([post.text, *post.thread]):
            record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": _iso(datetime.now(timezone.utc))}
            facets = link_facets(text)
            if facets:
                record["facets"] = facets
            if index == 0 and images:
                record["embed"] = {"$type": "app.bsky.embed.images", "images": images}
            if root and parent:
                record["reply"] = {"root": root, "parent": parent}
            ref = await self._create(base_url, credentials, did, record_key(post.idempotency_key, index), record)
            root, parent = root or ref, ref
            refs.append(ref)
        return PublishedPost(remote_id=refs[0]["uri"], url=_web_url(handle, refs[0]["uri"]),
                             thread_ids=[ref["uri"] for ref in refs[1:]])

    async def fetch_metrics(self, base_url: str, credentials: Credentials, remote_id: str) -> Counters:
        """getPosts' postView counts; Bluesky has no impressions or clicks (None, not 0)."""
        found = await self.fetch_metrics_many(base_url, credentials, [remote_id])
        if remote_id not in found:
            raise PlatformError(FailureReason.UNKNOWN, f"Bluesky does not show post {remote_id}; it may have been deleted")
        return found[remote_id]

    metrics_batch = 25  # getPosts takes at most 25 uris

    async def fetch_metrics_many(self, base_url: str, credentials: Credentials,
                                 remote_ids: Sequence[str]) -> dict[str, Counters]:
        """One getPosts call for up to 25 posts; a post Bluesky does not show is absent from the answer."""
        wanted = set(remote_ids)
        body = await self._call("GET", base_url, "app.bsky.feed.getPosts", credentials.access_token,
                                params={"uris": list(remote_ids)})

        def count(view: dict, field: str) -> int | None:
            value = view.get(field)
            return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None

        return {view["uri"]: Counters(likes=count(view, "likeCount"), reposts=count(view, "repostCount"),
                                      replies=count(view, "replyCount"), quotes=count(view, "quoteCount"),
                                      bookmarks=count(view, "bookmarkCount"))
                for view in body.get("posts", []) if isinstance(view, dict) and view.get("uri") in wanted}

    async def find_recent(self, base_url: str, credentials: Credentials, since: datetime) -> list[RecentPost]:
        """The account's own posts (replies included, reposts not) indexed or created since `since`, newest first."""
        did, handle = await self._identity(base_url, credentials)
        since = since if since.tzinfo else since.replace(tzinfo=timezone.utc)
        found: list[RecentPost] = []
        cursor: str | None = None
        for _ in range(_FEED_PAGES):
            params: dict[str, Any] = {"actor": did, "limit": 100, **({"cursor": cursor} if cursor else {})}
            body = await self._call("GET", base_url, "app.bsky.feed.getAuthorFeed", credentials.access_token, params=params)
            feed = body.get("feed") or []
            oldest: datetime | None = None
            for item in feed:
                view = item.get("post") or {}
                if item.get("reason") or (view.get("author") or {}).get("did") != did:
                    continue  # a repost, or someone else's post
                record = view.get("record") or {}
                indexed, created = _parse_time(view.get("indexedAt")), _parse_time(record.get("createdAt"))
                moments = [m for m in (indexed, created) if m]
                if not moments:
                    continue
                latest = max(moments)
                oldest = latest if oldest is None else min(oldest, latest)
                if latest >= since:
                    found.append(RecentPost(remote_id=view["uri"], url=_web_url(handle, view["uri"]),
                                            text=str(record.get("text", "")), created_at=created or latest))
            cursor = body.get("cursor")
            if not feed or not cursor or (oldest is not None and oldest < since - timedelta(minutes=5)):
                break
        return found
