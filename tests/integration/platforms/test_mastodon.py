"""The Mastodon adapter against the simulated Mastodon instance, over real sockets.

Covers the OAuth connect flow (app registration, the consent page driven like a browser, PKCE), the
instance limits, publishing (text, Idempotency-Key replay, image, processed video, thread), metrics,
reconciliation reads, and every typed failure the adapter promises.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import struct
import time
import uuid
import zlib
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlparse, urlsplit

import httpx
import pytest

from adapters.platforms.mastodon import MastodonPlatform, html_to_text
from application.platforms.ports import Credentials, MediaItem, OAuthClient, OutcomeUnknown, OutgoingPost, PlatformError
from domain.publishing.states import FailureReason

REDIRECT_URI = "http://127.0.0.1:9/oauth/mastodon/callback"


# -- helpers ---------------------------------------------------------------------------------------

def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def tiny_png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xff\x80\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def tiny_mp4() -> bytes:
    return struct.pack(">I", 24) + b"ftypmp42" + b"\x00\x00\x00\x00mp42isom" + b"\x00" * 64


class FormReader(HTMLParser):
    """What a browser sees of the consent page: the form, its fields, the account choices, its buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}  # radio choices
        self.checked: dict[str, str] = {}
        self.buttons: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self._button: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.action = a.get("action")
        elif tag == "input" and a.get("type") == "hidden":
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("type") == "radio":
            self.options.setdefault(a["name"], []).append(a["value"])
            if "checked" in a:
                self.checked[a["name"]] = a["value"]
        elif tag == "button":
            self._button = [a.get("name"), a.get("value"), ""]

    def handle_endtag(self, tag):
        if tag == "button" and self._button:
            self.buttons.append(tuple(self._button))
            self._button = None

    def handle_data(self, data):
        self.text.append(data)
        if self._button is not None:
            self._button[2] += data.strip()


async def consent(http: httpx.AsyncClient, authorization_url: str, *, account: str = "sandbox",
                  decision: str = "Authorize") -> tuple[httpx.Response, FormReader]:
    """Open the consent page, pick the account, press a button: the answer is the 302 back to the app."""
    page = await http.get(authorization_url)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    form = FormReader()
    form.feed(page.text)
    assert account in form.options["account"] and form.checked["account"] == form.options["account"][0]
    name, value = next((n, v) for n, v, label in form.buttons if label == decision)
    answer = await http.post(urljoin(authorization_url, form.action),
                             data={**form.fields, "account": account, name: value})
    return answer, form


async def connect(platform: MastodonPlatform, http: httpx.AsyncClient, base: str, *,
                  account: str = "sandbox") -> tuple[OAuthClient, Credentials]:
    client = await platform.register_client(base, REDIRECT_URI)
    verifier, challenge = pkce_pair()
    answer, _ = await consent(http, platform.authorization_url(base, client, state="st", code_challenge=challenge),
                              account=account)
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    return client, await platform.exchange_code(base, client, code=code, code_verifier=verifier)


def attempt(text: str = "", **kw) -> OutgoingPost:
    return OutgoingPost(text=text or f"Hello from PostWizard {uuid.uuid4().hex[:8]}", idempotency_key=str(uuid.uuid4()), **kw)


async def posts_with(control: httpx.AsyncClient, key: str) -> list[dict]:
    posts = (await control.get("/posts", params={"platform": "mastodon"})).json()
    return [p for p in posts if p["idempotency_key"] == key]


async def expect_failure(reason: FailureReason, call) -> PlatformError:
    with pytest.raises(PlatformError) as caught:
        await call
    assert caught.value.reason is reason, caught.value.message
    return caught.value


# -- fixtures --------------------------------------------------------------------------------------

@pytest.fixture
def base(simulator_url: str) -> str:
    return f"{simulator_url}/mastodon"


@pytest.fixture
def platform(http_client: httpx.AsyncClient) -> MastodonPlatform:
    return MastodonPlatform(http_client, media_poll_interval=0.05)


