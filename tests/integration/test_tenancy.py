"""Tenancy: a user of workspace B gets 404 for every id of workspace A, on every route."""

from __future__ import annotations

import re

from entrypoints.api.app import create_app
from tests.integration.snapshot import row_counts
from tests.integration.users import ApiUser, sign_up

# A valid body for each route, so that only tenancy can refuse the request.
BODIES = {
    ("PATCH", "/api/workspaces/{workspace_id}"): {"name": "Renamed"},
    ("PUT", "/api/workspaces/{workspace_id}/members/{user_id}"): {"role": "editor"},
    ("POST", "/api/workspaces/{workspace_id}/invitations"): {"email": "new@example.com", "role": "editor"},
    ("POST", "/api/workspaces/{workspace_id}/channels"): {"platform": "x", "handle": "@intruder"},
    ("POST", "/api/workspaces/{workspace_id}/campaigns"): {"name": "Intruder"},
    ("PATCH", "/api/workspaces/{workspace_id}/campaigns/{campaign_id}"): {"name": "Hijacked"},
    ("POST", "/api/workspaces/{workspace_id}/posts"): {"text": "x", "channel_ids": ["{own_channel}"]},
    ("PATCH", "/api/workspaces/{workspace_id}/posts/{post_id}"): {"text": "Hijacked"},
    ("PUT", "/api/workspaces/{workspace_id}/posts/{post_id}/variants/{channel_id}"): {"text": "Hijacked"},
    ("POST", "/api/workspaces/{workspace_id}/posts/{post_id}/schedule"): {"at": "2030-01-01T09:00", "timezone": "UTC"},
    ("POST", "/api/workspaces/{workspace_id}/posts/{post_id}/reschedule"): {"at": "2030-01-02T09:00", "timezone": "UTC"},
    ("POST", "/api/workspaces/{workspace_id}/posts/{post_id}/approve"): {"note": ""},
    ("POST", "/api/workspaces/{workspace_id}/posts/{post_id}/request-changes"): {"note": ""},
    ("POST", "/api/workspaces/{workspace_id}/posts/{post_id}/cancel"): {},
    ("POST", "/api/workspaces/{workspace_id}/posts/{post_id}/retry"): {"channel_id": "{channel_id}"},
    ("POST", "/api/workspaces/{workspace_id}/channels/connect"): {"platform": "mastodon", "instance_url": "example.social"},
    ("POST", "/api/workspaces/{workspace_id}/channels/app-password"): {"identifier": "a.bsky.social", "app_password": "x"},
    ("PATCH", "/api/workspaces/{workspace_id}/media/{ref}"): {"alt": "Hijacked"},
    ("POST", "/api/workspaces/{workspace_id}/captions"): {"brief": {"topic": "Ann's launch"}, "platforms": ["x"]},
    ("POST", "/api/workspaces/{workspace_id}/captions/stream"): {"brief": {"topic": "Ann's launch"},
                                                                 "platforms": ["x"]},
}
PARAMS = {"/api/workspaces/{workspace_id}/calendar": {"start": "2029-12-01T00:00:00Z", "end": "2030-02-01T00:00:00Z"}}


def documented_routes(settings) -> list[tuple[str, str]]:
    """Every route in the OpenAPI document, so a new route joins these tests by itself."""
    spec = create_app(None, settings, background=False, close_container=False).openapi()
    return sorted((method.upper(), path) for path, ops in spec["paths"].items() for method in ops)


def tenant_routes(settings) -> list[tuple[str, str]]:
    """Every route with an id in its path."""
    return [(m, p) for m, p in documented_routes(settings) if "{" in p]


async def _call(user: ApiUser, method: str, path: str, ids: dict[str, str]):
    url = re.sub(r"{(\w+)}", lambda m: ids[m.group(1)], path)
    body = BODIES.get((method, path))
    if body is not None:
        body = {k: [ids["own_channel"]] if v == ["{own_channel}"] else ids.get(str(v).strip("{}"), v)
                if isinstance(v, str) and v.startswith("{") else v for k, v in body.items()}
    kwargs = {"json": body} if method in ("POST", "PUT", "PATCH") else {}
    return await user.client.request(method, url, params=PARAMS.get(path), **kwargs)


