"""Bad input on every write route answers 422 (naming the field) or 409 (naming the rule) as
problem+json, and leaves nothing written."""

from __future__ import annotations

import uuid

from tests.integration.snapshot import row_counts
from tests.integration.test_tenancy import documented_routes
from tests.integration.users import sign_up

W = "/api/workspaces/{workspace_id}"


def _cases(ids: dict[str, str]) -> list[tuple[str, str, dict | None, int, str]]:
    """(method, route, body, status, field or rule)."""
    stranger = str(uuid.uuid4())
    return [
        ("POST", "/api/auth/signup", {"email": "not-an-email", "password": "long enough password", "name": "A",
                                      "workspace_name": "B"}, 422, "email"),
        ("POST", "/api/auth/signup", {"email": "a@example.com", "password": "short", "name": "A",
                                      "workspace_name": "B"}, 422, "password"),
        ("POST", "/api/auth/signup", {"email": "a@example.com", "password": "password12", "name": "A",
                                      "workspace_name": "B"}, 422, "password"),
        ("POST", "/api/auth/login", {"password": "x"}, 422, "email"),
        ("POST", "/api/auth/tokens", {"name": ""}, 422, "name"),
        ("POST", "/api/auth/tokens", {"name": "x", "expires_in_days": 0}, 422, "expires_in_days"),
        ("DELETE", "/api/auth/tokens/{token_id}", None, 404, ""),
        ("PATCH", "/api/auth/me", {"time_zone": "Mars/Olympus"}, 422, "time_zone"),
        ("POST", "/api/auth/signup", {"email": "a@example.com", "password": "long enough passphrase", "name": "A",
                                      "invitation_token": "made-up"}, 422, "invitation_token"),
        ("POST", "/api/workspaces", {"name": "   "}, 422, "name"),
        ("POST", "/api/invitations/accept", {"token": ""}, 422, "token"),
        ("POST", "/api/invitations/accept", {"token": "unknown"}, 404, ""),
        ("PATCH", W, {"requires_approval": "perhaps"}, 422, "requires_approval"),
        ("PUT", W + "/members/{user_id}", {"role": "king"}, 422, "role"),
        ("PUT", W + "/members/{user_id}", {"role": "viewer"}, 409, "last_owner"),
        ("POST", W + "/invitations", {"email": "nope", "role": "editor"}, 422, "email"),
        ("POST", W + "/invitations", {"email": "ok@example.com", "role": "boss"}, 422, "role"),
        ("DELETE", W + "/invitations/not-an-id", None, 422, "invitation_id"),
        ("DELETE", W + "/invitations/{token_id}", None, 404, ""),
        ("POST", W + "/channels", {"platform": "myspace", "handle": "@me"}, 422, "platform"),
        ("POST", W + "/channels", {"platform": "mastodon", "handle": ids["handle"]}, 409, "channel_exists"),
        ("POST", W + "/campaigns", {"name": "Dates", "starts_on": "2026-05-02", "ends_on": "2026-05-01"}, 422,
         "ends_on"),
        ("POST", W + "/campaigns", {"name": "Voice", "brand_voice": {"keywords": ["x"], "banned_words": ["X"]}}, 422,
         "brand_voice.banned_words"),
        ("POST", W + "/campaigns", {"name": "Extra", "colour": "red"}, 422, "colour"),
        ("PATCH", W + "/campaigns/{campaign_id}", {"utm_defaults": {"utm_bogus": "x"}}, 422, "utm_defaults.utm_bogus"),
        ("POST", W + "/campaigns/{campaign_id}/complete", None, 409, "campaign_status_transition"),
        ("POST", W + "/campaigns/{active_campaign_id}/archive", None, 409, "campaign_active"),
        ("POST", W + "/campaigns/{active_campaign_id}/activate", None, 409, "campaign_status_transition"),
        ("POST", W + "/posts", {"text": "x", "channel_ids": []}, 422, "channel_ids"),
        ("POST", W + "/posts", {"text": "x", "channel_ids": [stranger]}, 422, "channel_ids.0"),
        ("POST", W + "/posts", {"text": "x" * 281, "channel_ids": ["{x_channel}"], "schedule_at": "2030-01-01T09:00",
                                "timezone": "UTC"}, 409, "platform_rules.text_too_long"),
        ("POST", W + "/posts", {"text": "x", "channel_ids": ["{channel_id}"], "schedule_at": "2030-03-31T02:30",
                                "timezone": "Europe/Paris"}, 422, "schedule_at"),
        ("PATCH", W + "/posts/{post_id}", {"text": 5}, 422, "text"),
        ("PATCH", W + "/posts/{post_id}", {"channel_ids": [stranger]}, 422, "channel_ids.0"),
        ("PUT", W + "/posts/{post_id}/variants/" + stranger, {"text": "v"}, 422, "channel_id"),
        ("DELETE", W + "/posts/{post_id}/variants/" + stranger, None, 422, "channel_id"),
        ("POST", W + "/posts/{post_id}/submit", None, 409, "approval_not_required"),
        ("POST", W + "/posts/{post_id}/approve", {}, 409, "approval_transition"),
        ("POST", W + "/posts/{post_id}/request-changes", {}, 409, "approval_transition"),
        ("POST", W + "/posts/{post_id}/schedule", {"at": "2020-01-01T09:00", "timezone": "UTC"}, 409,
         "schedule_in_past"),
        ("POST", W + "/posts/{post_id}/schedule", {"at": "2030-01-01T09:00", "timezone": "Mars/Olympus"}, 422,
         "timezone"),
        ("POST", W + "/posts/{post_id}/schedule", {"at": "2030-01-01T09:00", "timezone": "UTC"}, 422, "If-Match"),
        ("POST", W + "/posts/{post_id}/reschedule", {"at": "2030-01-01T09:00", "timezone": "UTC"}, 409,
         "not_scheduled"),
        ("POST", W + "/posts/{post_id}/cancel", {"channel_ids": [stranger]}, 422, "channel_id"),
        ("POST", W + "/posts/{post_id}/retry", {"channel_id": "{channel_id}"}, 409, "retry_not_failed"),
        ("POST", W + "/posts/{post_id}/retry", {"channel_id": "nope"}, 422, "channel_id"),
        ("POST", W + "/channels/connect", {"platform": "bluesky"}, 422, "platform"),
        ("POST", W + "/channels/connect", {"platform": "myspace"}, 422, "platform"),
        ("POST", W + "/channels/app-password", {"identifier": "", "app_password": "x"}, 422, "identifier"),
        ("POST", W + "/channels/app-password", {"platform": "x", "identifier": "a", "app_password": "x"}, 422,
         "platform"),
        ("POST", W + "/channels/{stranger_channel}/disconnect", None, 404, ""),
        ("POST", W + "/media", None, 422, "file"),
        ("PATCH", W + "/media/{ref}", {"alt": "a" * 1501}, 422, "alt"),
        ("PATCH", W + "/media/{ref}", {"alt": "tab\tok, bell\u0007 not"}, 422, "alt"),
        ("POST", W + "/captions", {"brief": {"topic": " "}, "platforms": ["x"]}, 422, "brief.topic"),
        ("POST", W + "/captions", {"brief": {"topic": "t"}, "platforms": ["myspace"]}, 422, "platforms"),
        ("POST", W + "/captions", {"brief": {"topic": "t"}, "platforms": ["instagram"]}, 422, "media_count"),
        ("POST", W + "/captions", {"brief": {"topic": "t", "link": "ftp://x"}, "platforms": ["x"]}, 422, "brief.link"),
        ("POST", W + "/captions", {"brief": {"topic": "t"}, "platforms": ["x"], "alternatives": 9}, 422,
         "alternatives"),
        ("POST", W + "/captions", {"brief": {"topic": "t"}, "platforms": ["x"], "language": "english!"}, 422,
         "language"),
        ("POST", W + "/captions", {"brief": {"topic": "t"}, "platforms": ["x"], "campaign_id": stranger}, 404, ""),
        ("POST", W + "/captions/stream", {"brief": {"topic": "t"}, "platforms": []}, 422, "platforms"),
        ("POST", W + "/captions/stream", {"brief": {"topic": "t"}, "platforms": ["x"], "length": "epic"}, 422,
         "length"),
        ("POST", W + "/posts/{cancelled_post_id}/schedule", {"at": "2030-01-01T09:00", "timezone": "UTC"}, 409,
         "post_cancelled"),
        ("POST", W + "/posts/{stranger_post}/engagement/refresh", None, 404, ""),
    ]


