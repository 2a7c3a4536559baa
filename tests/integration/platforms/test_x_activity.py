"""The simulated X's public_metrics follow likes, retweets, replies and quotes made through its own
endpoints, over real sockets; deletion is the author's; fields and parameters the simulator does not
implement are refused with X's 400 rather than ignored; a retired metric reads as None."""

from __future__ import annotations

import uuid

import httpx
import pytest

from adapters.platforms.x import XPlatform
from application.platforms.ports import Credentials
from domain.engagement.engagement import Counters
from entrypoints.simulator.state import SimulatorState

SCOPES = "tweet.read tweet.write users.read like.write offline.access"


@pytest.fixture
def base(simulator_url: str) -> str:
    return f"{simulator_url}/x"


class Actor:
    def __init__(self, http: httpx.AsyncClient, base: str, sim_state: SimulatorState, scopes: str = SCOPES) -> None:
        self.http, self.base = http, base
        self.handle = f"x{uuid.uuid4().hex[:10]}"
        self.id = sim_state.add_account("x", self.handle).remote_id
        self.token = sim_state.issue_token("x", self.handle, scopes=scopes).token
        self.auth = {"Authorization": f"Bearer {self.token}"}

    async def tweet(self, text: str, **body) -> dict:
        response = await self.http.post(f"{self.base}/2/tweets", json={"text": f"{text} {uuid.uuid4().hex[:6]}", **body},
                                        headers=self.auth)
        assert response.status_code == 201, response.text
        return response.json()["data"]

    async def metrics(self, tweet_id: str) -> dict:
        response = await self.http.get(f"{self.base}/2/tweets/{tweet_id}", params={"tweet.fields": "public_metrics"},
                                       headers=self.auth)
        assert response.status_code == 200, response.text
        return response.json()["data"]["public_metrics"]


def counts(metrics: dict) -> tuple:
    return metrics["like_count"], metrics["retweet_count"], metrics["reply_count"], metrics["quote_count"]


async def test_likes_retweets_replies_and_quotes_move_public_metrics(http_client, base, sim_state):
    author, fan = Actor(http_client, base, sim_state), Actor(http_client, base, sim_state)
    original = await author.tweet("Counts follow real activity")
    tid = original["id"]

    liked = await http_client.post(f"{base}/2/users/{fan.id}/likes", json={"tweet_id": tid}, headers=fan.auth)
    assert liked.status_code == 200 and liked.json() == {"data": {"liked": True}}
    retweeted = await http_client.post(f"{base}/2/users/{fan.id}/retweets", json={"tweet_id": tid}, headers=fan.auth)
    assert retweeted.status_code == 200 and retweeted.json()["data"]["retweeted"] is True
    reply = await fan.tweet("A reply", reply={"in_reply_to_tweet_id": tid})
    quote = await fan.tweet("A quote", quote_tweet_id=tid)
    assert counts(await author.metrics(tid)) == (1, 1, 1, 1)

    looked_up = await http_client.get(f"{base}/2/tweets/{quote['id']}", headers=fan.auth,
                                      params={"tweet.fields": "referenced_tweets,author_id", "expansions": "author_id",
                                              "user.fields": "public_metrics"})
    body = looked_up.json()
    assert body["data"]["referenced_tweets"] == [{"type": "quoted", "id": tid}]
    assert body["includes"]["users"][0]["username"] == fan.handle
    assert body["includes"]["users"][0]["public_metrics"]["like_count"] == 1

    unliked = await http_client.delete(f"{base}/2/users/{fan.id}/likes/{tid}", headers=fan.auth)
    assert unliked.json() == {"data": {"liked": False}}
    unretweeted = await http_client.delete(f"{base}/2/users/{fan.id}/retweets/{tid}", headers=fan.auth)
    assert unretweeted.json() == {"data": {"retweeted": False}}
    for tweet in (reply, quote):
        deleted = await http_client.delete(f"{base}/2/tweets/{tweet['id']}", headers=fan.auth)
        assert deleted.status_code == 200 and deleted.json() == {"data": {"deleted": True}}
    assert counts(await author.metrics(tid)) == (0, 0, 0, 0)
    gone = await http_client.get(f"{base}/2/tweets/{reply['id']}", headers=fan.auth)
    assert gone.json()["errors"][0]["resource_id"] == reply["id"]


