"""Read-your-writes through the API: every 2xx command is visible to the next query."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx

from tests.integration.users import sign_up


async def test_sign_up_campaign_post_schedule_and_calendar(base_url):
    ann = await sign_up(base_url)
    channel = await ann.channel("bluesky", "ann.bsky.social")
    campaign = await ann.campaign(objective="Sign-ups", brand_voice={"tone": "warm", "default_hashtags": ["launch"]},
                                  utm_defaults={"utm_source": "social"})
    assert campaign["brand_voice"]["default_hashtags"] == ["#launch"]

    post = await ann.draft([channel], "Spring is here", campaign_id=campaign["id"])
    assert post["status"] == "draft" and post["targets"][0]["state"] == "draft"

    r = await ann.post(f"/posts/{post['id']}/schedule", {"at": "2027-03-28T09:00", "timezone": "Europe/Paris"})
    assert r.status_code == 200, r.text
    scheduled = r.json()
    assert scheduled["scheduled_at"] == "2027-03-28T07:00:00Z"  # CEST begins that morning: UTC+2
    assert scheduled["local_time"] == "2027-03-28T09:00:00"
    assert r.headers["etag"] == '"2"'

    r = await ann.get("/calendar", params={"start": "2027-03-01T00:00:00Z", "end": "2027-04-01T00:00:00Z"})
    assert r.status_code == 200
    assert [(e["post_id"], e["state"], e["timezone"]) for e in r.json()] == [(post["id"], "scheduled", "Europe/Paris")]

    r = await ann.get(f"/campaigns/{campaign['id']}")
    assert r.json()["post_count"] == 1

    history = (await ann.get(f"/posts/{post['id']}")).json()["history"]
    assert [h["event"] for h in history] == ["Drafted", "Scheduled"]
    assert all(h["actor_id"] == ann.user_id for h in history)


async def test_reads_follow_writes_immediately(base_url):
    """Each command's effect is in the very next query, with no sleep in between."""
    ann = await sign_up(base_url)
    channel = await ann.channel()
    soon = (datetime.now(timezone.utc) + timedelta(days=3)).replace(microsecond=0)
    for i in range(15):
        post = await ann.draft([channel], f"post {i}")
        r = await ann.post(f"/posts/{post['id']}/schedule", {"at": soon.isoformat(), "timezone": "UTC"})
        assert r.status_code == 200, r.text
        listed = (await ann.get("/calendar", params={"start": (soon - timedelta(hours=1)).isoformat(),
                                                     "end": (soon + timedelta(hours=1)).isoformat()})).json()
        assert len(listed) == i + 1


async def test_post_with_schedule_in_one_step_and_cancel(base_url):
    ann = await sign_up(base_url)
    a, b = await ann.channel("mastodon"), await ann.channel("x")
    post = await ann.draft([a, b], "Both at once", schedule_at="2027-01-10T18:30", timezone="America/New_York")
    assert post["status"] == "scheduled"
    assert {t["scheduled_at"] for t in post["targets"]} == {"2027-01-10T23:30:00Z"}

    r = await ann.post(f"/posts/{post['id']}/cancel", {"channel_ids": [b]})
    states = {t["channel_id"]: t["state"] for t in r.json()["targets"]}
    assert states == {a: "scheduled", b: "cancelled"}
    r = await ann.get("/calendar", params={"start": "2027-01-10T00:00:00Z", "end": "2027-01-11T00:00:00Z"})
    assert [e["channel_id"] for e in r.json()] == [a]


async def test_the_calendar_filters_by_channels_and_campaign(base_url):
    ann = await sign_up(base_url)
    a, b, c = await ann.channel("mastodon"), await ann.channel("bluesky"), await ann.channel("x")
    campaign = (await ann.campaign())["id"]
    first = await ann.draft([a, b], "In the campaign", campaign_id=campaign, schedule_at="2027-05-03T09:00", timezone="UTC")
    second = await ann.draft([b, c], "Outside it", schedule_at="2027-05-03T08:00", timezone="UTC")
    week = {"start": "2027-05-03T00:00:00Z", "end": "2027-05-10T00:00:00Z"}

    async def shown(**filters) -> list[tuple[str, str]]:
        r = await ann.get("/calendar", params={**week, **filters})
        assert r.status_code == 200, r.text
        return [(e["post_id"], e["channel_id"]) for e in r.json()]

    p, q = first["id"], second["id"]
    assert await shown() == sorted([(q, b), (q, c)]) + sorted([(p, a), (p, b)])  # by time, then post and channel
    assert await shown(channel_id=b) == [(q, b), (p, b)]
    assert await shown(channel_id=[a, c]) == [(q, c), (p, a)]
    assert await shown(campaign_id=campaign) == sorted([(p, a), (p, b)])
    assert await shown(channel_id=[b, c], campaign_id=campaign) == [(p, b)]
    entry = (await ann.get("/calendar", params={**week, "channel_id": a})).json()[0]
    assert entry == {"post_id": p, "channel_id": a, "platform": "mastodon", "campaign_id": campaign,
                     "scheduled_at": "2027-05-03T09:00:00Z", "timezone": "UTC", "state": "scheduled",
                     "preview": "In the campaign"}


async def test_api_token_works_without_cookies_or_csrf(base_url, http):
    ann = await sign_up(base_url)
    r = await ann.client.post("/api/auth/tokens", json={"name": "scripts"})
    assert r.status_code == 201
    token = r.json()["token"]
    assert token.startswith("pw_")
    r = await http.post(f"/api/workspaces/{ann.workspace_id}/campaigns", json={"name": "From a script"},
                        headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    r = await http.get("/api/auth/me", headers={"Authorization": "Bearer pw_not-a-real-token"})
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"


async def test_cookie_session_needs_the_csrf_header_for_writes(base_url):
    ann = await sign_up(base_url)
    del ann.client.headers["X-CSRF-Token"]
    r = await ann.post("/campaigns", {"name": "No CSRF"})
    assert r.status_code == 403
    assert "X-CSRF-Token" in r.json()["detail"]
    assert (await ann.get("/campaigns")).json() == []  # nothing was written
    r = await ann.client.get("/api/auth/me")  # reads need no CSRF header
    assert r.status_code == 200


async def test_log_out_ends_the_session_server_side(base_url):
    ann = await sign_up(base_url)
    cookie = ann.client.cookies.get("pw_session")
    assert (await ann.client.post("/api/auth/logout")).status_code == 204
    async with httpx.AsyncClient(base_url=base_url, cookies={"pw_session": cookie}) as stolen:
        assert (await stolen.get("/api/auth/me")).status_code == 401


async def test_health_and_openapi(http):
    health = await http.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "ok" and health.json()["database"] == "ok"
    assert health.json()["projections"]["set_aside"] == 0
    spec = (await http.get("/openapi.json")).json()
    assert "/api/workspaces/{workspace_id}/posts/{post_id}/schedule" in spec["paths"]
    assert (await http.get("/docs")).status_code == 200
    rules = (await http.get("/api/platforms/rules")).json()
    assert rules["platforms"]["x"]["max_length"] == 280
