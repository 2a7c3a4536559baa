"""The user's time zone in a real browser (Debian's Chromium through Playwright) against `serve --demo`.
The browser runs in America/New_York; the user chooses Europe/Berlin in Settings (searching the list);
Compose then schedules in Berlin time, saying the browser is elsewhere, the post's page shows Berlin time,
and so does the Calendar, after a reload too (the choice is the account's); going back to the browser's
zone removes the note. Each screen at 1280 px and 390 px. The test drives only the UI."""

from __future__ import annotations

import re
import time

from playwright.async_api import Page

from tests.integration.browser import RECORD_VIOLATIONS, browser, check_screen, connect_bluesky, demo_url, new_email, sign_up

__all__ = ["browser", "demo_url"]  # the shared fixtures, imported for pytest

BROWSER_ZONE = "America/New_York"
CHOSEN = "Europe/Berlin"


async def _open(page: Page, section: str) -> None:
    await page.get_by_role("navigation", name="Main").get_by_role("link", name=section).click()
    await page.get_by_role("heading", level=1, name=section).wait_for()


async def _both_widths(page: Page, name: str) -> None:
    await check_screen(page, name)
    await page.set_viewport_size({"width": 390, "height": 844})
    await check_screen(page, f"{name}_390")
    assert await page.evaluate("document.documentElement.scrollWidth <= 390"), name
    await page.set_viewport_size({"width": 1280, "height": 900})


async def test_choose_a_zone_in_settings_and_every_screen_follows_it(browser, demo_url):
    started = time.monotonic()
    context = await browser.new_context(timezone_id=BROWSER_ZONE, locale="en-US", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.add_init_script(RECORD_VIOLATIONS)
    try:
        await sign_up(page, demo_url, name="Zoe", workspace="Zoe's studio", email=new_email("zone"))
        await connect_bluesky(page)
        await _open(page, "Settings")
        panel = page.get_by_role("group", name="Time zone")
        current = panel.get_by_test_id("zone-current")
        assert re.search(rf"Times are shown in {BROWSER_ZONE} \(UTC-0[45]:00 now\), this browser’s zone",
                         await current.inner_text())
        assert await panel.get_by_role("radio", name=f"Use this browser’s zone ({BROWSER_ZONE}, ").is_checked()
        save = panel.get_by_role("button", name="Save time zone")
        assert await save.is_disabled()  # nothing to save yet
        await _both_widths(page, "settings_time_zone")

        # Search, pick Berlin (its offset shown), save: told so, and the current zone changes.
        await panel.get_by_label("Search zones").fill("berl")
        zones = panel.get_by_label("Zone", exact=True)
        # Berlin matches; the browser's zone stays listed while it is the one chosen. Offsets are today's (December).
        assert await zones.locator("option").all_inner_texts() == ["America/New_York (UTC-05:00)", "Europe/Berlin (UTC+01:00)"]
        await zones.select_option(CHOSEN)
        assert await panel.get_by_role("radio", name="Choose a zone").is_checked()
        await save.click()
        await panel.get_by_role("status").filter(has_text=f"Saved. Times on every screen are now shown in {CHOSEN}.").wait_for()
        assert f"Times are shown in {CHOSEN} (UTC+0" in await current.inner_text()
        assert "your setting" in await current.inner_text()
        await _both_widths(page, "settings_time_zone_saved")
        await page.emulate_media(color_scheme="dark")
        await check_screen(page, "settings_time_zone_saved_dark")
        await page.emulate_media(color_scheme="light")

        # Compose names Berlin, and says the browser is elsewhere.
        await _open(page, "Compose")
        await page.get_by_label(f"Publish at ({CHOSEN})").wait_for()
        note = page.get_by_test_id("zone-note")
        assert await note.inner_text() == f"Times are in {CHOSEN}, your setting; this browser is in {BROWSER_ZONE}. " \
                                          "Change it in Settings."
        await page.get_by_role("textbox", name="Base text").fill("Winter opening hours")
        # 02:30 on the night Berlin's clocks go back: the user picks which of the two, each with its UTC instant.
        await page.get_by_label(f"Publish at ({CHOSEN})").fill("2027-10-31T02:30")
        twice = page.get_by_role("group", name="02:30 happens twice in")
        second = twice.get_by_role("radio", name="The second")
        assert "1:30 AM UTC" in await twice.locator("label").filter(has_text="The second").inner_text()
        await second.check()
        assert "2:30 AM CET (Europe/Berlin) is Oct 31, 2027, 1:30 AM UTC" in await page.get_by_test_id("compose-utc").inner_text()
        await _both_widths(page, "compose_repeated_hour")

        await page.get_by_label(f"Publish at ({CHOSEN})").fill("2027-12-01T09:00")
        utc = await page.get_by_test_id("compose-utc").inner_text()
        assert "Dec 1, 2027, 9:00 AM CET (Europe/Berlin) is Dec 1, 2027, 8:00 AM UTC" in utc, utc
        await _both_widths(page, "compose_time_zone_setting")

        # Scheduled for 09:00 Berlin time, which the post's page shows in the one wording.
        await page.get_by_role("button", name="Schedule").click()
        await page.wait_for_url(re.compile(r"/posts/[0-9a-f-]{36}$"))
        await page.get_by_text("Scheduled for Dec 1, 2027, 9:00:00 AM CET (Europe/Berlin)").first.wait_for()

        # So does the Calendar; and after a reload (the setting is the account's, not this tab's).
        await _open(page, "Calendar")
        assert await page.get_by_test_id("calendar-zone").inner_text() == CHOSEN
        assert "this browser is in America/New_York" in await page.get_by_test_id("zone-note").inner_text()
        await page.reload()
        await page.get_by_role("heading", level=1, name="Calendar").wait_for()
        assert await page.get_by_test_id("calendar-zone").inner_text() == CHOSEN
        await _both_widths(page, "calendar_time_zone_setting")

        # Back to the browser's zone: saved, and the note is gone.
        await _open(page, "Settings")
        panel = page.get_by_role("group", name="Time zone")
        await panel.get_by_role("radio", name="Use this browser’s zone").check()
        await panel.get_by_role("button", name="Save time zone").click()
        await panel.get_by_role("status").filter(has_text=f"Saved. Times now follow this browser’s zone ({BROWSER_ZONE}).").wait_for()
        await _open(page, "Compose")
        await page.get_by_label(f"Publish at ({BROWSER_ZONE})").wait_for()
        assert await page.get_by_test_id("zone-note").inner_text() == f"Times are in {BROWSER_ZONE}, this browser’s time zone."
    finally:
        await context.close()
    assert time.monotonic() - started < 90