@pytest.fixture
async def credentials(platform, http_client, base) -> Credentials:
    return (await connect(platform, http_client, base))[1]


# -- connecting ------------------------------------------------------------------------------------

async def test_connect_flow_with_consent_page_and_pkce(platform, http_client, base, sim_state):
    client = await platform.register_client(base, REDIRECT_URI)
    assert client.client_id and client.client_secret and client.redirect_uri == REDIRECT_URI
    app = sim_state.platform_data("mastodon")["apps"][client.client_id]
    assert app["name"] == "PostWizard" and set(app["scopes"]) == set(platform.scopes.split())

    verifier, challenge = pkce_pair()
    url = platform.authorization_url(base, client, state="state-123", code_challenge=challenge)
    query = parse_qs(urlsplit(url).query)
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert query["state"] == ["state-123"] and query["code_challenge"] == [challenge]

    answer, form = await consent(http_client, url)
    page_text = " ".join(form.text)
    assert "PostWizard" in page_text and "write:statuses" in page_text
    assert answer.status_code == 302
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    params = parse_qs(location.query)
    assert params["state"] == ["state-123"]

    credentials = await platform.exchange_code(base, client, code=params["code"][0], code_verifier=verifier)
    assert credentials.expires_at is None and credentials.refresh_token is None  # Mastodon tokens do not expire
    assert credentials.access_token not in repr(credentials)
    token = sim_state.tokens[credentials.access_token]
    assert token.handle == "sandbox" and token.scopes == platform.scopes

    account = await platform.account(base, credentials)
    # a local account's acct is just "sandbox"; the handle names the instance too
    assert account.handle == f"sandbox@{urlparse(base).netloc}" and account.display_name == "Sandbox on Mastodon"
    assert account.remote_id == sim_state.account("mastodon", "sandbox").remote_id
    assert await platform.refresh(base, client, credentials) is credentials


async def test_deny_redirects_with_access_denied(platform, http_client, base):
    client = await platform.register_client(base, REDIRECT_URI)
    answer, _ = await consent(http_client, platform.authorization_url(base, client, state="s9", code_challenge=pkce_pair()[1]),
                              decision="Deny")
    assert answer.status_code == 302
    params = parse_qs(urlsplit(answer.headers["location"]).query)
    assert params["error"] == ["access_denied"] and params["state"] == ["s9"] and "code" not in params


async def test_authorize_page_refuses_bad_requests(platform, http_client, base):
    client = await platform.register_client(base, REDIRECT_URI)
    url = urlsplit(platform.authorization_url(base, client, state="s7", code_challenge=pkce_pair()[1]))
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    authorize = f"{base}/oauth/authorize"
    for unsafe_to_redirect in ({"client_id": "nobody"}, {"redirect_uri": "https://evil.example/cb"}):
        page = await http_client.get(authorize, params={**params, **unsafe_to_redirect})
        assert page.status_code == 400 and 'id="error"' in page.text
    for bad, error in (({"scope": "read admin:write"}, "invalid_scope"), ({"code_challenge_method": "plain"}, "invalid_request"),
                       ({"response_type": "token"}, "unsupported_response_type")):
        answer = await http_client.get(authorize, params={**params, **bad})
        assert answer.status_code == 302 and answer.headers["location"].startswith(REDIRECT_URI)
        assert parse_qs(urlsplit(answer.headers["location"]).query)["error"] == [error]
        assert parse_qs(urlsplit(answer.headers["location"]).query)["state"] == ["s7"]


