"""The Bluesky adapter against the simulated PDS over real sockets: sessions, publishing, metrics,
reconciliation and every typed failure. Each test gets its own sandbox account, so posts, rate
limits and faults of one test never show in another."""

from __future__ import annotations

import base64
import json
import struct
import uuid
import zlib
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import httpx
import pytest

from adapters.platforms.bluesky import BAD_LOGIN, BlueskyPlatform, link_facets, record_key
from application.platforms.ports import Credentials, MediaItem, OAuthClient, OutcomeUnknown, OutgoingPost, PlatformError
from domain.engagement.engagement import Counters
from domain.publishing.states import FailureReason
from entrypoints.simulator.state import SimulatorState

PASSWORD = "abcd-efgh-ijkl-mnop"


def png(width: int = 3, height: int = 2) -> bytes:
    """A small valid PNG (8-bit RGB, all red)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def claims(jwt: str) -> dict:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture
def base(simulator_url: str) -> str:
    return f"{simulator_url}/bluesky"


@pytest.fixture
def bluesky(http_client: httpx.AsyncClient) -> BlueskyPlatform:
    return BlueskyPlatform(http_client)


@pytest.fixture
async def handle(control: httpx.AsyncClient) -> str:
    name = f"t{uuid.uuid4().hex[:10]}"
    response = await control.post("/accounts", json={"platform": "bluesky", "handle": f"{name}.bsky.social",
                                                     "display_name": f"Test {name}", "password": PASSWORD,
                                                     "email": f"{name}@example.test"})
    response.raise_for_status()
    return f"{name}.bsky.social"


@pytest.fixture
async def creds(bluesky: BlueskyPlatform, base: str, handle: str) -> Credentials:
    return await bluesky.log_in(base, handle, PASSWORD)


async def posts_of(control: httpx.AsyncClient, handle: str) -> list[dict]:
    response = await control.get("/posts", params={"platform": "bluesky", "handle": handle})
    response.raise_for_status()
    return response.json()


def post(text: str = "Hello from PostWizard", **kw) -> OutgoingPost:
    return OutgoingPost(text=text, idempotency_key=kw.pop("idempotency_key", str(uuid.uuid4())), **kw)


async def expect_failure(reason: FailureReason, call) -> PlatformError:
    with pytest.raises(PlatformError) as caught:
        await call
    assert caught.value.reason is reason, caught.value.message
    return caught.value


# ------------------------------------------------------------------ sessions

async def test_log_in_by_handle_and_by_email(bluesky: BlueskyPlatform, base: str, handle: str) -> None:
    by_handle = await bluesky.log_in(base, "@" + handle, PASSWORD)
    by_email = await bluesky.log_in(base, handle.split(".")[0] + "@example.test", PASSWORD)

    did = by_handle.extra["did"]
    assert did.startswith("did:plc:") and len(did) == len("did:plc:") + 24
    assert by_handle.extra == by_email.extra == {"did": did, "handle": handle}
    assert by_handle.access_token != by_email.access_token and by_handle.refresh_token
    access = claims(by_handle.access_token)
    assert access["sub"] == did and access["scope"] == "com.atproto.appPass"
    assert claims(by_handle.refresh_token)["scope"] == "com.atproto.refresh"
    assert by_handle.expires_at == datetime.fromtimestamp(access["exp"], timezone.utc)
    assert timedelta(hours=1, minutes=59) < by_handle.expires_at - datetime.now(timezone.utc) <= timedelta(hours=2)
    assert by_handle.access_token not in repr(by_handle)


async def test_wrong_password_is_refused(bluesky: BlueskyPlatform, base: str, handle: str) -> None:
    error = await expect_failure(FailureReason.AUTH_EXPIRED, bluesky.log_in(base, handle, "wrong-password"))
    assert error.message == BAD_LOGIN
    await expect_failure(FailureReason.AUTH_EXPIRED, bluesky.log_in(base, "nobody.bsky.social", PASSWORD))


async def test_oauth_is_not_offered(bluesky: BlueskyPlatform, base: str) -> None:
    client = OAuthClient("id", None, "http://localhost/cb")
    for call in (bluesky.register_client(base, "http://localhost/cb"),
                 bluesky.exchange_code(base, client, code="c", code_verifier="v")):
        error = await expect_failure(FailureReason.VALIDATION, call)
        assert "app password" in error.message
    with pytest.raises(PlatformError):
        bluesky.authorization_url(base, client, state="s", code_challenge="c")


async def test_account_and_limits(bluesky: BlueskyPlatform, base: str, handle: str, creds: Credentials) -> None:
    account = await bluesky.account(base, creds)
    assert (account.remote_id, account.handle) == (creds.extra["did"], handle)
    assert account.display_name == f"Test {handle.split('.')[0]}"
    limits = await bluesky.limits(base, creds)
    assert (limits.max_characters, limits.max_media, limits.characters_reserved_per_url) == (300, 4, None)


async def test_pds_speaks_xrpc_errors_and_rate_limit_headers(base: str, handle: str, creds: Credentials) -> None:
    async with httpx.AsyncClient(base_url=f"{base}/xrpc") as raw:
        ok = await raw.get("/com.atproto.server.getSession", headers={"Authorization": f"Bearer {creds.access_token}"})
        assert ok.status_code == 200 and ok.json()["did"] == creds.extra["did"]
        limit, remaining = int(ok.headers["RateLimit-Limit"]), int(ok.headers["RateLimit-Remaining"])
        assert ok.headers["RateLimit-Policy"] == f"{limit};w=300" and 0 <= remaining < limit
        assert int(ok.headers["RateLimit-Reset"]) > datetime.now(timezone.utc).timestamp()

        missing = await raw.get("/com.atproto.server.getSession")
        assert missing.status_code == 401 and missing.json()["error"] == "AuthMissing"
        assert "RateLimit-Limit" in missing.headers
        wrong_kind = await raw.get("/com.atproto.server.getSession", headers={"Authorization": f"Bearer {creds.refresh_token}"})
        assert (wrong_kind.status_code, wrong_kind.json()["error"]) == (400, "InvalidToken")
        access_to_refresh = await raw.post("/com.atproto.server.refreshSession",
                                           headers={"Authorization": f"Bearer {creds.access_token}"})
        assert (access_to_refresh.status_code, access_to_refresh.json()["error"]) == (400, "InvalidToken")
        bad_login = await raw.post("/com.atproto.server.createSession", json={"identifier": handle, "password": "x"})
        assert bad_login.status_code == 401
        assert bad_login.json() == {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}


# ------------------------------------------------------------------ publishing

async def test_publish_text(bluesky: BlueskyPlatform, base: str, control: httpx.AsyncClient, handle: str,
                            creds: Credentials) -> None:
    published = await bluesky.publish(base, creds, post("Hello, Bluesky"))

    did = creds.extra["did"]
    rkey = published.remote_id.rsplit("/", 1)[-1]
    assert published.remote_id.startswith(f"at://{did}/app.bsky.feed.post/")
    assert published.url == f"https://bsky.app/profile/{handle}/post/{rkey}" and published.thread_ids == []
    [remote] = await posts_of(control, handle)
    assert (remote["remote_id"], remote["text"], remote["url"]) == (published.remote_id, "Hello, Bluesky", published.url)
    record = remote["extra"]["record"]
    assert record["$type"] == "app.bsky.feed.post" and "langs" not in record and "facets" not in record
    assert remote["extra"]["cid"].startswith("bafyrei")
    datetime.fromisoformat(record["createdAt"].replace("Z", "+00:00"))


async def test_link_facets_use_utf8_byte_offsets(bluesky: BlueskyPlatform, base: str, control: httpx.AsyncClient,
                                                 handle: str, creds: Credentials) -> None:
    text = "Café ☕ naïve 👩‍💻 — read https://example.com/a?b=ü. Or (https://bsky.app/x)!"
    await bluesky.publish(base, creds, post(text))

    [remote] = await posts_of(control, handle)
    facets = remote["extra"]["record"]["facets"]
    encoded = text.encode("utf-8")
    links = [encoded[f["index"]["byteStart"]:f["index"]["byteEnd"]].decode() for f in facets]
    assert links == ["https://example.com/a?b=ü", "https://bsky.app/x"]
    assert [f["features"][0] for f in facets] == [{"$type": "app.bsky.richtext.facet#link", "uri": link} for link in links]
    assert facets[0]["index"]["byteStart"] != text.index("https")  # bytes, not characters
    assert link_facets("no links here") == []


async def test_publish_with_an_image(bluesky: BlueskyPlatform, base: str, control: httpx.AsyncClient, handle: str,
                                     creds: Credentials) -> None:
    await bluesky.publish(base, creds, post("A red image", media=[MediaItem(png(), "image/png", alt="red")]))

    [remote] = await posts_of(control, handle)
    [image] = remote["extra"]["record"]["embed"]["images"]
    assert image["alt"] == "red" and image["aspectRatio"] == {"width": 3, "height": 2}
    assert image["image"]["mimeType"] == "image/png" and image["image"]["size"] == len(png())
    assert remote["media_ids"] == [image["image"]["ref"]["$link"]] and remote["media_ids"][0].startswith("bafkrei")


async def test_too_large_or_non_image_media_is_rejected(bluesky: BlueskyPlatform, base: str, control: httpx.AsyncClient,
                                                        handle: str, creds: Credentials) -> None:
    large = png() + b"\0" * 1_000_001
    error = await expect_failure(FailureReason.MEDIA_REJECTED, bluesky.publish(base, creds, post(media=[MediaItem(large, "image/png")])))
    assert "too large" in error.message
    error = await expect_failure(FailureReason.MEDIA_REJECTED,
                                 bluesky.publish(base, creds, post(media=[MediaItem(b"plain text", "text/plain")])))
    assert "image/*" in error.message
    assert await posts_of(control, handle) == []


async def test_thread_replies_chain_root_and_parent(bluesky: BlueskyPlatform, base: str, control: httpx.AsyncClient,
                                                    handle: str, creds: Credentials) -> None:
    published = await bluesky.publish(base, creds, post("1/3 first", thread=["2/3 second", "3/3 third"]))

    first, second, third = await posts_of(control, handle)
    assert [p["text"] for p in (first, second, third)] == ["1/3 first", "2/3 second", "3/3 third"]
    assert published.remote_id == first["remote_id"]
    assert published.thread_ids == [second["remote_id"], third["remote_id"]]
    ref = {p["remote_id"]: {"uri": p["remote_id"], "cid": p["extra"]["cid"]} for p in (first, second, third)}
    assert "reply" not in first["extra"]["record"]
    assert second["extra"]["record"]["reply"] == {"root": ref[first["remote_id"]], "parent": ref[first["remote_id"]]}
    assert third["extra"]["record"]["reply"] == {"root": ref[first["remote_id"]], "parent": ref[second["remote_id"]]}
    assert (second["reply_to"], third["reply_to"]) == (first["remote_id"], second["remote_id"])


async def test_same_idempotency_key_posts_once(bluesky: BlueskyPlatform, base: str, control: httpx.AsyncClient,
                                               handle: str, creds: Credentials) -> None:
    attempt = post("Only once", thread=["and its reply"])
    first = await bluesky.publish(base, creds, attempt)
    again = await bluesky.publish(base, creds, attempt)

    assert again == first
    assert [p["text"] for p in await posts_of(control, handle)] == ["Only once", "and its reply"]
    assert first.remote_id.endswith("/" + record_key(attempt.idempotency_key))
    assert len(record_key("k")) == 13 and record_key("k") == record_key("k") != record_key("k", 1)


async def test_metrics(bluesky: BlueskyPlatform, base: str, control: httpx.AsyncClient, sim_state: SimulatorState,
                       creds: Credentials) -> None:
    published = await bluesky.publish(base, creds, post("Count me"))
    assert await bluesky.fetch_metrics(base, creds, published.remote_id) == Counters(0, 0, 0, 0, 0, None, None)

    counters = {"likes": 7, "reposts": 2, "replies": 3, "quotes": 1, "bookmarks": 4}
    response = await control.post(f"/posts/bluesky/{quote(published.remote_id, safe='')}/counters", json=counters)
    if response.status_code == 404:
        # /_control/posts/{platform}/{remote_id}/counters cannot match an at:// uri (it holds "/") until
        # control.py declares {remote_id:path}; set the same counters on the shared state meanwhile.
        sim_state.find_post("bluesky", published.remote_id).counters.update(counters)
    else:
        response.raise_for_status()

    metrics = await bluesky.fetch_metrics(base, creds, published.remote_id)
    assert metrics == Counters(likes=7, reposts=2, replies=3, quotes=1, bookmarks=4, impressions=None, clicks=None)
    await expect_failure(FailureReason.UNKNOWN, bluesky.fetch_metrics(base, creds, published.remote_id + "x"))


async def test_find_recent(bluesky: BlueskyPlatform, base: str, creds: Credentials) -> None:
    since = datetime.now(timezone.utc) - timedelta(seconds=1)
    first = await bluesky.publish(base, creds, post("Recent one"))
    second = await bluesky.publish(base, creds, post("Recent two", thread=["two's reply"]))

    recent = await bluesky.find_recent(base, creds, since)
    assert [r.remote_id for r in recent] == [*second.thread_ids, second.remote_id, first.remote_id]
    assert [r.text for r in recent] == ["two's reply", "Recent two", "Recent one"]
    assert recent[-1].url == first.url and all(since <= r.created_at for r in recent)
    assert await bluesky.find_recent(base, creds, datetime.now(timezone.utc) + timedelta(minutes=1)) == []


async def test_token_refresh(bluesky: BlueskyPlatform, base: str, control: httpx.AsyncClient, handle: str,
                             creds: Credentials) -> None:
    expired = await control.post("/tokens/expire", json={"platform": "bluesky", "handle": handle, "kind": "access"})
    assert expired.json()["expired"] >= 1
    error = await expect_failure(FailureReason.AUTH_EXPIRED, bluesky.publish(base, creds, post("Needs a fresh token")))
    assert "ExpiredToken" in error.message and creds.access_token not in error.message

    fresh = await bluesky.refresh(base, None, creds)
    assert fresh.access_token != creds.access_token and fresh.refresh_token not in (None, "", creds.refresh_token)
    assert fresh.extra == creds.extra and fresh.expires_at > datetime.now(timezone.utc) + timedelta(hours=1)
    published = await bluesky.publish(base, fresh, post("Needs a fresh token"))
    assert published.remote_id.startswith("at://")

    error = await expect_failure(FailureReason.AUTH_EXPIRED, bluesky.refresh(base, None, creds))  # the old refresh token is revoked
    assert creds.refresh_token not in error.message
    assert (await bluesky.refresh(base, None, fresh)).access_token != fresh.access_token


# ------------------------------------------------------------------ typed failures

async def test_rate_limited_with_retry_at(bluesky: BlueskyPlatform, base: str, control: httpx.AsyncClient,
                                          handle: str, creds: Credentials) -> None:
    await control.put("/faults/bluesky", json={"burst_429": 1, "retry_after": 40})
    error = await expect_failure(FailureReason.RATE_LIMITED, bluesky.publish(base, creds, post("Too soon")))
    assert error.retry_at is not None
    assert timedelta(seconds=35) < error.retry_at - datetime.now(timezone.utc) <= timedelta(seconds=41)
    assert await posts_of(control, handle) == []
    await bluesky.publish(base, creds, post("Later"))  # the burst is spent


async def test_too_many_logins_are_rate_limited_until_the_reset(bluesky: BlueskyPlatform, base: str, handle: str) -> None:
    for _ in range(29):  # createSession allows 30 per account per 5 minutes; this account has not logged in yet
        await bluesky.log_in(base, handle, PASSWORD)
    await bluesky.log_in(base, handle.split(".")[0] + "@example.test", PASSWORD)  # email counts for the same account
    error = await expect_failure(FailureReason.RATE_LIMITED, bluesky.log_in(base, handle, PASSWORD))
    assert error.retry_at is not None  # from RateLimit-Reset: there is no Retry-After on a real limit
    assert timedelta(0) < error.retry_at - datetime.now(timezone.utc) <= timedelta(minutes=5)


async def test_text_over_300_graphemes_is_a_validation_failure(bluesky: BlueskyPlatform, base: str,
                                                               control: httpx.AsyncClient, handle: str,
                                                               creds: Credentials) -> None:
    error = await expect_failure(FailureReason.VALIDATION, bluesky.publish(base, creds, post("a" * 301)))
    assert error.message == "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"
    await expect_failure(FailureReason.VALIDATION, bluesky.publish(base, creds, post("👩‍💻" * 300)))  # 300 graphemes, 3300 bytes
    await bluesky.publish(base, creds, post("e\u0301" * 300))  # 600 code points, 300 graphemes: fine
    assert len(await posts_of(control, handle)) == 1


@pytest.mark.parametrize("faults", [{"down": True}, {"error_rate": 1.0}])
async def test_platform_unavailable(bluesky: BlueskyPlatform, base: str, control: httpx.AsyncClient, handle: str,
                                    creds: Credentials, faults: dict) -> None:
    await control.put("/faults/bluesky", json=faults)
    await expect_failure(FailureReason.PLATFORM_UNAVAILABLE, bluesky.publish(base, creds, post("Is anyone there?")))
    await expect_failure(FailureReason.PLATFORM_UNAVAILABLE, bluesky.fetch_metrics(base, creds, f"at://{creds.extra['did']}/x/y"))
    assert await posts_of(control, handle) == []


async def test_lost_answer_is_outcome_unknown_and_a_retry_finds_the_post(bluesky: BlueskyPlatform, base: str,
                                                                         control: httpx.AsyncClient, handle: str,
                                                                         creds: Credentials) -> None:
    attempt = post("Did this land?")
    await control.put("/faults/bluesky", json={"timeout_rate": 1.0, "timeout_seconds": 2.2})
    with pytest.raises(OutcomeUnknown):
        await bluesky.publish(base, creds, attempt)
    [landed] = await posts_of(control, handle)
    assert landed["text"] == "Did this land?"

    await control.delete("/faults")
    published = await bluesky.publish(base, creds, attempt)
    assert published.remote_id == landed["remote_id"]
    assert len(await posts_of(control, handle)) == 1


async def test_auth_fail_fault_reads_as_an_expired_session(bluesky: BlueskyPlatform, base: str,
                                                           control: httpx.AsyncClient, creds: Credentials) -> None:
    await control.put("/faults/bluesky", json={"auth_fail": True})
    await expect_failure(FailureReason.AUTH_EXPIRED, bluesky.account(base, creds))
