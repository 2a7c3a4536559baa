"""The Calendar (issue 10 item 3) in a real browser (Debian's Chromium through Playwright) against
`serve --demo`: sign up, connect a Bluesky sandbox account on Channels, write and schedule two posts in the
Composer, see both on the month view on their day with the zone named, switch to week and list views,
filter by channel (kept in the URL), drag one post to another day, see its new time on the post's detail,
come back and Undo, and see it back on its day. The browser runs in Europe/Berlin. The test drives only
the UI; it makes no API call of its own."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.async_api import Page

from tests.integration.browser import (
    NARROW,
    RECORD_VIOLATIONS,
    WIDE,
    browser,
    check_screen,
    connect_bluesky,
    demo_url,
    new_email,
    sign_up,
    until,
)

__all__ = ["browser", "demo_url"]  # the shared fixtures, imported for pytest

ZONE = "Europe/Berlin"


async def schedule_post(page: Page, text: str, when: datetime) -> str:
    """Write and schedule a post in the Composer; answers its id (from the detail page it lands on)."""
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Compose").click()
    await page.wait_for_url(re.compile(r"/compose$"))
    await until(page, "document.querySelectorAll('[data-testid=compose-counter]').length === 1")
    await page.get_by_role("textbox", name="Base text").fill(text)
    await page.get_by_label(re.compile(r"^Publish at")).fill(when.strftime("%Y-%m-%dT%H:%M"))
    await page.get_by_role("button", name="Schedule").click()
    await page.wait_for_url(re.compile(r"/posts/[0-9a-f-]{36}$"))
    return page.url.rsplit("/", 1)[1]


def cell(page: Page, day: datetime):
    return page.locator(f"td[data-date='{day:%Y-%m-%d}']")


async def open_calendar_on(page: Page, day: datetime) -> None:
    """Calendar from the nav; Next month until `day`'s month shows."""
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar").click()
    await page.wait_for_url(re.compile(r"/calendar"))
    await page.get_by_test_id("calendar-month").wait_for()
    title = f"{day:%B %Y}"
    if await page.get_by_test_id("calendar-title").inner_text() != title:
        await page.get_by_role("link", name="Next month").click()
        await page.get_by_test_id("calendar-title").filter(has_text=title).wait_for()


