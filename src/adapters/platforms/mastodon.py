"""Mastodon (any instance): the SocialPlatform port over Mastodon's REST API and OAuth.

Facts used (platforms.md section 1): apps are registered per instance (`POST /api/v1/apps`, always
confidential); authorization code + PKCE S256 (Mastodon 4.3+); tokens have no expiry and no refresh
token; statuses take an `Idempotency-Key` that the server keeps for 1 hour; media goes through
`POST /api/v2/media` (200 when processed, 202 then `GET /api/v1/media/:id` answering 206 until done);
limits are read from `GET /api/v2/instance`; errors are `{"error": ...}` (OAuth adds
`error_description`); 429 carries `X-RateLimit-Reset` as an ISO 8601 time.

Tokens never appear in exception messages or logs: only the platform's own error text does.
"""

from __future__ import annotations

import asyncio
import mimetypes
import re
import time
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlparse

import httpx

from adapters.platforms.http import retry_at_from, send, server_error
from application.platforms.ports import (
    Account,
    Credentials,
    MediaItem,
    OAuthClient,
    OutcomeUnknown,
    OutgoingPost,
    PlatformError,
    PlatformLimits,
    PublishedPost,
    RecentPost,
)
from domain.engagement.engagement import Counters
from domain.publishing.states import FailureReason

# Least privilege that works on every Mastodon version: read:accounts for verify_credentials (the
# narrower "profile" scope exists only from 4.3, and older instances refuse to register an app that
# asks for a scope they do not know), read:statuses to read our own statuses back (metrics, and
# reconciliation, which must also see unlisted and private ones), write:statuses and write:media.
DEFAULT_SCOPES = "read:accounts read:statuses write:statuses write:media"
WEBSITE = "https://github.com/postwizard/postwizard"
FIND_RECENT_PAGE = 40      # Mastodon's maximum `limit` for account statuses
FIND_RECENT_MAX_PAGES = 25


class _PlainText(HTMLParser):
    """A status' HTML `content` back to the text that was posted: <br> is a line break, a new <p> a
    blank line, and link markup (Mastodon hides the scheme and cuts long URLs in spans) joins up again."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._paragraphs = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p":
            if self._paragraphs:
                self.parts.append("\n\n")
            self._paragraphs += 1

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(content: str) -> str:
    parser = _PlainText()
    parser.feed(content or "")
    parser.close()
    return "".join(parser.parts)


def _parse_time(value: str | None) -> datetime:
    if not value:
        return datetime.now(timezone.utc)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _count(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else None


def _platform_message(response: httpx.Response) -> str:
    """Mastodon's own words for a failure: `error` (plus OAuth's `error_description`), else a short excerpt."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("error"):
        message = str(body["error"])
        if body.get("error_description"):
            message = f"{message}: {body['error_description']}"
        return message[:300]
    excerpt = " ".join(response.text.split())[:200]
    return excerpt or response.reason_phrase or "no details"


def _failure(response: httpx.Response, *, media: bool = False, oauth: bool = False, write: bool = False) -> Exception:
    """One mapping of Mastodon's answers to typed failures (`media`: while uploading or processing media;
    `oauth`: connecting; `write`: creating a status)."""
    status, message = response.status_code, _platform_message(response)
    if status == 401:
        if oauth:
            return PlatformError(FailureReason.AUTH_EXPIRED,
                                 f"Mastodon refused the app's credentials ({message}); connect the channel again")
        return PlatformError(FailureReason.AUTH_EXPIRED,
                             f"Mastodon refused the access token ({message}); reconnect this channel")
    if status == 400 and oauth:
        return PlatformError(FailureReason.AUTH_EXPIRED,
                             f"Mastodon refused the authorization ({message}); connect the channel again")
    if status == 403:
        lowered = message.lower()
        if "scope" in lowered or "login" in lowered or "account" in lowered:
            return PlatformError(FailureReason.AUTH_EXPIRED, f"Mastodon refused: {message}; reconnect this channel")
        return PlatformError(FailureReason.UNKNOWN, f"Mastodon answered 403: {message}")
    if status == 429:
        return PlatformError(FailureReason.RATE_LIMITED, f"Mastodon rate limit reached ({message})",
                             retry_at_from(response.headers, "x-ratelimit-reset"))
    if status == 413 and media:  # the instance's proxy refused the upload's size before Mastodon saw it
        return PlatformError(FailureReason.MEDIA_REJECTED, "Mastodon refused the file: it is too large for this instance")
    if status == 422:
        lowered = message.lower()
        if media or "attach" in lowered or lowered.startswith("validation failed: file"):
            return PlatformError(FailureReason.MEDIA_REJECTED, f"Mastodon refused the media: {message}")
        return PlatformError(FailureReason.VALIDATION, f"Mastodon refused the post: {message}")
    if status == 504 and write:
        # The gateway gave up waiting for Mastodon, which may still have created the status.
        return OutcomeUnknown("Mastodon's gateway timed out (504) while posting; it may have been posted")
    if status >= 500:
        return server_error(response)
    return PlatformError(FailureReason.UNKNOWN, f"Mastodon answered {status}: {message}")


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise PlatformError(FailureReason.UNKNOWN,
                            f"Mastodon answered {response.status_code} with a body that is not JSON") from None