async def test_wrong_verifier_wrong_secret_and_replayed_code_are_refused(platform, http_client, base):
    client = await platform.register_client(base, REDIRECT_URI)
    verifier, challenge = pkce_pair()
    answer, _ = await consent(http_client, platform.authorization_url(base, client, state="s", code_challenge=challenge))
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]

    error = await expect_failure(FailureReason.AUTH_EXPIRED,
                                 platform.exchange_code(base, client, code=code, code_verifier=pkce_pair()[0]))
    assert "invalid_grant" in error.message
    wrong_secret = OAuthClient(client.client_id, "not-the-secret", client.redirect_uri)
    error = await expect_failure(FailureReason.AUTH_EXPIRED,
                                 platform.exchange_code(base, wrong_secret, code=code, code_verifier=verifier))
    assert "invalid_client" in error.message

    assert (await platform.exchange_code(base, client, code=code, code_verifier=verifier)).access_token
    await expect_failure(FailureReason.AUTH_EXPIRED, platform.exchange_code(base, client, code=code, code_verifier=verifier))


async def test_token_endpoint_speaks_oauth_errors(http_client, base):
    answer = await http_client.post(f"{base}/oauth/token", data={"grant_type": "authorization_code", "code": "x",
                                                                "client_id": "nobody", "client_secret": "x"})
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"
    assert "error_description" in answer.json()


async def test_log_in_is_not_how_mastodon_connects(platform, base):
    error = await expect_failure(FailureReason.VALIDATION, platform.log_in(base, "sandbox", "secret"))
    assert "OAuth" in error.message


async def test_instance_limits_are_read_not_hard_coded(platform, credentials, base, sim_state):
    limits = await platform.limits(base, credentials)
    assert (limits.max_characters, limits.max_media, limits.characters_reserved_per_url) == (500, 4, 23)
    statuses = sim_state.platform_data("mastodon")["configuration"]["statuses"]
    statuses["max_characters"] = 1000
    try:
        assert (await platform.limits(base, credentials)).max_characters == 1000
    finally:
        statuses["max_characters"] = 500


async def test_image_limits_are_read_and_the_instance_refuses_images_over_them(platform, credentials, base, sim_state,
                                                                              control):
    media = sim_state.platform_data("mastodon")["configuration"]["media_attachments"]
    limits = await platform.limits(base, credentials)
    assert (limits.max_image_bytes, limits.max_image_pixels) == (media["image_size_limit"], media["image_matrix_limit"])
    saved = dict(media)
    media.update(image_size_limit=1000, image_matrix_limit=64 * 64)
    try:
        assert (await platform.limits(base, credentials)).max_image_bytes == 1000
        too_heavy = attempt(media=[MediaItem(tiny_png(2, 2) + b"\0" * 1000, "image/png")])
        error = await expect_failure(FailureReason.MEDIA_REJECTED, platform.publish(base, credentials, too_heavy))
        assert "file size" in error.message
        too_large = attempt(media=[MediaItem(tiny_png(65, 64), "image/png")])
        error = await expect_failure(FailureReason.MEDIA_REJECTED, platform.publish(base, credentials, too_large))
        assert "65x64 images are not supported" in error.message
        fitting = attempt(media=[MediaItem(tiny_png(64, 64), "image/png")])
        assert (await platform.publish(base, credentials, fitting)).remote_id
        assert await posts_with(control, too_heavy.idempotency_key) == await posts_with(control, too_large.idempotency_key) == []
    finally:
        media.update(saved)


# -- publishing ------------------------------------------------------------------------------------

async def test_publish_text(platform, credentials, base, control):
    post = attempt()
    published = await platform.publish(base, credentials, post)
    assert published.remote_id.isdigit() and published.thread_ids == []
    assert published.url == f"{base}/@sandbox/{published.remote_id}"
    [record] = await posts_with(control, post.idempotency_key)
    assert record["remote_id"] == published.remote_id and record["text"] == post.text and record["handle"] == "sandbox"


async def test_idempotency_key_replay_returns_the_same_status(platform, credentials, base, control):
    post = attempt()
    first = await platform.publish(base, credentials, post)
    again = await platform.publish(base, credentials, post)
    assert again.remote_id == first.remote_id
    assert len(await posts_with(control, post.idempotency_key)) == 1
    other = await platform.publish(base, credentials, attempt(post.text))  # same text, new attempt: a new status
    assert other.remote_id != first.remote_id


