"""The journeys of product.md (1, 2, 3, 5 and the publish half of 4) walked end to end in one browser
session: Debian's Chromium through Playwright against `serve --demo` with its publishing worker, where
every platform is the simulator. The test drives only the UI (PostWizard's screens, the simulator's
consent page and its Sandbox controls page); it makes no API call of its own. The browser runs in
America/New_York, so the user's zone, the server's UTC and the wall times all differ.

1. Sign up (which creates the workspace); connect Mastodon through the simulated instance's OAuth
   consent page and Bluesky with an app password.
2. Create a campaign with a brand voice; open the Composer from it, have the AI (the fake model) write
   captions, use one per platform and see each counter fit; schedule two minutes ahead.
3. See the post on the Calendar; drag it to a later hour; see the new time on the calendar, in the
   Queue and on the post's detail, and, logged in from a browser in Paris, in both zones.
5 and 4. Refuse the Mastodon account's token on the Sandbox controls page; reschedule the post to a
   few seconds ahead on its detail; watch, without a reload, Bluesky turn published with a link and
   Mastodon failed with "Reconnect this channel"; accept the token again, reconnect on Channels,
   press Retry, and see it published once, its link opening the post on the instance.
Each screen is checked with axe-core and CSP and saved as a screenshot, at 1280 px and some at 390 px."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from playwright.async_api import Locator, Page

from tests.integration import fake_openai
from tests.integration.browser import (
    NARROW,
    PASSWORD,
    RECORD_VIOLATIONS,
    SCREENSHOTS,
    WIDE,
    browser,
    check_screen,
    new_email,
    sign_up,
    until,
)
from tests.integration.ui_server import served_demo

__all__ = ["browser"]  # the shared fixture, imported for pytest

ZONE = "America/New_York"
DUE_IN = 8  # seconds: the reschedule that sends the post out, leaving time to see it scheduled
MASTODON, BLUESKY = "Mastodon · sandbox", "Bluesky · sandbox.bsky.social"  # the Sandbox controls' accounts


@pytest.fixture(scope="module")
async def demo_url(settings, database) -> AsyncIterator[str]:
    async with served_demo(settings, database, worker=True) as url:
        yield url


def _nav(page: Page, name: str):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


def _count(selector: str) -> str:
    return f"document.querySelectorAll({selector!r}).length"


def _targets(state: str) -> str:
    return _count(f"[data-testid=post-target] [data-state={state}]")


async def check_wide_and_narrow(page: Page, name: str) -> None:
    """check_screen at 1280 px and at 390 px, where nothing may scroll sideways."""
    await check_screen(page, name)
    await page.set_viewport_size(NARROW)
    await check_screen(page, f"{name}_390")
    assert await page.evaluate("document.documentElement.scrollWidth <= 390"), name
    await page.set_viewport_size(WIDE)


def _formatted(at: datetime, *, seconds: bool = False) -> str:
    """As the UI writes an instant in en-US: "Dec 1, 2026, 9:05 AM EST (America/New_York)"."""
    at = at.astimezone(ZoneInfo(ZONE))
    clock = at.strftime("%-I:%M:%S %p" if seconds else "%-I:%M %p")
    return f"{at:%b} {at.day}, {at.year}, {clock} {at:%Z} ({ZONE})"


async def connect_channels(page: Page) -> None:
    """Journey 1: Mastodon through the instance's consent page, Bluesky with an app password."""
    await _nav(page, "Channels").click()
    await page.wait_for_url(re.compile(r"/channels$"))
    await page.get_by_test_id("channels-empty").wait_for()
    await check_screen(page, "journey_channels_empty")
    mastodon = page.get_by_role("form", name="Mastodon")
    await mastodon.get_by_label("Instance").fill("sandbox.social")
    await mastodon.get_by_role("button", name="Connect Mastodon").click()
    await page.get_by_role("heading", name="Authorization required").wait_for()
    await check_screen(page, "journey_mastodon_consent")
    await page.get_by_role("button", name="Authorize").click()
    await page.wait_for_url(re.compile(r"/channels"))
    await page.get_by_test_id("channel").filter(has_text="Mastodon").wait_for()
    bluesky = page.get_by_role("form", name="Bluesky")
    await bluesky.get_by_label("Handle or email").fill("sandbox.bsky.social")
    await bluesky.get_by_label("App password").fill("sandbox-app-password")
    await bluesky.get_by_role("button", name="Connect Bluesky").click()
    await until(page, f"{_count('[data-testid=channel]')} === 2")
    await check_wide_and_narrow(page, "journey_channels")


