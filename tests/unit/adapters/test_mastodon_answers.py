"""What the Mastodon adapter takes from an instance's answers (httpx.MockTransport plays the instance):
only a client id of token characters, only http(s) post links, and pagination only on the instance
itself (the access token goes with every page request)."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from adapters.platforms.mastodon import MastodonPlatform
from application.platforms.ports import Credentials, OutgoingPost, PlatformError

BASE = "https://mastodon.example"
TOKEN = Credentials(access_token="secret-token", extra={"account_id": "1"})


def _platform(handler) -> tuple[MastodonPlatform, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return MastodonPlatform(httpx.AsyncClient(transport=httpx.MockTransport(record))), seen


@pytest.mark.parametrize("answer", [{"client_id": "http://169.254.169.254/latest secret", "client_secret": "s"},
                                    {"client_id": 12345, "client_secret": "s"}, {"client_secret": "s"},
                                    {"client_id": "ok", "client_secret": {"nested": 1}}, [{"client_id": "ok"}]])
async def test_a_registration_answer_without_a_usable_client_id_is_refused(answer):
    platform, _ = _platform(lambda request: httpx.Response(200, json=answer))
    with pytest.raises(PlatformError, match="no usable client_id"):
        await platform.register_client(BASE, "https://pw.example/api/oauth/callback")


async def test_the_authorization_url_is_the_checked_instance_with_the_client_id():
    platform, _ = _platform(lambda request: httpx.Response(200, json={"client_id": "Abc-123_x", "client_secret": "s"}))
    client = await platform.register_client(BASE, "https://pw.example/api/oauth/callback")
    url = platform.authorization_url(BASE, client, state="st", code_challenge="ch")
    assert url.startswith(f"{BASE}/oauth/authorize?") and "client_id=Abc-123_x" in url


@pytest.mark.parametrize(("status", "link"), [
    ({"id": "9", "url": "javascript:alert(1)", "uri": "https://mastodon.example/users/a/statuses/9"},
     "https://mastodon.example/users/a/statuses/9"),
    ({"id": "9", "url": "https://mastodon.example/@a/9"}, "https://mastodon.example/@a/9"),
    ({"id": "9", "url": "data:text/html,hi", "uri": ["not", "a", "string"]}, None),
])
async def test_only_a_web_link_is_taken_for_a_published_post(status, link):
    platform, _ = _platform(lambda request: httpx.Response(200, json=status))
    published = await platform.publish(BASE, TOKEN, OutgoingPost(text="hi", idempotency_key="k"))
    assert published.url == link


async def test_pagination_never_leaves_the_instance():
    page = [{"id": "5", "created_at": "2030-01-01T00:00:00Z", "content": "<p>hi</p>", "url": f"{BASE}/@a/5"}]

    def instance(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=page, headers={"Link": '<http://127.0.0.1:5432/steal?max_id=5>; rel="next"'})

    platform, seen = _platform(instance)
    found = await platform.find_recent(BASE, TOKEN, datetime(2029, 1, 1, tzinfo=timezone.utc))
    assert [p.remote_id for p in found] == ["5"]
    assert [str(r.url.host) for r in seen] == ["mastodon.example"]