async def test_publish_image(platform, credentials, base, control, http_client):
    post = attempt(media=[MediaItem(tiny_png(), "image/png", alt="An orange square")])
    published = await platform.publish(base, credentials, post)
    [record] = await posts_with(control, post.idempotency_key)
    assert len(record["media_ids"]) == 1
    status = (await http_client.get(f"{base}/api/v1/statuses/{published.remote_id}")).json()
    [attachment] = status["media_attachments"]
    assert attachment["type"] == "image" and attachment["description"] == "An orange square"
    assert attachment["meta"]["original"]["width"] == 2
    assert (await http_client.get(attachment["url"])).content == tiny_png()


async def test_publish_video_waits_for_processing(platform, credentials, base, control, sim_state):
    started = time.monotonic()
    post = attempt(media=[MediaItem(tiny_mp4(), "video/mp4")])
    await platform.publish(base, credentials, post)
    assert time.monotonic() - started >= sim_state.platform_data("mastodon")["media_processing_seconds"]
    [record] = await posts_with(control, post.idempotency_key)
    assert len(record["media_ids"]) == 1


async def test_status_on_unprocessed_media_is_refused(credentials, base, http_client):
    headers = {"Authorization": f"Bearer {credentials.access_token}"}
    upload = await http_client.post(f"{base}/api/v2/media", files={"file": ("v.mp4", tiny_mp4(), "video/mp4")}, headers=headers)
    assert upload.status_code == 202 and upload.json()["url"] is None
    assert (await http_client.get(f"{base}/api/v1/media/{upload.json()['id']}", headers=headers)).status_code == 206
    answer = await http_client.post(f"{base}/api/v1/statuses", headers=headers,
                                    data={"status": "too soon", "media_ids[]": upload.json()["id"]})
    assert answer.status_code == 422 and "finished processing" in answer.json()["error"]


async def test_thread_is_chained_and_replays_idempotently(platform, credentials, base, control):
    post = attempt("Thread 1/3", thread=["Thread 2/3", "Thread 3/3"])
    published = await platform.publish(base, credentials, post)
    assert len(published.thread_ids) == 2
    posts = {p["remote_id"]: p for p in (await control.get("/posts", params={"platform": "mastodon"})).json()}
    second, third = (posts[i] for i in published.thread_ids)
    assert posts[published.remote_id]["reply_to"] is None
    assert second["reply_to"] == published.remote_id and third["reply_to"] == second["remote_id"]
    assert [second["text"], third["text"]] == ["Thread 2/3", "Thread 3/3"]
    assert second["idempotency_key"] == f"{post.idempotency_key}:1"
    before = len(posts)
    assert await platform.publish(base, credentials, post) == published  # a retried attempt doubles nothing
    assert len((await control.get("/posts", params={"platform": "mastodon"})).json()) == before


async def test_metrics_follow_the_counters(platform, credentials, base, control):
    published = await platform.publish(base, credentials, attempt())
    counters = await platform.fetch_metrics(base, credentials, published.remote_id)
    assert (counters.likes, counters.reposts, counters.replies, counters.quotes) == (0, 0, 0, 0)
    await control.post(f"/posts/mastodon/{published.remote_id}/counters", json={"likes": 7, "reposts": 3, "replies": 2, "quotes": 1})
    counters = await platform.fetch_metrics(base, credentials, published.remote_id)
    assert (counters.likes, counters.reposts, counters.replies, counters.quotes) == (7, 3, 2, 1)
    assert counters.impressions is None and counters.bookmarks is None and counters.clicks is None