async def test_calendar_views_filter_drag_and_undo(browser, demo_url):
    started = time.monotonic()
    context = await browser.new_context(timezone_id=ZONE, locale="en-US")
    page = await context.new_page()
    await page.add_init_script(RECORD_VIOLATIONS)
    await page.set_viewport_size(WIDE)
    try:
        await sign_up(page, demo_url, name="Dana", workspace="Dana's bakery", email=new_email("calendar"))
        await connect_bluesky(page)
        await until(page, "document.querySelectorAll('[data-testid=channel]').length === 1")

        # Two posts on the same day, two days ahead, at 10:00 and 15:00 Berlin time.
        day = (datetime.now(UTC) + timedelta(days=2)).astimezone(ZoneInfo(ZONE))
        morning = day.replace(hour=10, minute=0, second=0, microsecond=0)
        afternoon = day.replace(hour=15, minute=0, second=0, microsecond=0)
        first = await schedule_post(page, "Fresh croissants every morning this week", morning)
        await schedule_post(page, "Afternoon tea and cakes at the bakery", afternoon)
        # The day it is dragged to: the next day when it is in the same month, else the one before.
        other = morning + timedelta(days=1) if (morning + timedelta(days=1)).month == morning.month else morning - timedelta(days=1)

        # Month view: both posts on their day, in time order, the zone named.
        await open_calendar_on(page, morning)
        assert await page.get_by_test_id("calendar-zone").inner_text() == ZONE
        entries = cell(page, morning).get_by_test_id("calendar-entry")
        await until(page, f"document.querySelectorAll(\"td[data-date='{morning:%Y-%m-%d}'] [data-testid=calendar-entry]\").length === 2")
        texts = await entries.all_inner_texts()
        assert "10:00 AM" in texts[0] and "Queued" in texts[0] and "croissants" in texts[0]
        assert "03:00 PM" in texts[1] and "Afternoon tea" in texts[1]
        assert re.search(r"view=month&date=\d{4}-\d{2}-\d{2}", page.url)
        await check_screen(page, "calendar_month")

        # Week view: the week with both posts, in their hour rows; list view: the day with both.
        await page.get_by_role("navigation", name="Calendar view").get_by_role("link", name="Week").click()
        await page.wait_for_url(re.compile(r"view=week"))
        await page.get_by_test_id("calendar-hours").wait_for()
        await page.locator(f"td[data-slot='{morning:%Y-%m-%d} 10'] [data-testid=calendar-entry]").wait_for()
        await page.locator(f"td[data-slot='{morning:%Y-%m-%d} 15'] [data-testid=calendar-entry]").wait_for()
        await check_screen(page, "calendar_week")
        await page.get_by_role("navigation", name="Calendar view").get_by_role("link", name="List").click()
        await page.wait_for_url(re.compile(r"view=list"))
        agenda = page.get_by_test_id("calendar-list")
        await agenda.get_by_role("heading", name=re.compile(f"{morning:%B} {morning.day}, {morning.year}")).wait_for()
        assert await agenda.get_by_test_id("calendar-entry").count() == 2
        await check_screen(page, "calendar_list")

        # Filters live in the URL: the Bluesky channel keeps both; Failed keeps none and says so.
        await page.get_by_label("Channel").select_option(label="Bluesky · sandbox.bsky.social")
        await page.wait_for_url(re.compile(r"channel=[0-9a-f-]{36}"))
        assert await agenda.get_by_test_id("calendar-entry").count() == 2
        await page.get_by_label("State").select_option("failed")
        await page.get_by_test_id("calendar-empty").wait_for()
        await page.go_back()
        await page.wait_for_url(re.compile(r"channel=[0-9a-f-]{36}$"))
        await until(page, "document.querySelectorAll('[data-testid=calendar-entry]').length === 2")

        # Month again (the filter kept); drag the morning post to another day: same wall-clock time there.
        await page.get_by_role("navigation", name="Calendar view").get_by_role("link", name="Month").click()
        await page.wait_for_url(re.compile(r"view=month.*channel="))
        await cell(page, morning).get_by_test_id("calendar-entry").filter(has_text="croissants").drag_to(cell(page, other))
        toast = page.get_by_test_id("calendar-toast")
        await toast.filter(has_text="Moved to").wait_for()
        assert f"{other:%b} {other.day}, {other.year}" in await toast.inner_text()
        assert ZONE in await toast.inner_text()
        await cell(page, other).get_by_test_id("calendar-entry").filter(has_text="croissants").wait_for()
        assert await cell(page, morning).get_by_test_id("calendar-entry").count() == 1
        await check_screen(page, "calendar_after_drag")

        # The post's detail shows the new time.
        await cell(page, other).get_by_test_id("calendar-entry").filter(has_text="croissants").click()
        await page.wait_for_url(re.compile(f"/posts/{first}$"))
        await page.get_by_text(re.compile(re.escape(f"{other:%b} {other.day}, {other.year}, 10:00:00 AM {other:%Z} ({ZONE})"))).first.wait_for()

        # Back on the calendar, Undo puts it back on its day.
        await page.go_back()
        await page.get_by_test_id("calendar-month").wait_for()
        await toast.get_by_role("button", name="Undo").click()
        await toast.filter(has_text="Moved back to").wait_for()
        await until(page, f"document.querySelectorAll(\"td[data-date='{morning:%Y-%m-%d}'] [data-testid=calendar-entry]\").length === 2")
        assert await cell(page, other).get_by_test_id("calendar-entry").count() == 0

        # The keyboard alternative: Alt+arrow moves the focused post a day, said in the toast; Undo again.
        croissants = cell(page, morning).get_by_test_id("calendar-entry").filter(has_text="croissants")
        await croissants.focus()
        await page.keyboard.press("Alt+ArrowRight" if other > morning else "Alt+ArrowLeft")
        await toast.filter(has_text=f"Moved to {other:%b} {other.day}, {other.year}, 10:00 AM {other:%Z} ({ZONE})").wait_for()
        await cell(page, other).get_by_test_id("calendar-entry").filter(has_text="croissants").wait_for()
        assert await page.evaluate("document.activeElement.dataset.post") == first
        await toast.get_by_role("button", name="Undo").click()
        await toast.filter(has_text="Moved back to").wait_for()
        await toast.get_by_role("button", name="Dismiss").click()
        await until(page, f"document.querySelectorAll(\"td[data-date='{morning:%Y-%m-%d}'] [data-testid=calendar-entry]\").length === 2")

        await page.set_viewport_size(NARROW)
        await check_screen(page, "calendar_month_390")
        assert await page.evaluate("document.documentElement.scrollWidth <= 390")
        await page.emulate_media(color_scheme="dark")
        await check_screen(page, "calendar_month_dark")
    finally:
        await context.close()
    assert time.monotonic() - started < 30