def _route_template(route: str) -> str:
    for concrete, template in (("{active_campaign_id}", "{campaign_id}"), ("{cancelled_post_id}", "{post_id}"),
                               ("{stranger_channel}", "{channel_id}"), ("{stranger_post}", "{post_id}")):
        route = route.replace(concrete, template)
    if "/invitations/" in route and not route.endswith("/accept"):
        return route.rsplit("/", 1)[0] + "/{invitation_id}"
    head, sep, _ = route.partition("/variants/")
    return head + "/variants/{channel_id}" if sep else route


async def test_every_write_route_refuses_bad_input_and_writes_nothing(base_url, settings, container):
    ann = await sign_up(base_url)
    channel = await ann.channel("mastodon", "@ann")
    x_channel = await ann.channel("x", "@ann_x")
    campaign = await ann.campaign()
    active = await ann.campaign(name="Running")
    assert (await ann.post(f"/campaigns/{active['id']}/activate")).status_code == 200
    post = await ann.draft([channel])
    cancelled = await ann.draft([channel])
    assert (await ann.post(f"/posts/{cancelled['id']}/cancel")).status_code == 200
    image = await ann.image()
    ids = {"ref": image["ref"], "workspace_id": ann.workspace_id, "user_id": ann.user_id, "campaign_id": campaign["id"],
           "active_campaign_id": active["id"], "post_id": post["id"], "cancelled_post_id": cancelled["id"],
           "channel_id": channel, "x_channel": x_channel, "email": ann.email, "handle": "@ann",
           "stranger_channel": str(uuid.uuid4()), "stranger_post": str(uuid.uuid4()), "token_id": str(uuid.uuid4())}
    cases = _cases(ids)
    before = await row_counts(container.engine())

    covered = set()
    for method, route, body, status, name in cases:
        url = route
        for key, value in ids.items():
            url = url.replace("{" + key + "}", value)
        if body is not None:
            body = {k: [ids["x_channel"] if c == "{x_channel}" else ids["channel_id"] if c == "{channel_id}" else c
                        for c in v] if k == "channel_ids" else ids["channel_id"] if v == "{channel_id}" else v
                    for k, v in body.items()}
        headers = {"If-Match": "not-a-version"} if name == "If-Match" else {}
        r = await ann.client.request(method, url, json=body, headers=headers)
        assert r.status_code == status, (method, route, body, r.status_code, r.text)
        assert r.headers["content-type"] == "application/problem+json", (method, route)
        problem = r.json()
        assert {"type", "title", "status", "detail"} <= set(problem) and problem["status"] == status
        if status == 422:
            assert name in [e["field"] for e in problem["errors"]], (method, route, problem)
        elif status == 409:
            assert problem["rule"] == name, (method, route, problem)
        covered.add((method, _route_template(route)))

    assert await row_counts(container.engine()) == before, "a refused request wrote something"
    writes = {(m, p) for m, p in documented_routes(settings) if m in ("POST", "PUT", "PATCH", "DELETE")}
    writes -= {("POST", "/api/auth/logout")}  # has no input; see the test below
    assert writes - covered == set(), "write routes without a bad-input case"


async def test_logout_without_a_session_is_401(http):
    r = await http.post("/api/auth/logout")
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