async def test_find_recent_returns_the_posted_text(platform, credentials, base):
    since = datetime.now(timezone.utc) - timedelta(milliseconds=5)
    text = ("Launch day! Read https://example.com/a/very/long/path/that/mastodon/cuts?x=1&y=2 now.\n"
            "Line two with <angle> & #PostWizard\n\nSecond paragraph")
    first = await platform.publish(base, credentials, attempt(text))
    second = await platform.publish(base, credentials, attempt())
    recent = await platform.find_recent(base, credentials, since)
    assert [r.remote_id for r in recent] == [second.remote_id, first.remote_id]  # newest first
    assert recent[1].text == text and recent[1].url == first.url and recent[1].created_at >= since
    assert await platform.find_recent(base, credentials, datetime.now(timezone.utc) + timedelta(seconds=1)) == []


async def test_find_recent_follows_pages(platform, credentials, base, monkeypatch):
    import adapters.platforms.mastodon as module

    monkeypatch.setattr(module, "FIND_RECENT_PAGE", 2)
    since = datetime.now(timezone.utc) - timedelta(milliseconds=5)
    ids = [(await platform.publish(base, credentials, attempt())).remote_id for _ in range(5)]
    assert [r.remote_id for r in await platform.find_recent(base, credentials, since)] == ids[::-1]


def test_html_to_text_undoes_mastodon_markup():
    content = ('<p>Hi <a href="https://x.org/tags/a" class="mention hashtag" rel="tag">#<span>a</span></a> &amp; '
               '<a href="https://example.com/abc"><span class="invisible">https://</span><span class="">example.com/abc'
               '</span><span class="invisible"></span></a><br />next</p><p>para</p>')
    assert html_to_text(content) == "Hi #a & https://example.com/abc\nnext\n\npara"


# -- typed failures --------------------------------------------------------------------------------

async def test_text_is_counted_the_mastodon_way(platform, credentials, base):
    url = "https://example.com/" + "p" * 200
    fits = "x" * 470 + " " + url  # 471 + 23 counted, though longer than 500 as written
    assert len(fits) > 500
    assert (await platform.publish(base, credentials, attempt(fits))).remote_id
    error = await expect_failure(FailureReason.VALIDATION, platform.publish(base, credentials, attempt("y" * 501)))
    assert "character limit of 500" in error.message


async def test_empty_text_is_a_validation_failure(platform, credentials, base, control):
    post = OutgoingPost(text="   ", idempotency_key=str(uuid.uuid4()))
    error = await expect_failure(FailureReason.VALIDATION, platform.publish(base, credentials, post))
    assert "Text can't be blank" in error.message
    assert await posts_with(control, post.idempotency_key) == []


async def test_unsupported_media_is_rejected(platform, credentials, base, control):
    for item in (MediaItem(b"plain words", "text/plain"), MediaItem(b"not really a png", "image/png")):
        post = attempt(media=[item])
        error = await expect_failure(FailureReason.MEDIA_REJECTED, platform.publish(base, credentials, post))
        assert "content type is invalid" in error.message
        assert await posts_with(control, post.idempotency_key) == []


async def test_auth_fail_fault_and_revoked_token_are_auth_expired(platform, http_client, base, control):
    client, credentials = await connect(platform, http_client, base)
    await control.put("/faults/mastodon", json={"auth_fail": True})
    error = await expect_failure(FailureReason.AUTH_EXPIRED, platform.publish(base, credentials, attempt()))
    assert "reconnect" in error.message and credentials.access_token not in error.message
    await expect_failure(FailureReason.AUTH_EXPIRED, platform.account(base, credentials))
    await control.delete("/faults")
    assert (await platform.account(base, credentials)).handle.startswith("sandbox@")

    revoked = await http_client.post(f"{base}/oauth/revoke", data={"client_id": client.client_id,
                                                                   "client_secret": client.client_secret,
                                                                   "token": credentials.access_token})
    assert revoked.status_code == 200
    error = await expect_failure(FailureReason.AUTH_EXPIRED, platform.fetch_metrics(base, credentials, "1"))
    assert credentials.access_token not in error.message

    _, other = await connect(platform, http_client, base)
    expired = (await control.post("/tokens/expire", json={"platform": "mastodon", "handle": "sandbox"})).json()
    assert expired["expired"] >= 1
    await expect_failure(FailureReason.AUTH_EXPIRED, platform.find_recent(base, other, datetime.now(timezone.utc)))


