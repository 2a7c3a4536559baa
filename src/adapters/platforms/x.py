"""X (Twitter API v2) behind the SocialPlatform port. Facts and their sources: platforms.md section 3.

- Connecting: OAuth 2.0 authorization code with PKCE (S256). The authorize page lives on x.com while
  the API (token endpoint included) lives on api.x.com, so the authorize base can differ from the
  API base. X apps are registered in X's developer portal, never at run time: `register_client`
  only packages the configured client id and secret. A confidential client authenticates to the
  token endpoint with HTTP Basic; a public one sends only its client_id.
- Access tokens last 2 hours; a refresh token comes only with `offline.access`, and X rotates it on
  every refresh (the old one stops working), so the new one must be stored at once.
- Publishing: images go through the simple upload (`POST /2/media/upload`), GIFs and videos
  through the chunked one; alt text through `POST /2/media/metadata`; a thread is chained with
  `reply.in_reply_to_tweet_id`. X has no idempotency key: an attempt whose answer never came is
  `OutcomeUnknown`, and reconciliation (`find_recent`) tells whether it landed. A later retry of a
  tweet that did land is refused by X as duplicate content (403), never posted twice.
- Errors: 401 -> auth_expired; 403 "duplicate content" -> duplicate; 429 -> rate_limited at the
  x-rate-limit-reset time (or Retry-After); 400 -> validation (media_rejected for media calls) with
  X's own message; 5xx -> platform_unavailable; anything else -> unknown. Tokens never appear in
  messages.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote, urlencode

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
from domain.shared.platforms import Platform, rules_for
from domain.shared.platforms.images import ALT_LIMITS

DEFAULT_SCOPES = "tweet.read tweet.write users.read offline.access media.write"
CHUNK_SIZE = 4 * 1024 * 1024          # bytes per APPEND segment
MAX_STATUS_POLLS = 60                 # media processing: give up after this many STATUS checks
MAX_RECENT_PAGES = 5                  # find_recent: at most 500 tweets back
_RATE_HEADER_PREFIXES = ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour")


class XPlatform:
    platform = "x"
    auth = "oauth"

    def __init__(self, client: httpx.AsyncClient, *, client_id: str, client_secret: str | None,
                 authorize_base: str | None = None, scopes: str = DEFAULT_SCOPES) -> None:
        self._client = client
        self._client_id = client_id
        self._client_secret = client_secret
        self._authorize_base = authorize_base
        self._scopes = scopes

    def __repr__(self) -> str:  # never show the client secret
        return f"XPlatform(client_id={self._client_id!r}, authorize_base={self._authorize_base!r})"

    # ------------------------------------------------------------------------------------------
    # connecting

    async def register_client(self, base_url: str, redirect_uri: str) -> OAuthClient:
        """X apps are registered in the developer portal; this only pairs them with the redirect URI."""
        return OAuthClient(self._client_id, self._client_secret, redirect_uri)

    def authorization_url(self, base_url: str, client: OAuthClient, *, state: str, code_challenge: str) -> str:
        query = urlencode({"response_type": "code", "client_id": client.client_id, "redirect_uri": client.redirect_uri,
                           "scope": self._scopes, "state": state, "code_challenge": code_challenge,
                           "code_challenge_method": "S256"}, quote_via=quote)
        return f"{(self._authorize_base or base_url).rstrip('/')}/i/oauth2/authorize?{query}"

    async def exchange_code(self, base_url: str, client: OAuthClient, *, code: str, code_verifier: str) -> Credentials:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": client.redirect_uri,
                "code_verifier": code_verifier, "client_id": client.client_id}
        body = await self._token_request(base_url, client, form, refused="X refused the authorization code (expired, already "
                                         "used, or the verifier did not match); connect this channel again")
        credentials = self._credentials(body, previous=None)
        # The user id is needed for reconciliation (GET /2/users/:id/tweets): learn it now.
        me = await self._me(base_url, credentials)
        return Credentials(credentials.access_token, credentials.refresh_token, credentials.expires_at,
                           {**credentials.extra, "user_id": me["id"], "username": me["username"]})

    async def log_in(self, base_url: str, identifier: str, password: str) -> Credentials:
        raise PlatformError(FailureReason.VALIDATION, "X connects through OAuth, not with a password")

    async def refresh(self, base_url: str, client: OAuthClient | None, credentials: Credentials) -> Credentials:
        if not credentials.refresh_token:
            raise PlatformError(FailureReason.AUTH_EXPIRED,
                                "X gave no refresh token (offline.access was not granted); reconnect this channel")
        client = client or OAuthClient(self._client_id, self._client_secret, "")
        form = {"grant_type": "refresh_token", "refresh_token": credentials.refresh_token, "client_id": client.client_id}
        body = await self._token_request(base_url, client, form,
                                         refused="X refused the refresh token (revoked or already used); reconnect this channel")
        return self._credentials(body, previous=credentials)

    async def account(self, base_url: str, credentials: Credentials) -> Account:
        me = await self._me(base_url, credentials)
        return Account(remote_id=str(me["id"]), handle=str(me["username"]), display_name=str(me.get("name") or me["username"]))

    async def limits(self, base_url: str, credentials: Credentials) -> PlatformLimits:
        """X reports none of these through its API: they are the documented defaults (280 weighted
        characters, URLs counted as 23, 4 images). Premium accounts may post longer texts."""
        rules = rules_for("x")
        return PlatformLimits(max_characters=rules.max_length, max_media=rules.max_media,
                              characters_reserved_per_url=rules.url_length)

    # ------------------------------------------------------------------------------------------
    # publishing

    async def publish(self, base_url: str, credentials: Credentials, post: OutgoingPost) -> PublishedPost:
        """Upload the media, post the first tweet, then each thread text as a reply to the previous one.

        `post.idempotency_key` cannot be passed on: X has none. A lost answer raises OutcomeUnknown
        and reconciliation decides. If a follow-up of a thread fails, the error names the tweets
        that were already published."""
        media_ids = [await self._upload(base_url, credentials, item) for item in post.media]
        body: dict[str, Any] = {"text": post.text} if post.text else {}  # a tweet with media may have no text
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        first = await self._tweet(base_url, credentials, body)
        thread_ids: list[str] = []
        previous = first
        for text in post.thread:
            try:
                previous = await self._tweet(base_url, credentials, {"text": text, "reply": {"in_reply_to_tweet_id": previous}})
            except PlatformError as exc:
                raise PlatformError(exc.reason, f"{exc.message} (already published on X: {', '.join([first, *thread_ids])})",
                                    exc.retry_at) from exc
            except OutcomeUnknown as exc:
                raise OutcomeUnknown(f"{exc} (already published on X: {', '.join([first, *thread_ids])})") from exc
            thread_ids.append(previous)
        return PublishedPost(remote_id=first, url=self._url(credentials, first), thread_ids=thread_ids)

    async def fetch_metrics(self, base_url: str, credentials: Credentials, remote_id: str) -> Counters:
        response = await send(self._client, "GET", f"{self._api(base_url)}/2/tweets/{quote(remote_id, safe='')}",
                              params={"tweet.fields": "public_metrics"}, headers=self._auth(credentials))
        body = self._checked(response)
        data = body.get("data")
        if not isinstance(data, dict):
            # X answers a missing tweet with 200 and an "errors" entry, not 404.
            raise PlatformError(FailureReason.VALIDATION,
                                f"X has no post {remote_id}: it was deleted or is not visible ({_message(body)})")
        metrics = data.get("public_metrics") or {}

        def count(name: str) -> int | None:
            value = metrics.get(name)
            return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None

        # Clicks are only in non_public_metrics (owner context, posts under 30 days): unknown here.
        return Counters(likes=count("like_count"), reposts=count("retweet_count"), replies=count("reply_count"),
                        quotes=count("quote_count"), bookmarks=count("bookmark_count"),
                        impressions=count("impression_count"), clicks=None)

    async def find_recent(self, base_url: str, credentials: Credentials, since: datetime) -> list[RecentPost]:
        """The account's tweets created at or after `since`, newest first (reconciliation)."""
        user_id = credentials.extra.get("user_id") or (await self._me(base_url, credentials))["id"]
        since = since if since.tzinfo else since.replace(tzinfo=timezone.utc)
        floor = since.astimezone(timezone.utc).replace(microsecond=0)  # start_time has whole seconds
        params: dict[str, str] = {"max_results": "100", "tweet.fields": "created_at", "start_time": floor.strftime("%Y-%m-%dT%H:%M:%SZ")}
        found: list[RecentPost] = []
        for _ in range(MAX_RECENT_PAGES):
            response = await send(self._client, "GET", f"{self._api(base_url)}/2/users/{quote(str(user_id), safe='')}/tweets",
                                  params=params, headers=self._auth(credentials))
            body = self._checked(response)
            for tweet in body.get("data") or []:
                created = _parse_time(tweet.get("created_at"))
                if created is None or created < floor:
                    continue
                found.append(RecentPost(remote_id=str(tweet["id"]), url=self._url(credentials, str(tweet["id"])),
                                        text=str(tweet.get("text", "")), created_at=created))
            next_token = (body.get("meta") or {}).get("next_token")
            if not next_token:
                break
            params["pagination_token"] = str(next_token)
        return found

    # ------------------------------------------------------------------------------------------
    # helpers

    @staticmethod
    def _api(base_url: str) -> str:
        return base_url.rstrip("/")

    @staticmethod
    def _auth(credentials: Credentials) -> dict[str, str]:
        return {"Authorization": f"Bearer {credentials.access_token}"}

    @staticmethod
    def _url(credentials: Credentials, tweet_id: str) -> str:
        username = credentials.extra.get("username")
        return f"https://x.com/{username}/status/{tweet_id}" if username else f"https://x.com/i/web/status/{tweet_id}"

    async def _token_request(self, base_url: str, client: OAuthClient, form: dict[str, str], *, refused: str) -> dict:
        auth = (client.client_id, client.client_secret) if client.client_secret else None
        response = await send(self._client, "POST", f"{self._api(base_url)}/2/oauth2/token", data=form, auth=auth)
        if response.status_code >= 500:
            raise server_error(response)
        if response.status_code == 429:
            raise _rate_limited(response)
        body = _json(response)
        if response.status_code == 400 and body.get("error") in ("invalid_request", "invalid_grant"):
            raise PlatformError(FailureReason.AUTH_EXPIRED, f"{refused}: {body.get('error_description') or body['error']}")
        if response.status_code == 401 or body.get("error") in ("unauthorized_client", "invalid_client"):
            raise PlatformError(FailureReason.VALIDATION,
                                "X refused PostWizard's client id or secret; check the X app settings "
                                f"({body.get('error_description') or response.status_code})")
        if response.status_code != 200 or not body.get("access_token"):
            raise PlatformError(FailureReason.UNKNOWN, f"X's token endpoint answered {response.status_code}: {_message(body)}")
        return body

    @staticmethod
    def _credentials(body: dict, previous: Credentials | None) -> Credentials:
        expires_in = body.get("expires_in")
        expires_at = (datetime.now(timezone.utc) + timedelta(seconds=int(expires_in))
                      if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool) else None)
        # X rotates refresh tokens; an answer without one must never erase the one we hold.
        refresh_token = body.get("refresh_token") or (previous.refresh_token if previous else None)
        extra = dict(previous.extra) if previous else {}
        if body.get("scope"):
            extra["scope"] = body["scope"]
        return Credentials(access_token=body["access_token"], refresh_token=refresh_token, expires_at=expires_at, extra=extra)

    async def _me(self, base_url: str, credentials: Credentials) -> dict:
        response = await send(self._client, "GET", f"{self._api(base_url)}/2/users/me", headers=self._auth(credentials))
        data = self._checked(response).get("data")
        if not isinstance(data, dict) or not data.get("id") or not data.get("username"):
            raise PlatformError(FailureReason.UNKNOWN, "X's /2/users/me answer has no user id")
        return data

    async def _tweet(self, base_url: str, credentials: Credentials, body: dict) -> str:
        response = await send(self._client, "POST", f"{self._api(base_url)}/2/tweets", write=True, json=body,
                              headers=self._auth(credentials))
        data = self._checked(response).get("data") or {}
        if not data.get("id"):
            raise PlatformError(FailureReason.UNKNOWN, f"X answered {response.status_code} without a tweet id")
        return str(data["id"])

    async def _upload(self, base_url: str, credentials: Credentials, item: MediaItem) -> str:
        """Images: one simple upload. GIFs and videos: initialize, append, finalize, then STATUS until processed.

        Media calls are sent as reads (`write=False`): a lost answer means no tweet exists yet, so it
        is platform_unavailable (retried), not OutcomeUnknown; an orphaned upload simply expires."""
        api, headers = self._api(base_url), self._auth(credentials)
        mime = item.mime_type.lower()
        if mime.startswith("image/") and mime != "image/gif":
            response = await send(self._client, "POST", f"{api}/2/media/upload", headers=headers,
                                  files={"media": ("media", item.data, mime)}, data={"media_category": "tweet_image"})
            media = self._checked(response, media=True).get("data") or {}
        elif mime == "image/gif" or mime.startswith("video/"):
            media = await self._chunked_upload(api, headers, item, "tweet_gif" if mime == "image/gif" else "tweet_video")
        else:
            raise PlatformError(FailureReason.MEDIA_REJECTED, f"X does not take {item.mime_type} media (images, GIFs and videos only)")
        media_id = str(media.get("id") or "")
        if not media_id:
            raise PlatformError(FailureReason.UNKNOWN, "X's media upload answer has no media id")
        if item.alt:
            response = await send(self._client, "POST", f"{api}/2/media/metadata", headers=headers,
                                  json={"id": media_id, "metadata": {"alt_text": {"text": item.alt[:ALT_LIMITS[Platform.X]]}}})
            self._checked(response, media=True)
        return media_id

    async def _chunked_upload(self, api: str, headers: dict[str, str], item: MediaItem, category: str) -> dict:
        response = await send(self._client, "POST", f"{api}/2/media/upload/initialize", headers=headers,
                              json={"media_type": item.mime_type, "total_bytes": len(item.data), "media_category": category})
        media_id = str((self._checked(response, media=True).get("data") or {}).get("id") or "")
        if not media_id:
            raise PlatformError(FailureReason.UNKNOWN, "X's media initialize answer has no media id")
        for index, start in enumerate(range(0, len(item.data), CHUNK_SIZE)):
            response = await send(self._client, "POST", f"{api}/2/media/upload/{media_id}/append", headers=headers,
                                  files={"media": ("chunk", item.data[start:start + CHUNK_SIZE], "application/octet-stream")},
                                  data={"segment_index": str(index)})
            self._checked(response, media=True)
        response = await send(self._client, "POST", f"{api}/2/media/upload/{media_id}/finalize", headers=headers)
        media = self._checked(response, media=True).get("data") or {}
        for _ in range(MAX_STATUS_POLLS):
            processing = media.get("processing_info") or {}
            state = processing.get("state")
            if state in (None, "succeeded"):
                return media
            if state == "failed":
                error = processing.get("error") or {}
                raise PlatformError(FailureReason.MEDIA_REJECTED, f"X could not process the media: {error.get('message') or 'failed'}")
            await asyncio.sleep(min(max(float(processing.get("check_after_secs") or 1), 0.5), 30))
            response = await send(self._client, "GET", f"{api}/2/media/upload", headers=headers,
                                  params={"command": "STATUS", "media_id": media_id})
            media = {**media, **(self._checked(response, media=True).get("data") or {})}
        raise PlatformError(FailureReason.PLATFORM_UNAVAILABLE, "X is still processing the media; try again later")

    @staticmethod
    def _checked(response: httpx.Response, *, media: bool = False) -> dict:
        """The JSON body of a successful answer, or the typed error for a failed one."""
        status = response.status_code
        if 200 <= status < 300:
            return _json(response)
        if status >= 500:
            raise server_error(response)
        if status == 429:
            raise _rate_limited(response)
        body = _json(response)
        if status == 401:
            raise PlatformError(FailureReason.AUTH_EXPIRED,
                                "X refused the access token (expired or revoked); refresh it or reconnect this channel")
        if status == 403 and "duplicate" in _message(body).lower():
            raise PlatformError(FailureReason.DUPLICATE, f"X refuses identical posts: {_message(body)}")
        if status == 400:
            reason = FailureReason.MEDIA_REJECTED if media else FailureReason.VALIDATION
            raise PlatformError(reason, f"X refused the {'media' if media else 'post'}: {_message(body)}")
        raise PlatformError(FailureReason.UNKNOWN, f"X answered {status}: {_message(body)}")


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _message(body: dict) -> str:
    """X's own words: the `errors[].message`s of a 400, else the problem's detail/title, else the OAuth error."""
    messages = [str(e.get("message") or e.get("detail")) for e in body.get("errors") or []
                if isinstance(e, dict) and (e.get("message") or e.get("detail"))]
    if messages:
        return "; ".join(messages)
    return str(body.get("detail") or body.get("title") or body.get("error_description") or body.get("error") or "no details")


def _rate_limited(response: httpx.Response) -> PlatformError:
    """429: retry when the exhausted window resets. X sends x-rate-limit-* and, for daily caps,
    x-user-limit-24hour-* / x-app-limit-24hour-*; the latest reset among the exhausted ones wins."""
    headers = response.headers
    exhausted = [moment for prefix in _RATE_HEADER_PREFIXES
                 if headers.get(f"{prefix}-remaining", "").strip() == "0" and (moment := _reset(headers, prefix)) is not None]
    retry_at = retry_at_from(headers, "x-rate-limit-reset")
    if exhausted:
        retry_at = max([*exhausted, *([retry_at] if retry_at else [])])
    when = f" until {retry_at.isoformat()}" if retry_at else ""
    return PlatformError(FailureReason.RATE_LIMITED, f"X rate-limits this account{when}", retry_at)


def _reset(headers: httpx.Headers, prefix: str) -> datetime | None:
    value = headers.get(f"{prefix}-reset")
    if not value:
        return None
    return retry_at_from({f"{prefix}-reset": value}, f"{prefix}-reset")


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
