"""GET /posts over HTTP on PostgreSQL: filters (status, channel, campaign, target state, scheduled
instants) and keyset pages that follow X-Next-Cursor / Link to the end without repeats, scoped to the
caller's workspace."""

from __future__ import annotations

from tests.integration.users import sign_up


async def _all_pages(user, params: dict) -> tuple[list[str], int]:
    """Every post id across the pages, following X-Next-Cursor; and how many pages it took."""
    ids, cursor, pages = [], None, 0
    while True:
        r = await user.get("/posts", params={**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        pages += 1
        ids += [p["id"] for p in r.json()]
        cursor = r.headers.get("X-Next-Cursor")
        if not cursor:
            assert "Link" not in r.headers
            return ids, pages
        assert r.headers["Link"].endswith('>; rel="next"') and f"cursor={cursor}" in r.headers["Link"]


async def test_filters_and_keyset_pages_over_http(base_url):
    ann = await sign_up(base_url, "Ann")
    mastodon, bluesky = await ann.channel("mastodon"), await ann.channel("bluesky")
    campaign = (await ann.campaign())["id"]
    drafts = [(await ann.draft([mastodon], f"draft {i}"))["id"] for i in range(5)]
    june = (await ann.draft([bluesky], "June", campaign_id=campaign, schedule_at="2030-06-01T09:00",
                            timezone="Europe/Paris"))["id"]
    july = (await ann.draft([mastodon, bluesky], "July", schedule_at="2030-07-01T09:00", timezone="UTC"))["id"]
    bob = await sign_up(base_url, "Bob")
    await bob.draft([await bob.channel("mastodon")], "Bob's")

    everything, pages = await _all_pages(ann, {"limit": 2})
    assert sorted(everything) == sorted([*drafts, june, july]) and len(set(everything)) == 7 and pages == 4
    newest_first = [p["id"] for p in (await ann.get("/posts")).json()]
    assert everything == newest_first and "X-Next-Cursor" not in (await ann.get("/posts")).headers

    async def ids(**params) -> set[str]:
        found, _ = await _all_pages(ann, {"limit": 1, **params})
        return set(found)

    assert await ids(status="scheduled") == {june, july}
    assert await ids(status="draft") == set(drafts)
    assert await ids(channel_id=bluesky) == {june, july}
    assert await ids(channel_id=[mastodon, bluesky]) == {*drafts, june, july}
    assert await ids(campaign_id=campaign) == {june}
    assert await ids(state="scheduled") == {june, july}
    assert await ids(state="draft") == set(drafts)
    # 09:00 in Paris is 07:00 UTC: [07:00, 07:01) holds June's post, [07:01, …) does not.
    assert await ids(**{"from": "2030-06-01T07:00:00Z", "to": "2030-06-01T07:01:00Z"}) == {june}
    assert await ids(**{"from": "2030-06-01T09:00:00+02:00", "to": "2030-06-30T00:00:00Z"}) == {june}
    assert await ids(**{"from": "2030-06-01T07:00:01Z"}) == {july}
    assert await ids(**{"to": "2030-06-15T00:00:00Z"}) == {june}
    assert await ids(channel_id=bluesky, **{"from": "2030-06-15T00:00:00Z"}) == {july}

    # Another workspace's ids filter to nothing, and Bob's posts never show for Ann.
    assert (await bob.get("/posts", params={"campaign_id": campaign})).json() == []
    assert (await bob.get("/posts", params={"channel_id": mastodon})).json() == []
    assert all(p["text"] != "Bob's" for p in (await ann.get("/posts", params={"limit": 500})).json())


async def test_bad_filters_are_422_naming_the_parameter(base_url):
    ann = await sign_up(base_url, "Ann")
    for params, field in (({"state": "queued"}, "state"), ({"cursor": "nonsense"}, "cursor"),
                          ({"from": "2030-06-01T09:00"}, "from"), ({"from": "yesterday"}, "from"),
                          ({"from": "2030-06-02T00:00:00Z", "to": "2030-06-01T00:00:00Z"}, "to"),
                          ({"channel_id": "not-a-uuid"}, "channel_id"), ({"cursor": "x" * 201}, "cursor")):
        r = await ann.get("/posts", params=params)
        assert r.status_code == 422, (params, r.text)
        assert r.json()["errors"][0]["field"].split(".")[0] == field, (params, r.json())