async def create_campaign(page: Page, name: str) -> None:
    """Journey 2, first half: a campaign whose brand voice the AI is to follow."""
    await _nav(page, "Campaigns").click()
    await page.wait_for_url(re.compile(r"/campaigns$"))
    await page.get_by_role("button", name="Create your first campaign").click()
    form = page.get_by_role("region", name="New campaign")
    await form.get_by_label("Name").fill(name)
    await form.get_by_label("Objective").fill("Fill the tables on winter evenings")
    await form.get_by_role("button", name="Create campaign").click()
    await page.get_by_role("heading", level=1, name=name).wait_for()
    await page.get_by_label("Tone").fill("cosy, warm, inviting")
    keywords = page.get_by_role("textbox", name="Keywords", exact=True)
    await keywords.fill("hearty soup")
    await keywords.press("Enter")
    await page.get_by_role("button", name="Save changes").click()
    await page.get_by_role("status").filter(has_text="Changes saved.").wait_for()
    await check_screen(page, "journey_campaign")


def _counter(page: Page, platform: str):
    return page.get_by_test_id("compose-counter").filter(has_text=platform)


async def compose_and_schedule(page: Page, campaign: str, text: str, fake_llm) -> datetime:
    """Journey 2, second half: AI captions in the campaign's voice, one per platform, scheduled two
    minutes ahead in the user's zone. Answers the wall time it was scheduled for."""
    await page.get_by_role("region", name="Posts").get_by_role("link", name="Write one").click()  # from the campaign
    await page.wait_for_url(re.compile(r"/compose\?campaign=[0-9a-f-]{36}$"))
    await until(page, f"{_count('[data-testid=compose-counter]')} === 2")
    picked = page.get_by_label(re.compile(r"^Campaign"))
    assert await picked.evaluate("select => select.selectedOptions[0].textContent") == campaign
    await page.get_by_role("textbox", name="Base text").fill(text)

    ai = page.get_by_role("region", name="Write with AI")
    await ai.get_by_label("Topic").fill("our winter soup evenings")
    await ai.get_by_role("button", name="Write captions").click()
    await until(page, f"{_count('[data-testid=compose-ai-variant]')} === 2")
    assert "hearty soup" in fake_llm.prompts()[0] and "cosy, warm, inviting" in fake_llm.prompts()[0]
    await ai.get_by_role("button", name=re.compile(r"^Use for sandbox@")).click()
    await ai.get_by_role("button", name="Use for sandbox.bsky.social").click()
    for platform, limit in (("Mastodon", 500), ("Bluesky", 300)):
        counter = _counter(page, platform)
        await counter.filter(has_text="(variant)").wait_for()
        assert f" / {limit}" in await counter.inner_text()
    assert await page.get_by_test_id("compose-over").count() == 0  # every variant fits its platform

    when = (datetime.now(UTC) + timedelta(minutes=2)).astimezone(ZoneInfo(ZONE)).replace(second=0, microsecond=0)
    await page.get_by_label(re.compile(r"^Publish at")).fill(when.strftime("%Y-%m-%dT%H:%M"))
    utc = await page.get_by_test_id("compose-utc").inner_text()
    assert when.astimezone(UTC).strftime("%-I:%M %p UTC") in utc, utc
    await check_wide_and_narrow(page, "journey_compose")

    await page.get_by_role("button", name="Schedule").click()
    await page.wait_for_url(re.compile(r"/posts/[0-9a-f-]{36}$"))
    await until(page, f"{_targets('scheduled')} === 2")
    await page.get_by_text(f"Scheduled for {_formatted(when, seconds=True)}").wait_for()
    await page.get_by_test_id("post-history").get_by_text(f"scheduled it for {_formatted(when)}").wait_for()
    return when


