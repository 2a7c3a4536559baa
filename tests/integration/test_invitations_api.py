"""Pending invitations over HTTP: owners list them (who, role, invited by, expiry) and cancel one,
whose link then stops working; other roles and other workspaces cannot do either."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.integration.users import ApiUser, sign_up


async def _join(owner: ApiUser, base_url: str, name: str, role: str) -> ApiUser:
    someone = await sign_up(base_url, name)
    token = (await owner.post("/invitations", {"email": someone.email, "role": role})).json()["token"]
    assert (await someone.client.post("/api/invitations/accept", json={"token": token})).status_code == 200
    return ApiUser(someone.client, owner.workspace_id, someone.user_id, someone.email)


async def test_owners_list_pending_invitations_and_cancel_one(base_url):
    ann = await sign_up(base_url, "Ann")
    assert (await ann.get("/invitations")).json() == []
    bob = (await ann.post("/invitations", {"email": "Bob@Example.com", "role": "editor"})).json()
    cat = (await ann.post("/invitations", {"email": "cat@example.com", "role": "viewer"})).json()

    r = await ann.get("/invitations")
    assert r.status_code == 200
    listed = r.json()
    assert [(i["id"], i["email"], i["role"]) for i in listed] == [
        (bob["id"], "bob@example.com", "editor"), (cat["id"], "cat@example.com", "viewer")]
    assert all(i["invited_by_name"] == "Ann" and i["invited_by_email"] == ann.email for i in listed)
    expires = datetime.fromisoformat(listed[0]["expires_at"])
    assert timedelta(days=6, hours=23) < expires - datetime.now(timezone.utc) <= timedelta(days=7)
    assert "token" not in listed[0] and bob["token"] not in r.text

    r = await ann.delete(f"/invitations/{bob['id']}")
    assert r.status_code == 204
    assert [i["email"] for i in (await ann.get("/invitations")).json()] == ["cat@example.com"]
    assert (await ann.delete(f"/invitations/{bob['id']}")).status_code == 404  # gone
    bob_user = await sign_up(base_url, "Bob")
    r = await bob_user.client.post("/api/invitations/accept", json={"token": bob["token"]})
    assert r.status_code == 404  # the cancelled link no longer works


async def test_accepted_invitations_are_no_longer_pending_and_cannot_be_cancelled(base_url):
    ann = await sign_up(base_url, "Ann")
    dee = await sign_up(base_url, "Dee")
    invitation = (await ann.post("/invitations", {"email": dee.email, "role": "reviewer"})).json()
    assert (await dee.client.post("/api/invitations/accept", json={"token": invitation["token"]})).status_code == 200
    assert (await ann.get("/invitations")).json() == []
    assert (await ann.delete(f"/invitations/{invitation['id']}")).status_code == 404


async def test_only_owners_of_the_workspace_see_or_cancel_invitations(base_url):
    ann = await sign_up(base_url, "Ann")
    invitation = (await ann.post("/invitations", {"email": "eve@example.com", "role": "editor"})).json()
    editor = await _join(ann, base_url, "Ed", "editor")
    r = await editor.get("/invitations")
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    assert (await editor.delete(f"/invitations/{invitation['id']}")).status_code == 403

    bob = await sign_up(base_url, "Bob")  # another workspace's owner, with Ann's invitation id
    assert (await bob.delete(f"/invitations/{invitation['id']}")).status_code == 404
    assert (await bob.get("/invitations")).json() == []
    assert [i["id"] for i in (await ann.get("/invitations")).json()] == [invitation["id"]]


async def test_a_malformed_invitation_id_is_a_422_naming_it(base_url):
    ann = await sign_up(base_url, "Ann")
    r = await ann.delete("/invitations/not-an-id")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "invitation_id"