async def _workspace_with_everything(base_url) -> tuple[ApiUser, dict[str, str]]:
    ann = await sign_up(base_url, "Ann")
    channel = await ann.channel("mastodon")
    campaign = await ann.campaign()
    post = await ann.draft([channel], "Ann's secret launch", campaign_id=campaign["id"],
                           schedule_at="2030-01-01T09:00", timezone="UTC")
    invitation = (await ann.post("/invitations", {"email": "carol@example.com", "role": "viewer"})).json()
    image = await ann.image()
    return ann, {"workspace_id": ann.workspace_id, "campaign_id": campaign["id"], "post_id": post["id"],
                 "channel_id": channel, "user_id": ann.user_id, "invitation_id": invitation["id"], "ref": image["ref"]}


async def test_every_route_answers_404_for_another_workspaces_ids(base_url, settings, container):
    ann, a_ids = await _workspace_with_everything(base_url)
    bob = await sign_up(base_url, "Bob")
    b_channel = await bob.channel("mastodon")
    routes = tenant_routes(settings)
    assert len(routes) >= 25
    before = await row_counts(container.engine())

    # 1. Bob names Ann's workspace: it does not exist for him.
    for method, path in routes:
        if not path.startswith("/api/workspaces/{workspace_id}"):
            continue
        r = await _call(bob, method, path, {**a_ids, "own_channel": b_channel})
        assert r.status_code == 404, (method, path, r.status_code, r.text)
        assert r.headers["content-type"] == "application/problem+json"

    # 2. Bob uses his own workspace with Ann's post, campaign, channel and user ids.
    mixed = {**a_ids, "workspace_id": bob.workspace_id, "own_channel": b_channel}
    for method, path in routes:
        own_only = set(re.findall(r"{(\w+)}", path)) == {"workspace_id"}
        if own_only or not path.startswith("/api/workspaces/{workspace_id}"):
            continue
        r = await _call(bob, method, path, mixed)
        assert r.status_code == 404, (method, path, r.status_code, r.text)
        assert "Ann" not in r.text and "secret" not in r.text

    # 3. Ids of Ann's inside Bob's bodies and filters are refused or find nothing.
    r = await bob.post("/posts", {"text": "x", "channel_ids": [a_ids["channel_id"]]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "channel_ids.0"
    r = await bob.post("/posts", {"text": "x", "channel_ids": [b_channel], "campaign_id": a_ids["campaign_id"]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "campaign_id"
    r = await bob.get("/calendar", params={**PARAMS["/api/workspaces/{workspace_id}/calendar"],
                                           "campaign_id": a_ids["campaign_id"]})
    assert r.status_code == 200 and r.json() == []
    assert (await bob.get("/posts")).json() == [] and (await bob.get("/campaigns")).json() == []
    r = await bob.post("/captions", {"brief": {"topic": "x"}, "platforms": ["x"], "campaign_id": a_ids["campaign_id"]})
    assert r.status_code == 404 and "secret" not in r.text  # Ann's brand voice stays hers

    assert await row_counts(container.engine()) == before  # nothing of Ann's (or Bob's) was written
    detail = (await ann.get(f"/posts/{a_ids['post_id']}")).json()
    assert detail["text"] == "Ann's secret launch" and detail["version"] == 2


async def test_invitation_token_of_another_email_is_refused(base_url):
    ann, _ = await _workspace_with_everything(base_url)
    r = await ann.post("/invitations", {"email": "carol@example.com", "role": "viewer"})
    token = r.json()["token"]
    bob = await sign_up(base_url, "Bob")
    r = await bob.client.post("/api/invitations/accept", json={"token": token})
    assert r.status_code == 409 and r.json()["rule"] == "invitation_email"
    assert (await bob.client.get(f"/api/workspaces/{ann.workspace_id}/posts")).status_code == 404


async def test_roles_are_enforced_for_invited_members(base_url):
    ann, ids = await _workspace_with_everything(base_url)
    viewer = await sign_up(base_url, "Vic")
    token = (await ann.post("/invitations", {"email": viewer.email, "role": "viewer"})).json()["token"]
    r = await viewer.client.post("/api/invitations/accept", json={"token": token})
    assert r.status_code == 200 and r.json()["role"] == "viewer"
    vic = ApiUser(viewer.client, ann.workspace_id, viewer.user_id, viewer.email)
    assert (await vic.get(f"/posts/{ids['post_id']}")).status_code == 200
    r = await vic.post("/campaigns", {"name": "Not allowed"})
    assert r.status_code == 403 and "viewer" in r.json()["detail"]
    r = await ann.put(f"/members/{viewer.user_id}", {"role": "editor"})
    assert r.status_code == 200 and r.json()["role"] == "editor"
    assert (await vic.post("/campaigns", {"name": "Now allowed"})).status_code == 201
    r = await ann.put(f"/members/{ann.user_id}", {"role": "viewer"})
    assert r.status_code == 409 and r.json()["rule"] == "last_owner"
