"""Bluesky reads many posts' numbers in one getPosts call (httpx.MockTransport plays the AppView)."""

from __future__ import annotations

import httpx

from adapters.platforms.bluesky import BlueskyPlatform
from application.platforms.ports import BatchedMetrics, Credentials
from domain.engagement.engagement import Counters

BASE = "https://pds.example"
TOKEN = Credentials(access_token="secret-token", extra={"did": "did:plc:abc", "handle": "ann.example"})
URIS = [f"at://did:plc:abc/app.bsky.feed.post/{i}" for i in range(3)]


async def test_one_call_reads_every_post_bluesky_shows_and_leaves_out_the_rest():
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"posts": [
            {"uri": URIS[0], "likeCount": 4, "repostCount": 1, "replyCount": 0, "quoteCount": 0, "bookmarkCount": 2},
            {"uri": URIS[2], "likeCount": 9, "repostCount": 0, "replyCount": 3, "quoteCount": None},  # a retired field
            {"uri": "at://someone-else/app.bsky.feed.post/x", "likeCount": 1000},
        ]})

    bluesky = BlueskyPlatform(httpx.AsyncClient(transport=httpx.MockTransport(answer)))
    assert isinstance(bluesky, BatchedMetrics) and bluesky.metrics_batch == 25
    found = await bluesky.fetch_metrics_many(BASE, TOKEN, URIS)
    assert len(seen) == 1 and seen[0].url.params.get_list("uris") == URIS
    assert found == {URIS[0]: Counters(likes=4, reposts=1, replies=0, quotes=0, bookmarks=2),
                     URIS[2]: Counters(likes=9, reposts=0, replies=3)}