async def test_invalid_token_answers_mastodons_401(http_client, base):
    answer = await http_client.get(f"{base}/api/v1/accounts/verify_credentials", headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401 and answer.json() == {"error": "The access token is invalid"}


async def test_burst_429_is_rate_limited_with_retry_at(platform, credentials, base, control):
    await control.put("/faults/mastodon", json={"burst_429": 1, "retry_after": 30})
    post = attempt()
    error = await expect_failure(FailureReason.RATE_LIMITED, platform.publish(base, credentials, post))
    assert timedelta(seconds=25) < error.retry_at - datetime.now(timezone.utc) <= timedelta(seconds=31)
    assert await posts_with(control, post.idempotency_key) == []
    assert (await platform.publish(base, credentials, post)).remote_id  # the burst is over


async def test_rate_limit_window_counts_requests_and_resets_in_iso(platform, http_client, base, control):
    await control.post("/accounts", json={"platform": "mastodon", "handle": "busy", "display_name": "Busy"})
    _, credentials = await connect(platform, http_client, base, account="busy")
    headers = {"Authorization": f"Bearer {credentials.access_token}"}
    url = f"{base}/api/v1/accounts/verify_credentials"
    answer = await http_client.get(url, headers=headers)
    reset = datetime.fromisoformat(answer.headers["X-RateLimit-Reset"].replace("Z", "+00:00"))
    if reset - datetime.now(timezone.utc) < timedelta(seconds=3):  # do not straddle a 5-minute window
        await asyncio.sleep((reset - datetime.now(timezone.utc)).total_seconds() + 0.1)
        answer = await http_client.get(url, headers=headers)
    assert answer.headers["X-RateLimit-Limit"] == "300"
    remaining = int(answer.headers["X-RateLimit-Remaining"])
    for _ in range(remaining):
        answer = await http_client.get(url, headers=headers)
    assert answer.status_code == 200 and answer.headers["X-RateLimit-Remaining"] == "0"

    error = await expect_failure(FailureReason.RATE_LIMITED, platform.account(base, credentials))
    expected = datetime.fromisoformat(answer.headers["X-RateLimit-Reset"].replace("Z", "+00:00"))
    assert error.retry_at == expected  # no Retry-After from rack-attack: the ISO reset is the time
    throttled = await http_client.get(url, headers=headers)
    assert throttled.status_code == 429 and throttled.json() == {"error": "Too many requests"}


async def test_down_and_server_errors_are_platform_unavailable(platform, credentials, base, control):
    for fault in ({"down": True}, {"error_rate": 1.0}):
        await control.put("/faults/mastodon", json=fault)
        post = attempt()
        await expect_failure(FailureReason.PLATFORM_UNAVAILABLE, platform.publish(base, credentials, post))
        await expect_failure(FailureReason.PLATFORM_UNAVAILABLE, platform.fetch_metrics(base, credentials, "1"))
        assert await posts_with(control, post.idempotency_key) == []


async def test_timeout_is_outcome_unknown_and_the_post_did_land(platform, credentials, base, control):
    await control.put("/faults/mastodon", json={"timeout_rate": 1.0, "timeout_seconds": 2.3})  # client reads for 2 s
    post = attempt()
    with pytest.raises(OutcomeUnknown):
        await platform.publish(base, credentials, post)
    [landed] = await posts_with(control, post.idempotency_key)
    await control.delete("/faults")
    # Reconciliation sees it, and retrying the same attempt returns it instead of posting twice.
    recent = await platform.find_recent(base, credentials, datetime.now(timezone.utc) - timedelta(seconds=10))
    assert landed["remote_id"] in [r.remote_id for r in recent]
    assert (await platform.publish(base, credentials, post)).remote_id == landed["remote_id"]
    assert len(await posts_with(control, post.idempotency_key)) == 1
