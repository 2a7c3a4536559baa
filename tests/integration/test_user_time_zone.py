"""A user's time zone over HTTP and PostgreSQL: chosen, shown on every `me` answer (log-in too),
refused when unknown with 422 naming `time_zone`, cleared with null, and personal to each user."""

from __future__ import annotations

from tests.integration.users import sign_up


async def test_a_user_chooses_a_zone_sees_it_after_logging_in_and_clears_it(base_url):
    ann = await sign_up(base_url, "Ann")
    assert (await ann.client.get("/api/auth/me")).json()["time_zone"] is None

    r = await ann.client.patch("/api/auth/me", json={"time_zone": "Europe/Berlin"})
    assert r.status_code == 200, r.text
    assert r.json()["time_zone"] == "Europe/Berlin" and r.json()["workspaces"][0]["id"] == ann.workspace_id
    assert (await ann.client.get("/api/auth/me")).json()["time_zone"] == "Europe/Berlin"
    again = await ann.client.post("/api/auth/login", json={"email": ann.email, "password": "correct horse battery"})
    assert again.json()["user"]["time_zone"] == "Europe/Berlin"
    ann.client.headers["X-CSRF-Token"] = again.json()["csrf_token"]  # the new session's

    r = await ann.client.patch("/api/auth/me", json={"time_zone": None})
    assert r.status_code == 200 and r.json()["time_zone"] is None


async def test_an_unknown_zone_is_a_422_naming_time_zone_and_the_saved_zone_stays(base_url):
    ann = await sign_up(base_url, "Ann")
    await ann.client.patch("/api/auth/me", json={"time_zone": "Asia/Tokyo"})
    for bad in ("Berlin", "Europe/Atlantis", "x" * 65):
        r = await ann.client.patch("/api/auth/me", json={"time_zone": bad})
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
        assert [e["field"] for e in r.json()["errors"]] == ["time_zone"]
    r = await ann.client.patch("/api/auth/me", json={"time_zone": "Mars/Olympus"})
    assert "such as 'Europe/Berlin'" in r.json()["detail"]
    assert (await ann.client.get("/api/auth/me")).json()["time_zone"] == "Asia/Tokyo"


async def test_the_zone_is_each_users_own_and_needs_the_csrf_header(base_url):
    ann, bob = await sign_up(base_url, "Ann"), await sign_up(base_url, "Bob")
    await ann.client.patch("/api/auth/me", json={"time_zone": "America/New_York"})
    assert (await bob.client.get("/api/auth/me")).json()["time_zone"] is None
    del bob.client.headers["X-CSRF-Token"]
    assert (await bob.client.patch("/api/auth/me", json={"time_zone": "UTC"})).status_code == 403
    assert (await bob.client.get("/api/auth/me")).json()["time_zone"] is None


async def test_the_repeated_hour_is_scheduled_as_the_picker_sends_it(base_url):
    """What the schedule picker relies on: a bare wall time in the hour the clocks repeat means its first
    occurrence; the same time with its offset (the picker's 'the second') means the second."""
    ann = await sign_up(base_url, "Ann")
    channel = await ann.channel("bluesky", f"ann-{ann.user_id[:8]}.bsky.social")
    first = await ann.draft([channel], "First", schedule_at="2027-10-31T02:30:00", timezone="Europe/Berlin")
    second = await ann.draft([channel], "Second", schedule_at="2027-10-31T02:30:00+01:00", timezone="Europe/Berlin")
    assert first["scheduled_at"] == "2027-10-31T00:30:00Z"  # CEST
    assert second["scheduled_at"] == "2027-10-31T01:30:00Z"  # CET, an hour later
    assert first["local_time"] == second["local_time"] == "2027-10-31T02:30:00"
