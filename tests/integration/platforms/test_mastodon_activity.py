"""The simulated Mastodon's counts follow what accounts do through its own endpoints (favourite, boost,
reply, delete), over real sockets; its instance endpoints, thread context, trailing slashes and unknown
paths answer as Mastodon does; a retired metric disappears from Status and the adapter reads None."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from adapters.platforms.mastodon import MastodonPlatform
from application.platforms.ports import Credentials
from domain.engagement.engagement import Counters, Engagement
from entrypoints.simulator.state import SimulatorState

SCOPES = "read write"


@pytest.fixture
def base(simulator_url: str) -> str:
    return f"{simulator_url}/mastodon"


def account(sim_state: SimulatorState, scopes: str = SCOPES) -> tuple[str, dict[str, str]]:
    """A fresh sandbox account and the Authorization header of a token it granted."""
    handle = f"m{uuid.uuid4().hex[:10]}"
    sim_state.add_account("mastodon", handle)
    token = sim_state.issue_token("mastodon", handle, scopes=scopes)
    return handle, {"Authorization": f"Bearer {token.token}"}


async def post(http: httpx.AsyncClient, base: str, auth: dict, text: str, **fields) -> dict:
    response = await http.post(f"{base}/api/v1/statuses", headers=auth, data={"status": text, **fields})
    assert response.status_code == 200, response.text
    return response.json()


async def status(http: httpx.AsyncClient, base: str, status_id: str, auth: dict | None = None) -> httpx.Response:
    return await http.get(f"{base}/api/v1/statuses/{status_id}", headers=auth or {})


async def test_favourites_and_boosts_move_the_counts(http_client, base, sim_state, control):
    _, author = account(sim_state)
    _, fan = account(sim_state)
    original = await post(http_client, base, author, "Counts follow real activity")
    sid = original["id"]

    liked = await http_client.post(f"{base}/api/v1/statuses/{sid}/favourite", headers=fan)
    assert liked.status_code == 200
    assert liked.json()["favourited"] is True and liked.json()["favourites_count"] == 1
    again = await http_client.post(f"{base}/api/v1/statuses/{sid}/favourite", headers=fan)
    assert again.json()["favourites_count"] == 1  # one favourite per account

    boosted = await http_client.post(f"{base}/api/v1/statuses/{sid}/reblog", headers=fan)
    assert boosted.status_code == 200
    boost = boosted.json()
    assert boost["id"] != sid and boost["reblog"]["id"] == sid
    assert boost["reblog"]["reblogged"] is True and boost["reblog"]["reblogs_count"] == 1

    seen_by_author = (await status(http_client, base, sid, author)).json()
    assert (seen_by_author["favourites_count"], seen_by_author["reblogs_count"]) == (1, 1)
    assert seen_by_author["favourited"] is False and seen_by_author["reblogged"] is False
    anonymous = (await status(http_client, base, sid)).json()
    assert "favourited" not in anonymous  # viewer attributes need a user token

    # The control API's counters stand for everyone else; the real ones add to them.
    await control.post(f"/posts/mastodon/{sid}/counters", json={"likes": 10})
    assert (await status(http_client, base, sid)).json()["favourites_count"] == 10
    refused = await control.post(f"/posts/mastodon/{sid}/counters", json={"reposts": 0})
    assert refused.status_code == 422  # one boost came through the platform

    unliked = await http_client.post(f"{base}/api/v1/statuses/{sid}/unfavourite", headers=fan)
    assert unliked.json()["favourited"] is False and unliked.json()["favourites_count"] == 9
    unboosted = await http_client.post(f"{base}/api/v1/statuses/{sid}/unreblog", headers=fan)
    assert unboosted.json()["reblogged"] is False and unboosted.json()["reblogs_count"] == 0
    counters = (await control.get(f"/posts/mastodon/{sid}/counters")).json()
    assert counters["likes"] == 9 and counters["real"] == {"likes": 0, "reposts": 0}


async def test_interactions_are_refused_as_mastodon_refuses_them(http_client, base, sim_state):
    _, author = account(sim_state)
    _, reader = account(sim_state, scopes="read")
    mine = await post(http_client, base, author, "Private one", visibility="private")
    public = await post(http_client, base, author, "Public one")

    hidden = await http_client.post(f"{base}/api/v1/statuses/{mine['id']}/favourite", headers=account(sim_state)[1])
    assert hidden.status_code == 404 and hidden.json() == {"error": "Record not found"}
    own_private = await http_client.post(f"{base}/api/v1/statuses/{mine['id']}/reblog", headers=author)
    assert own_private.status_code == 403 and own_private.json() == {"error": "This action is not allowed"}
    no_scope = await http_client.post(f"{base}/api/v1/statuses/{public['id']}/favourite", headers=reader)
    assert no_scope.status_code == 403
    no_token = await http_client.post(f"{base}/api/v1/statuses/{public['id']}/favourite")
    assert no_token.status_code == 401 and no_token.json() == {"error": "The access token is invalid"}


async def test_replies_count_and_deleting_a_reply_lowers_it(http_client, base, sim_state):
    _, author = account(sim_state)
    _, other = account(sim_state)
    root = await post(http_client, base, author, "A thread starts")
    reply = await post(http_client, base, other, "A reply", in_reply_to_id=root["id"])
    nested = await post(http_client, base, author, "A reply to the reply", in_reply_to_id=reply["id"])
    assert (await status(http_client, base, root["id"])).json()["replies_count"] == 1

    context = (await http_client.get(f"{base}/api/v1/statuses/{reply['id']}/context")).json()
    assert [s["id"] for s in context["ancestors"]] == [root["id"]]
    assert [s["id"] for s in context["descendants"]] == [nested["id"]]

    not_mine = await http_client.delete(f"{base}/api/v1/statuses/{reply['id']}", headers=author)
    assert not_mine.status_code == 404 and not_mine.json() == {"error": "Record not found"}
    deleted = await http_client.delete(f"{base}/api/v1/statuses/{reply['id']}", headers=other)
    assert deleted.status_code == 200 and deleted.json()["id"] == reply["id"] and deleted.json()["text"] == "A reply"
    assert (await status(http_client, base, reply["id"])).status_code == 404
    assert (await status(http_client, base, root["id"])).json()["replies_count"] == 0
    again = await http_client.delete(f"{base}/api/v1/statuses/{reply['id']}", headers=other)
    assert again.status_code == 404


async def test_instance_v1_and_v2_give_version_and_limits(http_client, base):
    v1 = (await http_client.get(f"{base}/api/v1/instance")).json()
    v2 = (await http_client.get(f"{base}/api/v2/instance")).json()
    assert v1["version"] == v2["version"] and v1["version"].startswith("4.")
    for body in (v1, v2):
        assert body["configuration"]["statuses"]["max_characters"] == 500
        assert body["configuration"]["media_attachments"]["image_size_limit"] == 16 * 1024 * 1024
    assert isinstance(v1["uri"], str) and "streaming_api" in v1["urls"]


async def test_trailing_slashes_route_and_unknown_paths_answer_as_mastodon(http_client, base, sim_state):
    _, author = account(sim_state)
    slashed = await http_client.get(f"{base}/api/v1/instance/")
    assert slashed.status_code == 200 and slashed.json()["version"]
    created = await http_client.post(f"{base}/api/v1/statuses/", headers=author, data={"status": "Slash"})
    assert created.status_code == 200

    unknown = await http_client.get(f"{base}/api/v1/nothing-here", headers={"Accept": "application/json"})
    assert unknown.status_code == 404 and unknown.json() == {"error": "Not Found"}
    wrong_verb = await http_client.put(f"{base}/api/v1/statuses", headers={"Accept": "application/json"})
    assert wrong_verb.status_code == 404 and wrong_verb.json() == {"error": "Not Found"}
    page = await http_client.get(f"{base}/api/v1/nothing-here")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")


async def test_a_retired_metric_leaves_the_status_and_reads_as_none(http_client, base, sim_state, control):
    _, author = account(sim_state)
    published = await post(http_client, base, author, "Quotes go away")
    credentials = Credentials(access_token=author["Authorization"].removeprefix("Bearer "))
    adapter = MastodonPlatform(http_client)
    engagement = Engagement(post_id=uuid.uuid4(), channel_id=uuid.uuid4(), remote_id=published["id"],
                            published_at=sim_state.find_post("mastodon", published["id"]).created_at)
    start = datetime.now(timezone.utc)
    await control.post(f"/posts/mastodon/{published['id']}/counters", json={"likes": 2, "quotes": 1})
    engagement.record(start, await adapter.fetch_metrics(base, credentials, published["id"]))

    retired = await control.put("/retired/mastodon", json={"metrics": ["quotes"]})
    assert retired.status_code == 200
    try:
        assert "quotes_count" not in (await status(http_client, base, published["id"])).json()
        counters = await adapter.fetch_metrics(base, credentials, published["id"])
        assert counters == Counters(likes=2, reposts=0, replies=0, quotes=None)
        snapshot = engagement.record(start + timedelta(minutes=1), counters)
        assert snapshot is not None and "quotes:missing" in snapshot.flags and snapshot.counters.likes == 2
    finally:
        await control.put("/retired/mastodon", json={"metrics": []})
    assert (await status(http_client, base, published["id"])).json()["quotes_count"] == 1
    assert (await control.put("/retired/mastodon", json={"metrics": ["views"]})).status_code == 422
