"""The simulated PDS's counts follow like, repost, reply and quote records written through
createRecord, and deleteRecord undoes them, over real sockets; a bad subject is refused as the PDS
refuses it; unknown methods answer XRPC errors; a retired metric reads as None through getPosts."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import httpx
import pytest

from adapters.platforms.bluesky import BlueskyPlatform
from domain.engagement.engagement import Counters

PASSWORD = "activity-app-password"
NOW = datetime.now(timezone.utc).isoformat()


@pytest.fixture
def base(simulator_url: str) -> str:
    return f"{simulator_url}/bluesky"


class Actor:
    """A sandbox account logged in on the simulated PDS."""

    def __init__(self, http: httpx.AsyncClient, base: str, session: dict) -> None:
        self.http, self.base, self.did = http, base, session["did"]
        self.auth = {"Authorization": f"Bearer {session['accessJwt']}"}

    async def call(self, method: str, body: dict) -> httpx.Response:
        return await self.http.post(f"{self.base}/xrpc/{method}", json=body, headers=self.auth)

    async def create(self, collection: str, record: dict) -> httpx.Response:
        return await self.call("com.atproto.repo.createRecord",
                               {"repo": self.did, "collection": collection, "record": {"$type": collection, **record}})

    async def post(self, text: str, **record) -> dict:
        response = await self.create("app.bsky.feed.post", {"text": text, "createdAt": NOW, **record})
        assert response.status_code == 200, response.text
        return response.json()

    async def act(self, collection: str, subject: dict) -> httpx.Response:
        return await self.create(collection, {"subject": {"uri": subject["uri"], "cid": subject["cid"]}, "createdAt": NOW})

    async def delete(self, uri: str) -> httpx.Response:
        _, _, did, collection, rkey = uri.split("/")
        return await self.call("com.atproto.repo.deleteRecord", {"repo": did, "collection": collection, "rkey": rkey})

    async def view(self, uri: str) -> dict:
        response = await self.http.get(f"{self.base}/xrpc/app.bsky.feed.getPosts", params={"uris": uri}, headers=self.auth)
        assert response.status_code == 200, response.text
        return response.json()["posts"][0]


async def actor(http: httpx.AsyncClient, base: str, control: httpx.AsyncClient) -> Actor:
    handle = f"a{uuid.uuid4().hex[:10]}.bsky.social"
    (await control.post("/accounts", json={"platform": "bluesky", "handle": handle, "password": PASSWORD})).raise_for_status()
    session = await http.post(f"{base}/xrpc/com.atproto.server.createSession", json={"identifier": handle, "password": PASSWORD})
    assert session.status_code == 200, session.text
    return Actor(http, base, session.json())


def counts(view: dict) -> tuple:
    return view["likeCount"], view["repostCount"], view["replyCount"], view["quoteCount"]


async def test_likes_reposts_replies_and_quotes_move_the_counts(http_client, base, control):
    author, fan = await actor(http_client, base, control), await actor(http_client, base, control)
    original = await author.post("Counts follow real records")

    like = await fan.act("app.bsky.feed.like", original)
    assert like.status_code == 200 and "/app.bsky.feed.like/" in like.json()["uri"]
    repost = await fan.act("app.bsky.feed.repost", original)
    assert repost.status_code == 200
    assert (await fan.act("app.bsky.feed.like", original)).status_code == 200  # stored, but counted once
    ref = {"uri": original["uri"], "cid": original["cid"]}
    reply = await fan.post("A reply", reply={"root": ref, "parent": ref})
    quote = await fan.post("A quote", embed={"$type": "app.bsky.embed.record", "record": ref})

    seen_by_fan = await fan.view(original["uri"])
    assert counts(seen_by_fan) == (1, 1, 1, 1)
    assert seen_by_fan["viewer"] == {"like": like.json()["uri"], "repost": repost.json()["uri"]}
    assert (await author.view(original["uri"]))["viewer"] == {}

    got = await http_client.get(f"{base}/xrpc/com.atproto.repo.getRecord",
                                params={"repo": fan.did, "collection": "app.bsky.feed.like",
                                        "rkey": like.json()["uri"].rsplit("/", 1)[1]})
    assert got.status_code == 200 and got.json()["value"]["subject"]["uri"] == original["uri"]

    assert (await fan.delete(repost.json()["uri"])).json()["commit"]["rev"]
    assert (await fan.delete(reply["uri"])).status_code == 200
    assert (await fan.delete(quote["uri"])).status_code == 200
    assert counts(await author.view(original["uri"])) == (1, 0, 0, 0)  # the duplicate like still stands
    assert (await fan.delete(like.json()["uri"])).status_code == 200
    assert counts(await author.view(original["uri"])) == (1, 0, 0, 0)
    # The AppView counts one like per account; the duplicate record carries it now.
    assert (await fan.view(original["uri"]))["viewer"]["like"] != like.json()["uri"]

    nothing = await fan.delete(like.json()["uri"])
    assert nothing.status_code == 200 and nothing.json() == {}  # "ensure it doesn't exist"


async def test_bad_subjects_and_others_records_are_refused(http_client, base, control):
    author, fan = await actor(http_client, base, control), await actor(http_client, base, control)
    original = await author.post("Refusals")

    missing_cid = await fan.create("app.bsky.feed.like", {"subject": {"uri": original["uri"]}, "createdAt": NOW})
    assert missing_cid.status_code == 400
    assert missing_cid.json() == {"error": "InvalidRequest",
                                  "message": 'Invalid app.bsky.feed.like record: Record/subject must have the property "cid"'}
    bad_uri = await fan.act("app.bsky.feed.repost", {"uri": "https://example.com/post", "cid": original["cid"]})
    assert bad_uri.json()["message"] == "Invalid app.bsky.feed.repost record: Record/subject/uri must be a valid at-uri"
    stale = await fan.act("app.bsky.feed.like", {"uri": original["uri"], "cid": "bafyreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    assert stale.status_code == 400 and "does not reference an existing post" in stale.json()["message"]
    wrong_type = await fan.call("com.atproto.repo.createRecord", {
        "repo": fan.did, "collection": "app.bsky.feed.like",
        "record": {"$type": "app.bsky.feed.post", "subject": original, "createdAt": NOW}})
    assert wrong_type.json()["message"] == "Invalid $type: expected app.bsky.feed.like, got app.bsky.feed.post"

    _, _, did, collection, rkey = original["uri"].split("/")
    theirs = await fan.call("com.atproto.repo.deleteRecord", {"repo": did, "collection": collection, "rkey": rkey})
    assert theirs.status_code == 401 and theirs.json()["error"] == "AuthenticationRequired"
    assert (await author.view(original["uri"]))["uri"] == original["uri"]


async def test_unknown_methods_answer_xrpc_errors(http_client, base, control):
    fan = await actor(http_client, base, control)
    unknown = await http_client.get(f"{base}/xrpc/app.bsky.feed.getNothing", headers=fan.auth)
    assert unknown.status_code == 501
    assert unknown.json() == {"error": "MethodNotImplemented", "message": "Method Not Implemented"}
    wrong_verb = await http_client.get(f"{base}/xrpc/com.atproto.repo.deleteRecord", headers=fan.auth)
    assert wrong_verb.status_code == 400
    assert wrong_verb.json() == {"error": "InvalidRequest", "message": "Incorrect HTTP method (GET) expected POST"}


async def test_a_retired_metric_reads_as_none(http_client, base, control):
    author, fan = await actor(http_client, base, control), await actor(http_client, base, control)
    original = await author.post("Bookmarks retire")
    await fan.act("app.bsky.feed.like", original)
    adapter = BlueskyPlatform(http_client)
    creds = await adapter.log_in(base, author.did, PASSWORD)
    assert (await adapter.fetch_metrics(base, creds, original["uri"])) == Counters(1, 0, 0, 0, 0, None, None)
    (await control.put("/retired/bluesky", json={"metrics": ["bookmarks"]})).raise_for_status()
    try:
        assert "bookmarkCount" not in await author.view(original["uri"])
        assert (await adapter.fetch_metrics(base, creds, original["uri"])) == Counters(1, 0, 0, 0, None, None, None)
    finally:
        await control.delete("/faults")  # gives retired metrics back too
    assert (await author.view(original["uri"]))["bookmarkCount"] == 0