class MastodonPlatform:
    """The SocialPlatform port for Mastodon. One instance serves every Mastodon instance (base URL per call)."""

    platform = "mastodon"
    auth = "oauth"

    def __init__(self, client: httpx.AsyncClient, *, client_name: str = "PostWizard", scopes: str = DEFAULT_SCOPES,
                 website: str | None = WEBSITE, media_poll_interval: float = 0.25, media_poll_max_interval: float = 2.0,
                 media_timeout: float = 120.0) -> None:
        self._client = client
        self.client_name = client_name
        self.scopes = " ".join(scopes.split())
        self.website = website
        self._poll_interval = media_poll_interval
        self._poll_max_interval = media_poll_max_interval
        self._media_timeout = media_timeout

    # -- connecting ------------------------------------------------------------------------------

    async def register_client(self, base_url: str, redirect_uri: str) -> OAuthClient:
        """Register PostWizard as an app of this instance (Mastodon wants one registration per instance)."""
        data = {"client_name": self.client_name, "redirect_uris": redirect_uri, "scopes": self.scopes}
        if self.website:
            data["website"] = self.website
        response = await send(self._client, "POST", _url(base_url, "/api/v1/apps"), data=data)
        if response.status_code != 200:
            raise _failure(response)
        body = _json(response)
        body = body if isinstance(body, dict) else {}
        client_id, secret = body.get("client_id"), body.get("client_secret")
        # The id goes into the authorization URL we hand the user: take it only if it looks like one.
        if not (isinstance(client_id, str) and _OAUTH_TOKEN.fullmatch(client_id)) or not isinstance(secret, (str, type(None))):
            raise PlatformError(FailureReason.UNKNOWN, "the instance's app registration answer has no usable client_id")
        return OAuthClient(client_id=client_id, client_secret=secret, redirect_uri=redirect_uri)

    def authorization_url(self, base_url: str, client: OAuthClient, *, state: str, code_challenge: str) -> str:
        query = urlencode({"response_type": "code", "client_id": client.client_id, "redirect_uri": client.redirect_uri,
                           "scope": self.scopes, "state": state, "code_challenge": code_challenge,
                           "code_challenge_method": "S256"})
        return f"{_url(base_url, '/oauth/authorize')}?{query}"

    async def exchange_code(self, base_url: str, client: OAuthClient, *, code: str, code_verifier: str) -> Credentials:
        data = {"grant_type": "authorization_code", "code": code, "client_id": client.client_id,
                "redirect_uri": client.redirect_uri, "code_verifier": code_verifier}
        if client.client_secret:
            data["client_secret"] = client.client_secret
        response = await send(self._client, "POST", _url(base_url, "/oauth/token"), data=data)
        if response.status_code != 200:
            raise _failure(response, oauth=True)
        body = _json(response)
        if not body.get("access_token"):
            raise PlatformError(FailureReason.UNKNOWN, "Mastodon's token answer has no access_token")
        # Mastodon's Token entity has no expires_in; some compatible servers send one, so honour it if present.
        expires_in = _count(body.get("expires_in"))
        return Credentials(access_token=body["access_token"], refresh_token=body.get("refresh_token"),
                           expires_at=datetime.now(timezone.utc) + timedelta(seconds=expires_in) if expires_in else None,
                           extra={"scope": body.get("scope", self.scopes)})

    async def log_in(self, base_url: str, identifier: str, password: str) -> Credentials:
        raise PlatformError(FailureReason.VALIDATION, "Mastodon connects through OAuth")

    async def refresh(self, base_url: str, client: OAuthClient | None, credentials: Credentials) -> Credentials:
        """Mastodon tokens do not expire and come without a refresh token (MDOC entities/Token.md): nothing to do.
        A revoked token shows up as auth_expired on the next call, and only reconnecting fixes that."""
        return credentials

    async def account(self, base_url: str, credentials: Credentials) -> Account:
        """The handle is the full `user@instance`: a local account's `acct` is only `user`, and the same
        user name exists on many instances."""
        body = await self._verify_credentials(base_url, credentials)
        acct = str(body.get("acct") or body.get("username"))
        if "@" not in acct:
            acct = f"{acct}@{urlparse(base_url).netloc}"
        return Account(remote_id=str(body["id"]), handle=acct,
                       display_name=body.get("display_name") or body.get("username") or "")

    async def limits(self, base_url: str, credentials: Credentials) -> PlatformLimits:
        """The instance's own limits (configurable per instance, so never hard-coded)."""
        response = await send(self._client, "GET", _url(base_url, "/api/v2/instance"), headers=_auth(credentials))
        if response.status_code in (404, 410):  # before Mastodon 4.0: v1 has the same configuration block (3.4+)
            response = await send(self._client, "GET", _url(base_url, "/api/v1/instance"), headers=_auth(credentials))
        if response.status_code != 200:
            raise _failure(response)
        body = _json(response)
        statuses = (body.get("configuration") or {}).get("statuses") or {}
        media = (body.get("configuration") or {}).get("media_attachments") or {}
        return PlatformLimits(max_characters=_count(statuses.get("max_characters", body.get("max_toot_chars"))),
                              max_media=_count(statuses.get("max_media_attachments")),
                              characters_reserved_per_url=_count(statuses.get("characters_reserved_per_url")),
                              max_image_bytes=_count(media.get("image_size_limit")) or None,
                              max_image_pixels=_count(media.get("image_matrix_limit")) or None)

    # -- publishing ------------------------------------------------------------------------------

    async def publish(self, base_url: str, credentials: Credentials, post: OutgoingPost) -> PublishedPost:
        """Upload the media, post the status, then chain the thread as replies.

        Every status carries an Idempotency-Key (the attempt's key; `key:i` for the i-th reply), so a retry
        of the same attempt within Mastodon's hour returns the statuses already made instead of doubling
        them, including a thread that failed half way."""
        media_ids = [await self._upload(base_url, credentials, item) for item in post.media]
        first = await self._post_status(base_url, credentials, post.text, key=post.idempotency_key, media_ids=media_ids)
        previous, thread_ids = str(first["id"]), []
        for index, text in enumerate(post.thread, start=1):
            reply = await self._post_status(base_url, credentials, text, key=f"{post.idempotency_key}:{index}",
                                            in_reply_to_id=previous)
            previous = str(reply["id"])
            thread_ids.append(previous)
        return PublishedPost(remote_id=str(first["id"]), url=_web_link(first), thread_ids=thread_ids)

    async def fetch_metrics(self, base_url: str, credentials: Credentials, remote_id: str) -> Counters:
        """Mastodon gives favourites, boosts, replies and (4.5+) quotes; no impressions, bookmarks or clicks."""
        response = await send(self._client, "GET", _url(base_url, f"/api/v1/statuses/{remote_id}"), headers=_auth(credentials))
        if response.status_code != 200:
            raise _failure(response)
        body = _json(response)
        return Counters(likes=_count(body.get("favourites_count")), reposts=_count(body.get("reblogs_count")),
                        replies=_count(body.get("replies_count")), quotes=_count(body.get("quotes_count")))

    async def find_recent(self, base_url: str, credentials: Credentials, since: datetime) -> list[RecentPost]:
        """The account's own statuses created at or after `since`, newest first (to reconcile unknown outcomes)."""
        account_id = credentials.extra.get("account_id") or str((await self._verify_credentials(base_url, credentials))["id"])
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)
        url = _url(base_url, f"/api/v1/accounts/{account_id}/statuses")
        params: dict[str, Any] | None = {"limit": FIND_RECENT_PAGE, "exclude_reblogs": "true"}
        found: list[RecentPost] = []
        for _ in range(FIND_RECENT_MAX_PAGES):
            response = await send(self._client, "GET", url, params=params, headers=_auth(credentials))
            if response.status_code != 200:
                raise _failure(response)
            page = _json(response)
            if not isinstance(page, list) or not page:
                break
            reached_older = False
            for status in page:
                created_at = _parse_time(status.get("created_at"))
                if created_at < since:
                    reached_older = True
                    continue
                if status.get("reblog"):
                    continue
                text = status.get("text")
                found.append(RecentPost(remote_id=str(status["id"]), url=_web_link(status),
                                        text=text if isinstance(text, str) else html_to_text(status.get("content", "")),
                                        created_at=created_at))
            next_link = response.links.get("next", {}).get("url")
            if reached_older or not next_link or not _same_origin(next_link, base_url):
                break  # the token goes with the request: never follow a link off the instance
            url, params = next_link, None
        return found

    # -- helpers ---------------------------------------------------------------------------------

    async def _verify_credentials(self, base_url: str, credentials: Credentials) -> dict:
        response = await send(self._client, "GET", _url(base_url, "/api/v1/accounts/verify_credentials"),
                              headers=_auth(credentials))
        if response.status_code != 200:
            raise _failure(response)
        return _json(response)

    async def _upload(self, base_url: str, credentials: Credentials, item: MediaItem) -> str:
        """Upload one file and wait until Mastodon has processed it; returns the media id.

        Not sent as a write: a media upload whose answer is lost creates no post, only an orphan file
        Mastodon deletes later, so it is plainly retryable (platform_unavailable), not an unknown outcome."""
        extension = mimetypes.guess_extension(item.mime_type) or ""
        files = {"file": (f"upload{extension}", item.data, item.mime_type)}
        data = {"description": item.alt} if item.alt else None
        response = await send(self._client, "POST", _url(base_url, "/api/v2/media"), files=files, data=data,
                              headers=_auth(credentials))
        if response.status_code not in (200, 202):
            raise _failure(response, media=True)
        media_id = str(_json(response)["id"])
        if response.status_code == 202:
            await self._wait_processed(base_url, credentials, media_id)
        return media_id

    async def _wait_processed(self, base_url: str, credentials: Credentials, media_id: str) -> None:
        deadline = time.monotonic() + self._media_timeout
        delay = self._poll_interval
        while True:
            await asyncio.sleep(delay)
            response = await send(self._client, "GET", _url(base_url, f"/api/v1/media/{media_id}"), headers=_auth(credentials))
            if response.status_code == 200:
                return
            if response.status_code != 206:
                raise _failure(response, media=True)
            if time.monotonic() + delay > deadline:
                raise PlatformError(FailureReason.PLATFORM_UNAVAILABLE,
                                    f"Mastodon was still processing the media after {self._media_timeout:.0f} s")
            delay = min(delay * 2, self._poll_max_interval)

    async def _post_status(self, base_url: str, credentials: Credentials, text: str, *, key: str,
                           media_ids: list[str] | None = None, in_reply_to_id: str | None = None) -> dict:
        body: dict[str, Any] = {"status": text}
        if media_ids:
            body["media_ids"] = media_ids
        if in_reply_to_id:
            body["in_reply_to_id"] = in_reply_to_id
        response = await send(self._client, "POST", _url(base_url, "/api/v1/statuses"), write=True, json=body,
                              headers={**_auth(credentials), "Idempotency-Key": key})
        if response.status_code != 200:
            raise _failure(response, write=True)
        status = _json(response)
        if not isinstance(status, dict) or not status.get("id"):
            raise OutcomeUnknown("Mastodon accepted the status but its answer has no id; it may have been posted")
        return status


def _url(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


_OAUTH_TOKEN = re.compile(r"[A-Za-z0-9._~+/=-]{1,255}")  # RFC 6749 token characters (Mastodon's ids are base64url)


def _web_link(status: dict) -> str | None:
    """The status' public link, shown to users as a link: only an http(s) URL is taken from the answer."""
    for value in (status.get("url"), status.get("uri")):
        if isinstance(value, str) and len(value) <= 2000 and urlparse(value).scheme in ("https", "http"):
            return value
    return None


def _same_origin(url: str, base_url: str) -> bool:
    a, b = urlparse(url), urlparse(base_url)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


def _auth(credentials: Credentials) -> dict[str, str]:
    return {"Authorization": f"Bearer {credentials.access_token}"}
