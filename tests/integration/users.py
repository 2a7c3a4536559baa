"""Test helpers that act like API users over HTTP."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

import httpx
from PIL import Image


@dataclass
class ApiUser:
    client: httpx.AsyncClient
    workspace_id: str
    user_id: str
    email: str

    def url(self, path: str) -> str:
        return f"/api/workspaces/{self.workspace_id}{path}"

    async def post(self, path: str, json=None, **kw) -> httpx.Response:
        return await self.client.post(self.url(path), json=json if json is not None else {}, **kw)

    async def get(self, path: str, **kw) -> httpx.Response:
        return await self.client.get(self.url(path), **kw)

    async def patch(self, path: str, json, **kw) -> httpx.Response:
        return await self.client.patch(self.url(path), json=json, **kw)

    async def put(self, path: str, json, **kw) -> httpx.Response:
        return await self.client.put(self.url(path), json=json, **kw)

    async def delete(self, path: str, **kw) -> httpx.Response:
        return await self.client.delete(self.url(path), **kw)

    async def channel(self, platform: str = "mastodon", handle: str | None = None) -> str:
        r = await self.post("/channels", {"platform": platform, "handle": handle or f"@{uuid.uuid4().hex[:8]}"})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    async def campaign(self, **fields) -> dict:
        r = await self.post("/campaigns", {"name": "Spring launch", **fields})
        assert r.status_code == 201, r.text
        return r.json()

    async def draft(self, channel_ids: list[str], text: str = "Hello from PostWizard", **fields) -> dict:
        r = await self.post("/posts", {"text": text, "channel_ids": channel_ids, **fields})
        assert r.status_code == 201, r.text
        return r.json()

    async def image(self, alt: str = "A blue square") -> dict:
        """Uploads a small PNG to the workspace's media; answers its record (with its `ref`)."""
        png = io.BytesIO()
        Image.new("RGB", (120, 80), (20, 120, 220)).save(png, "PNG")
        r = await self.client.post(self.url("/media"), files={"file": ("image.png", png.getvalue(), "image/png")},
                                   data={"alt": alt})
        assert r.status_code == 201, r.text
        return r.json()


async def sign_up(base_url: str, name: str = "Ann") -> ApiUser:
    """A new user with their own workspace, logged in (sign-up logs nobody in), holding a cookie
    session and the CSRF header."""
    client = httpx.AsyncClient(base_url=base_url, timeout=30)
    email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
    r = await client.post("/api/auth/signup", json={"email": email, "password": "correct horse battery",
                                                     "name": name, "workspace_name": f"{name}'s team"})
    assert r.status_code == 202, r.text
    r = await client.post("/api/auth/login", json={"email": email, "password": "correct horse battery"})
    assert r.status_code == 200, r.text
    body = r.json()
    client.headers["X-CSRF-Token"] = body["csrf_token"]
    return ApiUser(client, body["workspaces"][0]["id"], body["user"]["id"], email)