async def test_calendar_dst_days_and_a_refused_move(browser, demo_url):
    """The 25-hour day shows 02:00 twice (each with its offset) and the 23-hour day has no 02:00; the day
    view opens at the first post, in its row, and a drop on the second 02:00 lands there. A post another
    tab cancelled meanwhile cannot move: the chip goes back and the server's reason says what to do."""
    started = time.monotonic()
    context = await browser.new_context(timezone_id=ZONE, locale="en-US")
    page = await context.new_page()
    await page.add_init_script(RECORD_VIOLATIONS)
    await page.set_viewport_size(WIDE)
    try:
        await sign_up(page, demo_url, name="Emil", workspace="Emil's bakery", email=new_email("calendar-dst"))
        await connect_bluesky(page)
        await until(page, "document.querySelectorAll('[data-testid=channel]').length === 1")
        await schedule_post(page, "Clocks go back tonight: an extra hour of baking", datetime(2027, 10, 31, 10, 0))

        # A shared link to the day view of 31 October 2027: 25 rows, 02:00 UTC+2 then 02:00 UTC+1.
        await page.goto(f"{demo_url}/calendar?view=day&date=2027-10-31")
        hours = page.get_by_test_id("calendar-hours")
        chip = hours.locator("td[data-slot='2027-10-31 10'] [data-testid=calendar-entry]")
        await chip.wait_for()
        labels = await hours.locator("tbody th").all_inner_texts()
        assert len(labels) == 25
        assert labels[1:5] == ["01:00", "02:00 UTC+2", "02:00 UTC+1", "03:00"]
        # Opened scrolled to the post: its row is at the top of the hours, not 00:00.
        assert await hours.evaluate("el => el.scrollTop") > 0
        assert await chip.is_visible()
        await check_screen(page, "calendar_day_25_hours")

        # Tall enough for all 25 hours, so the drag needs no scrolling on the way.
        await page.set_viewport_size({"width": 1280, "height": 1700})
        await chip.drag_to(hours.locator("td[data-slot='2027-10-31 2 again']"))
        toast = page.get_by_test_id("calendar-toast")
        await toast.filter(has_text="Moved to").wait_for()
        await hours.locator("td[data-slot='2027-10-31 2 again'] [data-testid=calendar-entry]").wait_for()
        assert await hours.locator("td[data-slot='2027-10-31 2'] [data-testid=calendar-entry]").count() == 0
        await toast.get_by_role("button", name="Dismiss").click()
        await page.set_viewport_size(WIDE)

        # 28 March 2027 has no 02:00: 23 rows.
        await page.goto(f"{demo_url}/calendar?view=day&date=2027-03-28")
        await page.get_by_test_id("calendar-empty").wait_for()
        labels = await hours.locator("tbody th").all_inner_texts()
        assert len(labels) == 23 and "02:00" not in labels

        # A refused move: the post is cancelled in another tab, then dragged in this stale calendar.
        day = (datetime.now(UTC) + timedelta(days=2)).astimezone(ZoneInfo(ZONE)).replace(hour=10, minute=0, second=0, microsecond=0)
        other = day + timedelta(days=1) if (day + timedelta(days=1)).month == day.month else day - timedelta(days=1)
        post = await schedule_post(page, "Sourdough class on Saturday", day)
        await open_calendar_on(page, day)
        stale = cell(page, day).get_by_test_id("calendar-entry")
        await stale.wait_for()
        elsewhere = await context.new_page()
        await elsewhere.goto(f"{demo_url}/posts/{post}")
        await elsewhere.get_by_role("button", name="Cancel this post").click()
        await elsewhere.get_by_role("button", name="Yes, cancel this post").click()
        await elsewhere.get_by_text("Cancelled this post.").wait_for(state="attached")
        await elsewhere.close()

        await stale.drag_to(cell(page, other))
        refusal = page.get_by_role("heading", name=re.compile("Could not move the post"))
        await refusal.wait_for()
        summary = page.get_by_role("alert").filter(has=refusal)
        text = await summary.inner_text()
        assert "cancelled; duplicate it to post again" in text, text
        assert "back where it was" in text
        # Not moved (back on its day until the reload shows it gone: the calendar holds no cancelled target).
        assert await cell(page, other).get_by_test_id("calendar-entry").count() == 0
        assert await page.evaluate("document.activeElement.closest('[tabindex]') !== null")
        await check_screen(page, "calendar_move_refused")
    finally:
        await context.close()
    assert time.monotonic() - started < 45