async def drag_on_calendar(page: Page, when: datetime) -> datetime:
    """Journey 3: the post on the calendar, both its channels dragged to an hour later (on the day
    view; to the next day on the month view when that hour is tomorrow). Answers the new wall time."""
    await _nav(page, "Calendar").click()
    await page.get_by_test_id("calendar-month").wait_for()
    day = page.locator(f"td[data-date='{when:%Y-%m-%d}']")
    await until(page, _count(f"td[data-date='{when:%Y-%m-%d}'] [data-testid=calendar-entry]") + " === 2")
    assert await page.get_by_test_id("calendar-zone").inner_text() == ZONE
    await check_screen(page, "journey_calendar_month")

    later = when + timedelta(hours=1)
    if later.date() == when.date():
        await page.get_by_role("navigation", name="Calendar view").get_by_role("link", name="Day").click()
        await page.wait_for_url(re.compile(r"view=day"))
        source = page.locator(f"td[data-slot='{when:%Y-%m-%d} {when.hour}']")
        target = page.locator(f"td[data-slot='{later:%Y-%m-%d} {later.hour}']")
    else:
        later = when + timedelta(days=1)
        source, target = day, page.locator(f"td[data-date='{later:%Y-%m-%d}']")
    toast = page.get_by_test_id("calendar-toast")
    for platform in ("Mastodon", "Bluesky"):
        await source.get_by_test_id("calendar-entry").filter(has_text=platform).drag_to(target)
        await target.get_by_test_id("calendar-entry").filter(has_text=platform).wait_for()
        await toast.filter(has_text=f"Moved to {_formatted(later)}.").wait_for()
    assert await source.get_by_test_id("calendar-entry").count() == 0
    await check_wide_and_narrow(page, "journey_calendar_after_drag")
    return later


async def seen_from_paris(browser, url: str, email: str, post_url: str, at: datetime) -> None:  # noqa: F811
    """The same user on a laptop in Paris: the post's time in Paris, and in the zone it was scheduled in."""
    context = await browser.new_context(viewport=WIDE, timezone_id="Europe/Paris", locale="en-US")
    await context.add_init_script(RECORD_VIOLATIONS)
    paris = await context.new_page()
    try:
        await paris.goto(f"{url}/login")
        await paris.get_by_label("Email").fill(email)
        await paris.get_by_label("Password").fill(PASSWORD)
        await paris.locator("form").get_by_role("button", name="Log in").click()
        await paris.get_by_role("navigation", name="Main").wait_for(timeout=15_000)
        await paris.goto(post_url)
        in_paris = at.astimezone(ZoneInfo("Europe/Paris"))
        clock = in_paris.strftime("%-I:%M:%S %p")
        await paris.get_by_text(f"Scheduled for {in_paris:%b} {in_paris.day}, {in_paris.year}, {clock} "
                                f"{in_paris:%Z} (Europe/Paris) ({_formatted(at, seconds=True)}, the zone it was scheduled in)").wait_for()
        await check_screen(paris, "journey_post_seen_from_paris")
    finally:
        await context.close()


async def filter_the_queue(page: Page, item: Locator) -> None:
    """The Queue's filters live in the URL (a reload keeps them): nothing has failed yet; by channel the post shows."""
    filters = page.get_by_role("form", name="Filters")
    await filters.get_by_label("State").select_option(label="Failed")
    await page.wait_for_url(re.compile(r"/queue\?state=failed$"))
    await page.get_by_text("No scheduled post matches these filters.").wait_for()
    await page.reload()
    assert await page.get_by_role("form", name="Filters").get_by_label("State").input_value() == "failed"
    await page.get_by_text("No scheduled post matches these filters.").wait_for()
    await check_screen(page, "journey_queue_filtered")
    await page.get_by_role("link", name="Clear filters").click()
    await page.wait_for_url(re.compile(r"/queue$"))
    await item.wait_for()
    await filters.get_by_label("Channel").select_option(label=BLUESKY)
    await page.wait_for_url(re.compile(r"/queue\?channel=[0-9a-f-]+$"))
    await item.wait_for()
    await page.get_by_role("link", name="Clear filters").click()
    await page.wait_for_url(re.compile(r"/queue$"))


