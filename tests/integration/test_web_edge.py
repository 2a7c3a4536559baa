"""The web edge on the real app: security headers on every kind of response, HSTS only behind
HTTPS, gzip (but not on the caption stream), cache headers for the built UI, and 422 (never 500)
for numbers and dates outside what the database or the calendar can hold."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from entrypoints.api.app import create_app
from tests.integration.fake_openai import Reply
from tests.integration.ui_server import UI_BUILD, served_ui
from tests.integration.users import sign_up

COMMON = {"x-content-type-options": "nosniff", "x-frame-options": "DENY",
          "referrer-policy": "strict-origin-when-cross-origin", "cross-origin-opener-policy": "same-origin"}


@pytest.fixture(scope="module")
async def ui_url(container, settings) -> AsyncIterator[str]:
    async with served_ui(container, settings) as url:
        yield url


def _inline_script_hashes(html: str) -> set[str]:
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S | re.I)
    return {f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts}


def _directives(response: httpx.Response) -> dict[str, set[str]]:
    policy = response.headers["content-security-policy"]
    return {d.split()[0]: set(d.split()[1:]) for d in policy.split(";") if d.strip()}


def _immutable_asset() -> str:
    index = (UI_BUILD / "index.html").read_text()
    return re.search(r'(/_app/immutable/[^"]+\.js)"', index).group(1)


async def test_every_kind_of_response_carries_the_security_headers(ui_url):
    async with httpx.AsyncClient(base_url=ui_url) as http:
        responses = {path: await http.get(path) for path in (
            "/", "/calendar", "/favicon.svg", _immutable_asset(), "/health", "/api/platforms/rules", "/api/auth/me",
            "/api/no-such-route", "/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect", "/simulator/_docs",
            "/simulator/_openapi.json")}
        responses["POST /api/auth/login"] = await http.post("/api/auth/login", json={"email": "nope"})
    for path, r in responses.items():
        assert {k: r.headers.get(k) for k in COMMON} == COMMON, path
        assert _directives(r)["frame-ancestors"] == {"'none'"}, path
        assert "strict-transport-security" not in r.headers, path
    assert responses["/api/auth/me"].status_code == 401 and responses["POST /api/auth/login"].status_code == 422

    # The UI: this origin only, plus exactly the inline bootstrap script SvelteKit wrote into index.html.
    ui = _directives(responses["/"])
    index_hashes = _inline_script_hashes((UI_BUILD / "index.html").read_text())
    assert index_hashes and ui["script-src"] == {"'self'", *index_hashes}
    assert ui["default-src"] == ui["connect-src"] == {"'self'"} and ui["object-src"] == {"'none'"}
    assert _directives(responses["/calendar"]) == ui  # deep links get the same page and policy

    # JSON and problems: nothing may load or run.
    for path in ("/health", "/api/platforms/rules", "/api/auth/me", "/openapi.json", "/simulator/_openapi.json"):
        assert _directives(responses[path])["default-src"] == {"'none'"}, path

    # /docs and /redoc: swagger-ui and redoc from this origin (no internet needed), FastAPI's inline script by its hash.
    for path in ("/docs", "/simulator/_docs", "/redoc"):
        docs = _directives(responses[path])
        assert docs["script-src"] == {"'self'", *_inline_script_hashes(responses[path].text)}, path
        assert docs["connect-src"] == {"'self'"}
    assert len(_directives(responses["/docs"])["script-src"]) == 2  # one inline script, one hash


async def test_hsts_is_sent_only_when_cookies_are_secure(ui_url, container, settings):
    async with httpx.AsyncClient(base_url=ui_url) as http:
        assert "strict-transport-security" not in (await http.get("/health")).headers
    async with served_ui(container, settings, secure_cookies=True) as secure_url:
        async with httpx.AsyncClient(base_url=secure_url) as http:
            for path in ("/", "/health", "/api/auth/me", "/docs"):
                assert (await http.get(path)).headers["strict-transport-security"] == "max-age=31536000", path


async def test_large_responses_are_gzipped_and_small_ones_are_not(ui_url):
    async with httpx.AsyncClient(base_url=ui_url, headers={"Accept-Encoding": "gzip"}) as http:
        r = await http.get("/openapi.json")
        assert r.headers["content-encoding"] == "gzip" and "accept-encoding" in r.headers["vary"].lower()
        assert r.num_bytes_downloaded * 4 < len(r.content) and r.json()["info"]["title"] == "PostWizard"
        small = await http.get("/health")
        assert len(small.content) < 1024 and "content-encoding" not in small.headers
    async with httpx.AsyncClient(base_url=ui_url, headers={"Accept-Encoding": "identity"}) as http:
        assert "content-encoding" not in (await http.get("/openapi.json")).headers


async def test_hashed_ui_assets_are_cached_for_a_year_and_pages_are_revalidated(ui_url):
    async with httpx.AsyncClient(base_url=ui_url) as http:
        asset = await http.get(_immutable_asset())
        assert asset.status_code == 200 and asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        again = await http.get(_immutable_asset(), headers={"If-None-Match": asset.headers["etag"]})
        assert again.status_code == 304 and again.headers["cache-control"] == "public, max-age=31536000, immutable"
        for path in ("/", "/calendar", "/favicon.svg", "/_app/version.json"):
            r = await http.get(path)
            assert r.status_code == 200 and r.headers["cache-control"] == "no-cache", path
        assert "cache-control" not in (await http.get("/api/platforms/rules")).headers


async def test_the_caption_stream_is_not_compressed_and_arrives_as_it_is_written(base_url, fake_llm):
    ann = await sign_up(base_url)
    fake_llm.answer("Fresh bread at eight.", Reply("Warm rolls all day.", delay=1.5))
    arrivals: dict[str, float] = {}
    async with ann.client.stream("POST", ann.url("/captions/stream"), headers={"Accept-Encoding": "gzip"},
                                 json={"brief": {"topic": "Bakery"}, "platforms": ["mastodon", "bluesky"]}) as response:
        assert response.status_code == 200 and "content-encoding" not in response.headers
        event = None
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event in ("variants", "done"):
                arrivals.setdefault(f"{event}:{json.loads(line[6:]).get('platform', '')}", time.monotonic())
    # The first platform's captions reached the client while the model was still writing the second.
    assert arrivals["done:"] - arrivals["variants:mastodon"] > 1.0, arrivals


async def test_numbers_and_dates_out_of_range_answer_422_naming_the_field(base_url, settings):
    ann = await sign_up(base_url)
    channel = await ann.channel("mastodon")
    post = await ann.draft([channel])

    def refused(r: httpx.Response, field: str) -> None:
        assert r.status_code == 422, (field, r.status_code, r.text)
        assert r.headers["content-type"] == "application/problem+json" and r.json()["errors"][0]["field"] == field

    too_big = str(2**63)
    refused(await ann.get("/posts", params={"offset": too_big}), "offset")
    # Every integer query parameter of every route is bounded (a new one joins this test by itself).
    spec = create_app(None, settings, background=False, close_container=False).openapi()
    int_params = [(path, p["name"]) for path, ops in spec["paths"].items() for method, op in ops.items() if method == "get"
                  for p in op.get("parameters", []) if p["in"] == "query" and p["schema"].get("type") == "integer"]
    assert ("/api/workspaces/{workspace_id}/posts", "offset") in int_params
    for path, name in int_params:
        url = re.sub(r"{(\w+)}", lambda m: ann.workspace_id if m.group(1) == "workspace_id" else str(uuid.uuid4()), path)
        refused(await ann.client.get(url, params={name: too_big}), name)

    # 9999-12-31T20:00 in New York is 10000-01-01 in UTC; schedules end with the year 2100.
    new_york = {"timezone": "America/New_York"}
    refused(await ann.post("/posts", {"text": "x", "channel_ids": [channel], "schedule_at": "9999-12-31T20:00",
                                      **new_york}), "schedule_at")
    refused(await ann.post("/posts", {"text": "x", "channel_ids": [channel], "schedule_at": "2101-01-01T00:00",
                                      "timezone": "UTC"}), "schedule_at")
    refused(await ann.post(f"/posts/{post['id']}/schedule", {"at": "9999-12-31T20:00", **new_york}), "at")
    refused(await ann.post(f"/posts/{post['id']}/schedule", {"at": "9999-12-31T23:00-05:00", "timezone": "UTC"}), "at")
    refused(await ann.post(f"/posts/{post['id']}/schedule", {"at": "0001-01-01T01:00", "timezone": "Asia/Tokyo"}), "at")
    refused(await ann.post(f"/posts/{post['id']}/schedule", {"at": "2030-01-01T09:00", "timezone": "UTC"},
                           headers={"If-Match": '"' + "9" * 5000 + '"'}), "If-Match")

    # Calendar ranges at the ends of the calendar, where the UTC instant does not exist.
    refused(await ann.get("/calendar", params={"start": "0001-01-01T00:00:00+05:00", "end": "0001-02-01T00:00:00+05:00"}),
            "start")
    refused(await ann.get("/calendar", params={"start": "9999-12-30T00:00:00-05:00", "end": "9999-12-31T23:59:59-05:00"}),
            "end")
    ok = await ann.get("/calendar", params={"start": "9999-12-01T00:00:00Z", "end": "9999-12-31T23:59:59Z"})
    assert ok.status_code == 200 and ok.json() == []

    # Nothing was written; a sane schedule still works.
    assert (await ann.get(f"/posts/{post['id']}")).json()["status"] == "draft"
    r = await ann.post(f"/posts/{post['id']}/schedule", {"at": "2100-12-31T20:00", **new_york})
    assert r.status_code == 200 and r.json()["status"] == "scheduled", r.text

