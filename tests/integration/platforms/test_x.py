"""The X adapter against the simulated X over real sockets: OAuth 2.0 with PKCE through the consent
page, publishing (text, image, video, thread), metrics, reconciliation and every typed failure."""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from adapters.platforms.x import XPlatform
from application.platforms.ports import Credentials, MediaItem, OAuthClient, OutcomeUnknown, OutgoingPost, PlatformError
from domain.engagement.engagement import Counters
from domain.publishing.states import FailureReason
from domain.shared.platforms import count_length
from entrypoints.simulator.state import SimulatorState

REDIRECT_URI = "http://127.0.0.1:8765/channels/x/callback"
HANDLE = "sandbox_x"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\x81\x1c\x00\x00\x00\x00IEND\xaeB`\x82")
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2000


def unique(text: str = "Hello from PostWizard") -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


class ConsentForm(HTMLParser):
    """What a browser sees of the consent page: the form's action, its fields and its buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.hidden: dict[str, str] = {}
        self.accounts: list[str] = []
        self.buttons: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.action = a.get("action") or ""
        elif tag == "input" and a.get("type") == "hidden":
            self.hidden[a["name"]] = a.get("value") or ""
        elif tag == "input" and a.get("type") == "radio" and a.get("name") == "account":
            self.accounts.append(a.get("value") or "")
        elif tag == "button" and a.get("name") == "action":
            self.buttons.append(a.get("value") or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


async def open_consent(browser: httpx.AsyncClient, url: str) -> ConsentForm:
    page = await browser.get(url)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    form = ConsentForm()
    form.feed(page.text)
    form.action = urljoin(url, form.action)
    return form


async def decide(browser: httpx.AsyncClient, form: ConsentForm, action: str, account: str = HANDLE) -> dict[str, str]:
    answer = await browser.post(form.action, data={**form.hidden, "account": account, "action": action})
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(REDIRECT_URI + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def base(simulator_url: str) -> str:
    return f"{simulator_url}/x"


@pytest.fixture
def x(http_client: httpx.AsyncClient) -> XPlatform:
    return XPlatform(http_client, client_id="postwizard-sandbox", client_secret="sandbox-secret")


async def authorize(x: XPlatform, base: str, browser: httpx.AsyncClient) -> tuple[OAuthClient, str, str]:
    """Drive the consent page like a browser; returns the client, the code and its verifier."""
    client = await x.register_client(base, REDIRECT_URI)
    verifier, challenge = pkce()
    state = secrets.token_urlsafe(12)
    form = await open_consent(browser, x.authorization_url(base, client, state=state, code_challenge=challenge))
    answer = await decide(browser, form, "authorize")
    assert answer["state"] == state
    return client, answer["code"], verifier


@pytest.fixture
async def creds(x: XPlatform, base: str, http_client: httpx.AsyncClient) -> Credentials:
    client, code, verifier = await authorize(x, base, http_client)
    return await x.exchange_code(base, client, code=code, code_verifier=verifier)


async def x_posts(control: httpx.AsyncClient) -> list[dict]:
    return (await control.get("/posts", params={"platform": "x", "handle": HANDLE})).json()


async def failure(awaitable) -> PlatformError:
    with pytest.raises(PlatformError) as caught:
        await awaitable
    return caught.value


# --- connecting ----------------------------------------------------------------------------------


async def test_oauth_pkce_flow_through_the_consent_page(x: XPlatform, base: str, http_client: httpx.AsyncClient,
                                                         sim_state: SimulatorState) -> None:
    client = await x.register_client(base, REDIRECT_URI)
    assert client == OAuthClient("postwizard-sandbox", "sandbox-secret", REDIRECT_URI)
    verifier, challenge = pkce()
    url = x.authorization_url(base, client, state="s-123", code_challenge=challenge)
    assert url.startswith(f"{base}/i/oauth2/authorize?")
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["response_type"] == ["code"]
    assert "offline.access" in query["scope"][0].split()

    form = await open_consent(http_client, url)
    page_text = " ".join(form.text)
    assert HANDLE in form.accounts and "Sandbox on X" in page_text
    assert {"tweet.write", "offline.access", "media.write"} <= set(page_text.split())
    assert form.buttons == ["authorize", "cancel"]
    answer = await decide(http_client, form, "authorize")
    assert answer["state"] == "s-123" and answer["code"]

    credentials = await x.exchange_code(base, client, code=answer["code"], code_verifier=verifier)
    assert credentials.refresh_token and credentials.access_token not in repr(credentials)
    assert timedelta(hours=1, minutes=59) < credentials.expires_at - datetime.now(timezone.utc) <= timedelta(hours=2)
    assert credentials.extra["user_id"] == sim_state.account("x", HANDLE).remote_id
    account = await x.account(base, credentials)
    assert (account.remote_id, account.handle, account.display_name) == (credentials.extra["user_id"], HANDLE, "Sandbox on X")

    # the same code cannot be used twice
    assert (await failure(x.exchange_code(base, client, code=answer["code"], code_verifier=verifier))).reason is FailureReason.AUTH_EXPIRED


async def test_cancel_on_the_consent_page_redirects_with_access_denied(x: XPlatform, base: str, http_client: httpx.AsyncClient) -> None:
    client = await x.register_client(base, REDIRECT_URI)
    form = await open_consent(http_client, x.authorization_url(base, client, state="s-9", code_challenge=pkce()[1]))
    assert await decide(http_client, form, "cancel") == {"error": "access_denied", "state": "s-9"}


async def test_authorize_page_refuses_bad_requests(base: str, http_client: httpx.AsyncClient) -> None:
    params = {"response_type": "code", "client_id": "postwizard-sandbox", "redirect_uri": REDIRECT_URI, "scope": "tweet.read",
              "state": "s", "code_challenge": pkce()[1], "code_challenge_method": "S256"}
    for bad in ({"client_id": "nobody"}, {"redirect_uri": "https://evil.example/cb"}, {"code_challenge_method": "plain"},
                {"scope": "tweet.read everything"}):
        page = await http_client.get(f"{base}/i/oauth2/authorize", params={**params, **bad})
        assert page.status_code == 400 and "Something went wrong" in page.text


async def test_a_wrong_verifier_is_refused(x: XPlatform, base: str, http_client: httpx.AsyncClient) -> None:
    client, code, _verifier = await authorize(x, base, http_client)
    error = await failure(x.exchange_code(base, client, code=code, code_verifier=pkce()[0]))
    assert error.reason is FailureReason.AUTH_EXPIRED and "code verifier did not match" in error.message


async def test_token_endpoint_speaks_x(base: str, http_client: httpx.AsyncClient) -> None:
    no_basic = await http_client.post(f"{base}/2/oauth2/token", data={"grant_type": "authorization_code", "code": "x",
                                                                      "client_id": "postwizard-sandbox"})
    assert no_basic.status_code == 401 and no_basic.json()["error"] == "unauthorized_client"
    bad_code = await http_client.post(f"{base}/2/oauth2/token", auth=("postwizard-sandbox", "sandbox-secret"),
                                      data={"grant_type": "authorization_code", "code": "nope", "redirect_uri": REDIRECT_URI,
                                            "code_verifier": pkce()[0], "client_id": "postwizard-sandbox"})
    assert bad_code.status_code == 400
    assert bad_code.json()["error_description"] == "Value passed for the authorization code was invalid."


async def test_refresh_rotates_tokens(x: XPlatform, base: str, creds: Credentials) -> None:
    fresh = await x.refresh(base, None, creds)
    assert fresh.access_token != creds.access_token and fresh.refresh_token not in (None, creds.refresh_token)
    assert fresh.extra["user_id"] == creds.extra["user_id"]
    assert (await x.account(base, fresh)).handle == HANDLE
    error = await failure(x.refresh(base, None, creds))  # the old refresh token was spent
    assert error.reason is FailureReason.AUTH_EXPIRED and "reconnect" in error.message
    assert creds.refresh_token not in error.message and fresh.access_token not in error.message


async def test_refresh_after_the_access_token_expired(x: XPlatform, base: str, creds: Credentials, control: httpx.AsyncClient) -> None:
    assert (await control.post("/tokens/expire", json={"platform": "x", "handle": HANDLE})).json()["expired"] >= 1
    error = await failure(x.account(base, creds))
    assert error.reason is FailureReason.AUTH_EXPIRED and creds.access_token not in error.message
    fresh = await x.refresh(base, await x.register_client(base, REDIRECT_URI), creds)
    assert (await x.account(base, fresh)).handle == HANDLE


async def test_refresh_keeps_the_refresh_token_when_the_answer_lacks_one() -> None:
    def token_endpoint(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"].startswith("Basic ")
        return httpx.Response(200, json={"token_type": "bearer", "expires_in": 7200, "access_token": "new-access", "scope": "tweet.read"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(token_endpoint)) as client:
        x = XPlatform(client, client_id="id", client_secret="secret")
        fresh = await x.refresh("https://api.x.test", None, Credentials("old-access", "keep-me", extra={"user_id": "1"}))
    assert (fresh.access_token, fresh.refresh_token, fresh.extra["user_id"]) == ("new-access", "keep-me", "1")


async def test_log_in_and_limits(x: XPlatform, base: str, creds: Credentials) -> None:
    assert (await failure(x.log_in(base, HANDLE, "pw"))).reason is FailureReason.VALIDATION
    limits = await x.limits(base, creds)
    assert (limits.max_characters, limits.max_media, limits.characters_reserved_per_url) == (280, 4, 23)


# --- publishing ----------------------------------------------------------------------------------


async def test_publish_text(x: XPlatform, base: str, creds: Credentials, control: httpx.AsyncClient) -> None:
    text = unique("Launch day! https://example.com/launch")
    published = await x.publish(base, creds, OutgoingPost(text=text, idempotency_key=str(uuid.uuid4())))
    assert published.url == f"https://x.com/{HANDLE}/status/{published.remote_id}" and published.thread_ids == []
    posted = [p for p in await x_posts(control) if p["remote_id"] == published.remote_id]
    assert len(posted) == 1 and posted[0]["text"] == text and posted[0]["url"] == published.url


async def test_publish_image_with_alt_text(x: XPlatform, base: str, creds: Credentials, control: httpx.AsyncClient,
                                           sim_state: SimulatorState) -> None:
    post = OutgoingPost(text=unique("A picture"), idempotency_key="k", media=[MediaItem(PNG, "image/png", alt="A red dot")])
    published = await x.publish(base, creds, post)
    [posted] = [p for p in await x_posts(control) if p["remote_id"] == published.remote_id]
    [media_id] = posted["media_ids"]
    assert sim_state.platform_data("x")["media"][media_id]["alt_text"] == "A red dot"


async def test_publish_video_through_the_chunked_upload(x: XPlatform, base: str, creds: Credentials, control: httpx.AsyncClient,
                                                        sim_state: SimulatorState) -> None:
    published = await x.publish(base, creds, OutgoingPost(text=unique("A clip"), idempotency_key="k", media=[MediaItem(MP4, "video/mp4")]))
    [posted] = [p for p in await x_posts(control) if p["remote_id"] == published.remote_id]
    media = sim_state.platform_data("x")["media"][posted["media_ids"][0]]
    assert (media["category"], media["size"], media["processing"]["state"]) == ("tweet_video", len(MP4), "succeeded")


async def test_publish_a_thread_of_three(x: XPlatform, base: str, creds: Credentials, control: httpx.AsyncClient) -> None:
    texts = [unique("1/3 thread"), unique("2/3 thread"), unique("3/3 thread")]
    published = await x.publish(base, creds, OutgoingPost(text=texts[0], idempotency_key="k", thread=texts[1:]))
    assert len(published.thread_ids) == 2
    by_id = {p["remote_id"]: p for p in await x_posts(control)}
    chain = [published.remote_id, *published.thread_ids]
    assert [by_id[i]["text"] for i in chain] == texts
    assert [by_id[i]["reply_to"] for i in chain] == [None, chain[0], chain[1]]


async def test_a_failed_follow_up_names_what_was_already_published(x: XPlatform, base: str, creds: Credentials,
                                                                    control: httpx.AsyncClient) -> None:
    post = OutgoingPost(text=unique("1/2 thread"), idempotency_key="k", thread=["x" * 281])
    error = await failure(x.publish(base, creds, post))
    [first] = [p for p in await x_posts(control) if p["text"] == post.text]
    assert error.reason is FailureReason.VALIDATION and first["remote_id"] in error.message


async def test_metrics_follow_the_counters(x: XPlatform, base: str, creds: Credentials, control: httpx.AsyncClient) -> None:
    published = await x.publish(base, creds, OutgoingPost(text=unique("Count me"), idempotency_key="k"))
    assert await x.fetch_metrics(base, creds, published.remote_id) == Counters(0, 0, 0, 0, 0, 0, None)
    await control.post(f"/posts/x/{published.remote_id}/counters",
                       json={"likes": 7, "reposts": 3, "replies": 2, "quotes": 1, "bookmarks": 4, "impressions": 250})
    counters = await x.fetch_metrics(base, creds, published.remote_id)
    assert counters == Counters(likes=7, reposts=3, replies=2, quotes=1, bookmarks=4, impressions=250, clicks=None)
    assert (await failure(x.fetch_metrics(base, creds, "1"))).reason is FailureReason.VALIDATION  # no such tweet


async def test_find_recent_for_reconciliation(x: XPlatform, base: str, creds: Credentials) -> None:
    since = datetime.now(timezone.utc) - timedelta(seconds=1)
    first = await x.publish(base, creds, OutgoingPost(text=unique("older"), idempotency_key="k"))
    second = await x.publish(base, creds, OutgoingPost(text=unique("newer"), idempotency_key="k"))
    recent = await x.find_recent(base, creds, since)
    ids = [r.remote_id for r in recent]
    assert ids.index(second.remote_id) < ids.index(first.remote_id)  # newest first
    assert all(r.created_at >= since.replace(microsecond=0) for r in recent)
    assert next(r for r in recent if r.remote_id == second.remote_id).url == second.url
    assert await x.find_recent(base, creds, datetime.now(timezone.utc) + timedelta(minutes=1)) == []
    # without the user id in the credentials, it is looked up
    bare = Credentials(creds.access_token, creds.refresh_token, creds.expires_at)
    assert second.remote_id in [r.remote_id for r in await x.find_recent(base, bare, since)]


async def test_api_answers_carry_rate_limit_headers(base: str, creds: Credentials, http_client: httpx.AsyncClient) -> None:
    auth = {"Authorization": f"Bearer {creds.access_token}"}
    first = await http_client.get(f"{base}/2/users/me", headers=auth)
    second = await http_client.get(f"{base}/2/users/me", headers=auth)
    assert int(second.headers["x-rate-limit-remaining"]) == int(first.headers["x-rate-limit-remaining"]) - 1
    assert int(first.headers["x-rate-limit-reset"]) > datetime.now(timezone.utc).timestamp()
    assert (await http_client.get(f"{base}/2/users/me")).json() == {"title": "Unauthorized", "type": "about:blank",
                                                                     "status": 401, "detail": "Unauthorized"}


# --- typed failures ------------------------------------------------------------------------------


async def test_auth_fail_is_auth_expired(x: XPlatform, base: str, creds: Credentials, control: httpx.AsyncClient) -> None:
    await control.put("/faults/x", json={"auth_fail": True})
    error = await failure(x.publish(base, creds, OutgoingPost(text=unique(), idempotency_key="k")))
    assert error.reason is FailureReason.AUTH_EXPIRED and creds.access_token not in error.message


async def test_duplicate_content(x: XPlatform, base: str, creds: Credentials, control: httpx.AsyncClient) -> None:
    text = unique("Say it once")
    await x.publish(base, creds, OutgoingPost(text=text, idempotency_key="a"))
    error = await failure(x.publish(base, creds, OutgoingPost(text=text, idempotency_key="b")))
    assert error.reason is FailureReason.DUPLICATE and "identical" in error.message
    assert [p["text"] for p in await x_posts(control)].count(text) == 1


async def test_rate_limited_with_retry_at(x: XPlatform, base: str, creds: Credentials, control: httpx.AsyncClient) -> None:
    await control.put("/faults/x", json={"burst_429": 1, "retry_after": 120})
    error = await failure(x.publish(base, creds, OutgoingPost(text=unique(), idempotency_key="k")))
    assert error.reason is FailureReason.RATE_LIMITED
    assert timedelta(seconds=100) < error.retry_at - datetime.now(timezone.utc) <= timedelta(seconds=121)


async def test_too_long_is_validation(x: XPlatform, base: str, creds: Credentials) -> None:
    text = "漢" * 140 + "a"  # CJK weighs 2: 281 weighted characters in 141 code points
    assert count_length("x", text) == 281
    error = await failure(x.publish(base, creds, OutgoingPost(text=text, idempotency_key="k")))
    assert error.reason is FailureReason.VALIDATION and "too long" in error.message


async def test_media_rejected(x: XPlatform, base: str, creds: Credentials, control: httpx.AsyncClient) -> None:
    before = len(await x_posts(control))
    not_an_image = OutgoingPost(text=unique(), idempotency_key="k", media=[MediaItem(b"%PDF-1.7 not a picture", "image/png")])
    assert (await failure(x.publish(base, creds, not_an_image))).reason is FailureReason.MEDIA_REJECTED
    too_big = OutgoingPost(text=unique(), idempotency_key="k", media=[MediaItem(PNG + b"\0" * (5 * 1024 * 1024), "image/png")])
    assert (await failure(x.publish(base, creds, too_big))).reason is FailureReason.MEDIA_REJECTED
    assert (await failure(x.publish(base, creds, OutgoingPost(text=unique(), idempotency_key="k",
                                                              media=[MediaItem(b"hi", "text/plain")])))).reason is FailureReason.MEDIA_REJECTED
    assert len(await x_posts(control)) == before


@pytest.mark.parametrize("fault", [{"down": True}, {"error_rate": 1.0}])
async def test_platform_unavailable(x: XPlatform, base: str, creds: Credentials, control: httpx.AsyncClient, fault: dict) -> None:
    await control.put("/faults/x", json=fault)
    assert (await failure(x.publish(base, creds, OutgoingPost(text=unique(), idempotency_key="k")))).reason is FailureReason.PLATFORM_UNAVAILABLE
    assert (await failure(x.fetch_metrics(base, creds, "1"))).reason is FailureReason.PLATFORM_UNAVAILABLE


async def test_a_lost_answer_is_outcome_unknown_but_the_tweet_landed(x: XPlatform, base: str, creds: Credentials,
                                                                     control: httpx.AsyncClient) -> None:
    await control.put("/faults/x", json={"timeout_rate": 1.0, "timeout_seconds": 2.3})  # the client reads for 2 s
    text = unique("Did it land?")
    with pytest.raises(OutcomeUnknown):
        await x.publish(base, creds, OutgoingPost(text=text, idempotency_key="k"))
    assert [p["text"] for p in await x_posts(control)].count(text) == 1
    await control.delete("/faults")
    since = datetime.now(timezone.utc) - timedelta(minutes=1)
    assert text in [r.text for r in await x.find_recent(base, creds, since)]  # reconciliation finds it
    retried = await failure(x.publish(base, creds, OutgoingPost(text=text, idempotency_key="k")))
    assert retried.reason is FailureReason.DUPLICATE  # and X refuses a blind retry
