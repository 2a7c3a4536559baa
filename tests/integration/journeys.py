"""Connecting sandbox channels through the simulator the way a browser does."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urljoin, urlparse

import httpx

from tests.integration.users import ApiUser


async def approve_consent(authorization_url: str, handle: str | None = None) -> str:
    """Open the platform's consent page, pick the sandbox account, approve; returns the callback URL."""
    async with httpx.AsyncClient(timeout=10) as browser:
        page = await browser.get(authorization_url)
        assert page.status_code == 200, page.text
        form = re.search(r'<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>', page.text, re.S | re.I)
        assert form, "the consent page has no form"
        action = urljoin(authorization_url, form.group(1).replace("&amp;", "&")) if form.group(1) else authorization_url
        fields = {}
        for tag in re.findall(r"<(?:input|button)[^>]*>", form.group(2), re.I):
            name = re.search(r'name="([^"]+)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            kind = re.search(r'type="([^"]+)"', tag)
            if not name:
                continue
            if kind and kind.group(1).lower() == "radio":
                if handle is None and name.group(1) in fields:
                    continue
                if handle is not None and value and handle not in value.group(1):
                    continue
            if tag.lower().startswith("<button") and value and value.group(1).lower() not in (
                    "approve", "authorize", "allow", "yes", "true", "1"):
                continue
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
        answer = await browser.post(action, data=fields)
        assert answer.status_code in (302, 303), answer.text[:500]
        return answer.headers["location"]


async def connect_oauth(user: ApiUser, platform: str, instance_url: str | None = None) -> dict:
    r = await user.post("/channels/connect", {"platform": platform, "instance_url": instance_url})
    assert r.status_code == 200, r.text
    callback = await approve_consent(r.json()["authorization_url"])
    assert parse_qs(urlparse(callback).query).get("code"), callback
    landed = await user.client.get(callback)
    assert landed.status_code == 303, landed.text
    connected = parse_qs(urlparse(landed.headers["location"]).query)
    assert "connected" in connected, landed.headers["location"]
    channels = (await user.get("/channels")).json()
    return next(c for c in channels if c["id"] == connected["connected"][0])


async def connect_bluesky(user: ApiUser, identifier: str = "sandbox.bsky.social",
                          password: str = "sandbox-app-password") -> dict:
    r = await user.post("/channels/app-password", {"identifier": identifier, "app_password": password})
    assert r.status_code == 201, r.text
    return r.json()
