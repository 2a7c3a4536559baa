"""The Queue and a post's detail in a real browser (Debian's Chromium through Playwright) against
`serve --demo` with its in-process publishing worker, where every platform is the simulator.

Journey 5 and the publish half of journey 4: sign up in the UI; (setup through the API, as the
composer is not built yet and the Channels screen is built in parallel) connect two Bluesky sandbox
accounts and schedule one post for both a few seconds ahead; make the simulator refuse the second
account's token with 401. In the UI: open the Queue, open the post, and watch without reloading as
one target turns published with a link and the other failed with the reason and "Reconnect this
channel"; reconnect (setup), press Retry, see it publish once. Each state is checked with axe-core
and saved as a screenshot, at 1280 px and at 390 px."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.integration.browser import (  # noqa: F401  (browser is a fixture)
    PASSWORD,
    RECORD_VIOLATIONS,
    browser,
    check_screen,
    new_email,
    sign_up,
    until,
)
from tests.integration.ui_server import served_demo

SECOND = "second.bsky.social"  # a second Bluesky sandbox identity, added to the simulator
APP_PASSWORD = "sandbox-app-password"
DUE_IN = 9  # seconds: time to look at the scheduled post before it goes out
WIDE, NARROW = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture(scope="module")
async def demo_url(settings, database) -> AsyncIterator[str]:
    async with served_demo(settings, database, worker=True) as url:
        yield url



class Setup:
    """What has no screen yet, done as a script would: the same user's own API session, and the simulator's control API."""

    def __init__(self, client: httpx.AsyncClient, workspace_id: str) -> None:
        self.client, self.ws = client, f"/api/workspaces/{workspace_id}"

    @classmethod
    async def log_in(cls, client: httpx.AsyncClient, email: str) -> Setup:
        r = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert r.status_code == 200, r.text
        client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return cls(client, r.json()["workspaces"][0]["id"])

    async def connect_bluesky(self, identifier: str) -> dict:
        r = await self.client.post(f"{self.ws}/channels/app-password",
                                   json={"identifier": identifier, "app_password": APP_PASSWORD})
        assert r.status_code == 201, r.text
        return r.json()

    async def schedule(self, text: str, channel_ids: list[str], at: datetime) -> dict:
        r = await self.client.post(f"{self.ws}/posts", json={
            "text": text, "channel_ids": channel_ids, "schedule_at": at.isoformat(), "timezone": "America/New_York"})
        assert r.status_code == 201, r.text
        return r.json()


def _targets(state: str) -> str:
    return f"document.querySelectorAll('[data-testid=post-target] [data-state={state}]').length"


async def test_watch_a_post_publish_fail_on_a_refused_token_and_retry_it(browser, demo_url):  # noqa: F811
    started = time.monotonic()
    email = new_email("queue")
    text = f"Summer menu is out {uuid.uuid4().hex[:6]}"
    # As watched_page, but in Paris: the zone shown must be the browser's, not the server's.
    context = await browser.new_context(viewport=WIDE, timezone_id="Europe/Paris")
    page = await context.new_page()
    await page.add_init_script(RECORD_VIOLATIONS)
    try:
        await sign_up(page, demo_url, name="Quinn", workspace="Quinn's queue", email=email)
        async with httpx.AsyncClient(base_url=demo_url, timeout=10) as client:
            setup = await Setup.log_in(client, email)
            control = "/simulator/_control"
            r = await client.post(f"{control}/accounts", json={"platform": "bluesky", "handle": SECOND,
                                                               "password": APP_PASSWORD})
            assert r.status_code == 200, r.text
            first = await setup.connect_bluesky("sandbox.bsky.social")
            second = await setup.connect_bluesky(SECOND)
            due = datetime.now(UTC) + timedelta(seconds=DUE_IN)
            post = await setup.schedule(text, [first["id"], second["id"]], due)
            # Journey 5: before the due time, the platform refuses the second account's token (401).
            r = await client.put(f"{control}/faults/bluesky", params={"handle": SECOND}, json={"auth_fail": True})
            assert r.status_code == 200, r.text

            # The Queue: the post is coming up, each channel queued, times in the browser's zone.
            await page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").click()
            await page.wait_for_url(re.compile(r"/queue$"))
            await page.get_by_role("heading", name="Queue", level=1).wait_for()
            upcoming = page.get_by_role("region", name=re.compile(r"^Coming up"))
            item = upcoming.get_by_test_id("queue-post").filter(has_text=text)
            await item.wait_for()
            assert await item.locator("[data-state=scheduled]").count() == 2
            assert "Europe/Paris" in await item.inner_text()
            await check_screen(page, "queue")
            await page.set_viewport_size(NARROW)
            await check_screen(page, "queue_390")
            await page.set_viewport_size(WIDE)

            # Filters live in the URL (a reload keeps them): no target has failed yet, none is published.
            filters = page.get_by_role("form", name="Filters")
            listed = page.get_by_test_id("queue-post").filter(has_text=text)  # in whichever section, by now
            await filters.get_by_label("State").select_option(label="Failed")
            await page.wait_for_url(re.compile(r"/queue\?state=failed$"))
            await page.get_by_text("No scheduled post matches these filters.").wait_for()
            await page.reload()
            assert await page.get_by_role("form", name="Filters").get_by_label("State").input_value() == "failed"
            await page.get_by_text("No scheduled post matches these filters.").wait_for()
            await check_screen(page, "queue_filtered")
            await page.get_by_role("link", name="Clear filters").click()
            await page.wait_for_url(re.compile(r"/queue$"))
            await listed.wait_for()
            await filters.get_by_label("Channel").select_option(label=f"Bluesky · {SECOND}")
            await page.wait_for_url(re.compile(r"/queue\?channel=[0-9a-f-]+$"))
            await listed.wait_for()
            await page.get_by_role("link", name="Clear filters").click()
            await page.wait_for_url(re.compile(r"/queue$"))

            # The post: scheduled, in the browser's zone and in the zone it was scheduled in.
            await listed.get_by_role("link", name=text).click()
            await page.wait_for_url(re.compile(rf"/posts/{post['id']}$"))
            await page.get_by_role("heading", name="Channels").wait_for()
            assert await page.evaluate(_targets("scheduled")) == 2
            summary = await page.locator(".summary").inner_text()
            assert "Europe/Paris" in summary and "America/New_York" in summary
            await page.get_by_test_id("post-history").get_by_text("scheduled it for").wait_for()
            await check_screen(page, "post_detail_scheduled")
            await page.evaluate("window.__sameDocument = true")  # gone if anything reloads the page

            # It goes out without a reload: one published with its link, one failed with the fix.
            await until(page, f"{_targets('published')} === 1 && {_targets('failed')} === 1", timeout=DUE_IN + 15)
            assert await page.evaluate("window.__sameDocument === true")
            ok = page.get_by_test_id("post-target").filter(has_text="sandbox.bsky.social")
            link = ok.get_by_role("link", name=re.compile("View the post on Bluesky"))
            assert (await link.get_attribute("href") or "").startswith("http")
            refused = page.get_by_test_id("post-target").filter(has_text=SECOND)
            failure = await refused.get_by_test_id("target-failure").inner_text()
            assert "refused the channel’s access" in failure and "Reconnect this channel" in failure, failure
            await page.get_by_role("status").filter(has_text="Failed").wait_for(state="attached")  # announced
            await page.get_by_text("Waiting for you: a channel failed.").wait_for()
            await check_screen(page, "post_detail_failed")
            await page.set_viewport_size(NARROW)
            await check_screen(page, "post_detail_failed_390")
            await page.set_viewport_size(WIDE)

            # The user reconnects (setup: same account, same channel) and retries in the UI: it goes out.
            await client.delete(f"{control}/faults")
            assert (await setup.connect_bluesky(SECOND))["id"] == second["id"]
            await refused.get_by_role("button", name=re.compile("^Retry now")).click()
            await until(page, f"{_targets('published')} === 2", timeout=15)
            assert await page.evaluate("window.__sameDocument === true")
            history = page.get_by_test_id("post-history")
            await history.get_by_text(f"retried Bluesky · {SECOND}").wait_for()
            await history.get_by_text(f"published it on Bluesky · {SECOND}").wait_for()
            assert await page.get_by_role("button", name=re.compile("^Retry now")).count() == 0
            await page.get_by_text("Nothing left to wait for.").wait_for()
            await check_screen(page, "post_detail_published")
            await page.set_viewport_size(NARROW)
            await check_screen(page, "post_detail_published_390")
            await page.emulate_media(color_scheme="dark")
            await check_screen(page, "post_detail_published_390_dark")

            # Exactly once on each account.
            posted = [p for p in (await client.get(f"{control}/posts")).json() if p["text"] == text]
            assert sorted(p["handle"] for p in posted) == sorted(["sandbox.bsky.social", SECOND]), posted
    finally:
        await context.close()
    assert time.monotonic() - started < 40