async def test_acting_for_someone_else_or_on_others_tweets_is_refused(http_client, base, sim_state):
    author, fan = Actor(http_client, base, sim_state), Actor(http_client, base, sim_state)
    original = await author.tweet("Not yours")
    as_author = await http_client.post(f"{base}/2/users/{author.id}/likes", json={"tweet_id": original["id"]},
                                       headers=fan.auth)
    assert as_author.status_code == 403
    delete = await http_client.delete(f"{base}/2/tweets/{original['id']}", headers=fan.auth)
    assert delete.status_code == 403
    missing = await http_client.post(f"{base}/2/users/{fan.id}/likes", json={"tweet_id": "1"}, headers=fan.auth)
    assert missing.status_code == 400 and missing.json()["title"] == "Invalid Request"
    no_scope = Actor(http_client, base, sim_state, scopes="tweet.read tweet.write users.read")
    refused = await http_client.post(f"{base}/2/users/{no_scope.id}/likes", json={"tweet_id": original["id"]},
                                     headers=no_scope.auth)
    assert refused.status_code == 403
    assert counts(await author.metrics(original["id"])) == (0, 0, 0, 0)


async def test_unimplemented_fields_and_parameters_are_refused_not_ignored(http_client, base, sim_state):
    author = Actor(http_client, base, sim_state)
    original = await author.tweet("Strict")
    cases = [
        ("POST", "/2/tweets", {"json": {"text": "a poll", "poll": {"options": ["a", "b"], "duration_minutes": 5}}}),
        ("POST", "/2/tweets", {"json": {"text": "typo", "quote_tweet": original["id"]}}),
        ("POST", "/2/tweets", {"json": {"text": "x", "reply": {"in_reply_to_tweet_id": original["id"],
                                                                 "exclude_reply_user_ids": ["1"]}}}),
        ("GET", f"/2/tweets/{original['id']}", {"params": {"tweet.fields": "lang"}}),
        ("GET", f"/2/tweets/{original['id']}", {"params": {"tweet.fields": "public_metricz"}}),
        ("GET", f"/2/tweets/{original['id']}", {"params": {"expansions": "attachments.media_keys"}}),
        ("GET", f"/2/tweets/{original['id']}", {"params": {"since": "yesterday"}}),
        ("GET", f"/2/users/{author.id}/tweets", {"params": {"exclude": "quotes"}}),
        ("GET", "/2/users/me", {"params": {"user.fields": "location"}}),
    ]
    for method, path, kw in cases:
        response = await http_client.request(method, f"{base}{path}", headers=author.auth, **kw)
        assert response.status_code == 400, (path, kw, response.text)
        assert response.json()["type"] == "https://api.twitter.com/2/problems/invalid-request", response.text
    assert len(sim_state.posts_of("x", author.handle)) == 1  # nothing half-done

    me = await http_client.get(f"{base}/2/users/me", params={"user.fields": "created_at,public_metrics"}, headers=author.auth)
    assert me.json()["data"]["public_metrics"]["tweet_count"] == 1
    await author.tweet("A self reply", reply={"in_reply_to_tweet_id": original["id"]})
    timeline = await http_client.get(f"{base}/2/users/{author.id}/tweets", params={"exclude": "replies,retweets"},
                                     headers=author.auth)
    assert [t["id"] for t in timeline.json()["data"]] == [original["id"]]
    unknown = await http_client.get(f"{base}/2/nothing", headers=author.auth)
    assert unknown.status_code == 404 and "detail" not in unknown.json()


async def test_a_retired_metric_reads_as_none(http_client, base, sim_state, control):
    author = Actor(http_client, base, sim_state)
    original = await author.tweet("Impressions retire")
    await control.post(f"/posts/x/{original['id']}/counters", json={"impressions": 40, "likes": 3})
    adapter = XPlatform(http_client, client_id="postwizard-sandbox", client_secret="sandbox-secret")
    creds = Credentials(access_token=author.token)
    assert (await adapter.fetch_metrics(base, creds, original["id"])).impressions == 40
    (await control.put("/retired/x", json={"metrics": ["impressions"]})).raise_for_status()
    try:
        assert "impression_count" not in await author.metrics(original["id"])
        assert await adapter.fetch_metrics(base, creds, original["id"]) == Counters(3, 0, 0, 0, 0, None, None)
    finally:
        await control.put("/retired/x", json={"metrics": []})