async def test_journeys_from_sign_up_to_a_retried_publish(browser, demo_url, database, fake_llm):  # noqa: F811
    started = time.monotonic()
    context = await browser.new_context(viewport=WIDE, timezone_id=ZONE, locale="en-US")
    await context.add_init_script(RECORD_VIOLATIONS)
    page = await context.new_page()
    text = f"Soup season at the corner café {uuid.uuid4().hex[:6]}"
    try:
        email = new_email("journeys")
        await sign_up(page, demo_url, name="Jo", workspace="Jo's café", email=email)
        await connect_channels(page)
        await create_campaign(page, "Winter evenings")
        when = await compose_and_schedule(page, "Winter evenings", text, fake_llm)
        later = await drag_on_calendar(page, when)

        # The new time everywhere: the Queue and the post's detail say it, in the user's zone.
        await _nav(page, "Queue").click()
        await page.wait_for_url(re.compile(r"/queue$"))
        item = page.get_by_role("region", name=re.compile(r"^Coming up")).get_by_test_id("queue-post").filter(has_text=text)
        await item.filter(has_text=f"Goes out {_formatted(later)}").wait_for()
        await check_wide_and_narrow(page, "journey_queue")
        await filter_the_queue(page, item)
        await item.get_by_role("link", name=text).click()
        await page.wait_for_url(re.compile(r"/posts/[0-9a-f-]{36}$"))
        await page.get_by_text(f"Scheduled for {_formatted(later, seconds=True)}").wait_for()
        assert await page.get_by_test_id("post-target").filter(has_text=f"Goes out {_formatted(later, seconds=True)}").count() == 2
        await seen_from_paris(browser, demo_url, email, page.url, later)

        # Journey 5: on the simulator's Sandbox controls (another tab), Mastodon refuses the account's token.
        sandbox = await context.new_page()
        await sandbox.goto(f"{demo_url}/simulator/_sandbox")
        await sandbox.get_by_role("form", name=MASTODON).get_by_role("button", name=re.compile("^Refuse")).click()
        await sandbox.get_by_role("form", name=MASTODON).get_by_role("button", name="Accept again").wait_for()
        assert await sandbox.get_by_role("form", name=BLUESKY).get_attribute("data-state") == "accepted"
        await sandbox.set_viewport_size(WIDE)
        await check_wide_and_narrow(sandbox, "journey_sandbox_controls")

        # Journey 4's publish half: rescheduled a few seconds ahead on the detail, it goes out without a reload.
        await page.bring_to_front()
        soon = (datetime.now(UTC) + timedelta(seconds=DUE_IN)).astimezone(ZoneInfo(ZONE)).replace(microsecond=0)
        await page.get_by_label(re.compile(r"^Publish at")).fill(soon.strftime("%Y-%m-%dT%H:%M:%S"))
        await page.get_by_role("button", name="Reschedule").click()
        await page.get_by_role("status").filter(has_text=f"Moved to {_formatted(soon, seconds=True)}.").wait_for()
        await page.get_by_text(f"Scheduled for {_formatted(soon, seconds=True)}").wait_for()
        await check_screen(page, "journey_post_rescheduled")
        await page.evaluate("window.__sameDocument = true")  # gone if anything reloads the page
        await until(page, f"{_targets('published')} === 1 && {_targets('failed')} === 1", timeout=DUE_IN + 20)
        assert await page.evaluate("window.__sameDocument === true")
        published = page.get_by_test_id("post-target").filter(has_text="Bluesky")
        link = published.get_by_role("link", name=re.compile("View the post on Bluesky"))
        assert (await link.get_attribute("href") or "").startswith("http")
        refused = page.get_by_test_id("post-target").filter(has_text="Mastodon")
        failure = await refused.get_by_test_id("target-failure").inner_text()
        assert "Reconnect this channel" in failure, failure
        await page.get_by_role("status").filter(has_text="Failed").wait_for(state="attached")  # announced
        await page.get_by_text("Waiting for you: a channel failed.").wait_for()
        await check_wide_and_narrow(page, "journey_post_failed")

        # The user sets things right on the platform, then reconnects the channel on Channels.
        await sandbox.bring_to_front()
        await sandbox.get_by_role("form", name=MASTODON).get_by_role("button", name="Accept again").click()
        await sandbox.get_by_role("form", name=MASTODON).get_by_role("button", name=re.compile("^Refuse")).wait_for()
        await sandbox.close()
        post_url = page.url
        await _nav(page, "Channels").click()
        card = page.get_by_test_id("channel").filter(has_text="Mastodon")
        await card.get_by_test_id("channel-advice").wait_for()
        await check_screen(page, "journey_channels_reconnect")
        await card.get_by_role("button", name="Reconnect").click()
        await page.get_by_role("button", name="Authorize").click()
        await page.wait_for_url(re.compile(r"/channels"))
        await page.get_by_test_id("channels-notice").filter(has_text="Connected").wait_for()
        assert await card.get_by_test_id("channel-advice").count() == 0

        # Back on the post, Retry: it goes out once, and its link opens the post on the instance.
        await page.goto(post_url)
        refused = page.get_by_test_id("post-target").filter(has_text="Mastodon")
        await refused.get_by_role("button", name=re.compile("^Retry now")).click()
        await until(page, f"{_targets('published')} === 2", timeout=15)
        history = page.get_by_test_id("post-history")
        await history.get_by_text("retried Mastodon").wait_for()
        await history.get_by_text("published it on Mastodon").wait_for()
        assert await history.get_by_text("published it on Mastodon").count() == 1
        assert await page.get_by_role("button", name=re.compile("^Retry now")).count() == 0
        await page.get_by_text("Nothing left to wait for.").wait_for()

        # The post's numbers: likes raised on the platforms, "Refresh now" shows them without a reload.
        engagement = page.get_by_test_id("post-engagement")
        await engagement.wait_for()
        async with httpx.AsyncClient(base_url=f"{demo_url}/simulator/_control") as control:
            for posted in (await control.get("/posts")).json():
                await control.post(f"/posts/{posted['platform']}/{posted['remote_id']}/counters", json={"likes": 12})
        await page.evaluate("window.__sameDocument = true")
        await engagement.get_by_role("button", name="Refresh now").click()
        await until(page, "[...document.querySelectorAll('[data-testid=engagement-row] [data-metric=likes]')]"
                          ".map((cell) => cell.textContent.trim()).join() === '12,12'", timeout=15)
        assert await page.evaluate("window.__sameDocument === true")
        await check_wide_and_narrow(page, "journey_post_published")
        await page.emulate_media(color_scheme="dark")
        await check_screen(page, "journey_post_published_dark")
        await page.set_viewport_size(NARROW)
        await check_screen(page, "journey_post_published_390_dark")
        await page.set_viewport_size(WIDE)

        # More likes, read by the worker's next poll (made due now): the numbers change as it stores
        # them, pushed over /api/events, with no click and no reload.
        async with httpx.AsyncClient(base_url=f"{demo_url}/simulator/_control") as control:
            for posted in (await control.get("/posts")).json():
                await control.post(f"/posts/{posted['platform']}/{posted['remote_id']}/counters", json={"likes": 15})
        post_id = page.url.rsplit("/", 1)[-1]
        async with await psycopg.AsyncConnection.connect(database.libpq_url(), autocommit=True) as conn:
            await conn.execute("UPDATE engagement_targets SET next_poll_at = now() WHERE post_id = %s", (post_id,))
        await until(page, "[...document.querySelectorAll('[data-testid=engagement-row] [data-metric=likes]')]"
                          ".map((cell) => cell.textContent.trim()).join() === '15,15'", timeout=12)
        assert await page.evaluate("window.__sameDocument === true")
        async with context.expect_page() as opened:
            await refused.get_by_role("link", name=re.compile("View the post on Mastodon")).click()
        remote = await opened.value
        await remote.get_by_text(fake_openai.Reply().content).wait_for()  # Mastodon's variant, the AI's caption
    except Exception:
        await page.screenshot(path=str(SCREENSHOTS / "journey_failed_here.png"), full_page=True)  # where it stopped
        raise
    finally:
        await context.close()
    assert time.monotonic() - started < 120
