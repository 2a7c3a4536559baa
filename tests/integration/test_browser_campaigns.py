"""Campaigns in a real browser (Debian's Chromium through Playwright) against the real backend,
through the UI only: sign up, see the empty list, create a campaign, open it, edit its brand voice
(keywords, a banned word, default hashtags) and UTM defaults, save, reload and find them kept; a
banned word that is also a keyword is refused with the server's message beside the field; a save
that lost a race to another tab says so and offers a reload; activating it moves it on the board.
Each screen is checked with axe-core and saved as a screenshot, at 1280 px and at 390 px."""

from __future__ import annotations

import re
import time

from playwright.async_api import Page

from tests.integration.browser import (  # noqa: F401  (browser and ui_url are fixtures)
    RECORD_VIOLATIONS,
    browser,
    check_screen,
    new_email,
    sign_up,
    ui_url,
)

CAMPAIGN = "Spring launch"



async def _add_chips(page: Page, label: str, typed: str) -> None:
    field = page.get_by_role("textbox", name=label, exact=True)
    await field.fill(typed)
    await field.press("Enter")


async def _chips(page: Page, label: str) -> list[str]:
    items = page.get_by_role("list", name=label).get_by_role("listitem")
    return [text.replace("×", "").strip() for text in await items.all_inner_texts()]


async def _create(page: Page, name: str, objective: str = "", starts: str = "", ends: str = "") -> None:
    form = page.get_by_role("region", name="New campaign")
    await form.get_by_label("Name").fill(name)
    if objective:
        await form.get_by_label("Objective").fill(objective)
    if starts:
        await form.get_by_label("Starts on").fill(starts)
    if ends:
        await form.get_by_label("Ends on").fill(ends)
    await form.get_by_role("button", name="Create campaign").click()
    await page.wait_for_url(re.compile(r"/campaigns/[0-9a-f-]{36}$"))
    await page.get_by_role("heading", level=1, name=name).wait_for()


async def test_plan_a_campaign_edit_its_voice_and_activate_it(browser, ui_url):  # noqa: F811
    started = time.monotonic()
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await context.add_init_script(RECORD_VIOLATIONS)
    try:
        await sign_up(page, ui_url, name="Camille", workspace="Camille's studio", email=new_email("campaigns"))
        await page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
        await page.wait_for_url(re.compile(r"/campaigns$"))
        await page.get_by_role("heading", name="No campaigns yet").wait_for()
        await check_screen(page, "campaigns_empty")

        # Create: the form opens with focus in its first field; a blank name is refused beside it.
        await page.get_by_role("button", name="Create your first campaign").click()
        assert await page.evaluate("document.activeElement.id") == "new-campaign-name"
        form = page.get_by_role("region", name="New campaign")
        await form.get_by_role("button", name="Create campaign").click()
        await form.locator("#new-campaign-name-error").wait_for()
        assert await form.get_by_label("Name").get_attribute("aria-invalid") == "true"
        await form.get_by_label("Objective").fill("500 sign-ups for the spring release")
        await form.get_by_label("Starts on").fill("2026-03-01")
        await form.get_by_label("Ends on").fill("2026-03-31")
        await check_screen(page, "campaigns_create_form")
        await _create(page, CAMPAIGN)
        detail_url = page.url
        await page.get_by_text("1 Mar 2026").or_(page.get_by_text("Mar 1, 2026")).first.wait_for()
        await page.get_by_text("No posts in this campaign yet.").wait_for()

        # Brand voice and UTM defaults: chips by Enter (several at once) and by the Add button.
        await page.get_by_label("Tone").fill("warm, playful, no jargon")
        await _add_chips(page, "Keywords", "spring, bloom")
        await _add_chips(page, "Banned words", "cheap")
        await _add_chips(page, "Default hashtags", "SpringLaunch")
        await page.get_by_role("textbox", name="Default hashtags", exact=True).fill("#garden")
        await page.get_by_role("button", name="Add hashtag").click()
        assert await _chips(page, "Default hashtags") == ["#SpringLaunch", "#garden"]
        await page.get_by_label("Source utm_source").fill("mastodon")
        await page.get_by_label("Medium utm_medium").fill("social")
        await page.get_by_label("Campaign utm_campaign").fill("spring-launch")
        await page.get_by_role("button", name="Save changes").click()
        await page.get_by_role("status").filter(has_text="Changes saved.").wait_for()

        await page.reload()
        await page.get_by_role("heading", level=1, name=CAMPAIGN).wait_for()
        assert await page.get_by_label("Tone").input_value() == "warm, playful, no jargon"
        assert await _chips(page, "Keywords") == ["spring", "bloom"]
        assert await _chips(page, "Banned words") == ["cheap"]
        assert await _chips(page, "Default hashtags") == ["#SpringLaunch", "#garden"]
        assert await page.get_by_label("Source utm_source").input_value() == "mastodon"
        assert await page.get_by_label("Campaign utm_campaign").input_value() == "spring-launch"
        assert await page.get_by_label("Term utm_term").input_value() == ""
        await check_screen(page, "campaign_detail")

        # A banned word that is also a keyword: warned here, refused by the server beside the field.
        await _add_chips(page, "Banned words", "Bloom")
        await page.get_by_role("status").filter(has_text="also a keyword").wait_for()
        await page.get_by_role("button", name="Save changes").click()
        error = page.locator("#banned_words-error")
        await error.wait_for()
        assert "'bloom' is both a keyword and banned" in await error.inner_text()
        banned = page.get_by_role("textbox", name="Banned words", exact=True)
        assert await banned.get_attribute("aria-invalid") == "true"
        assert "banned_words-error" in await banned.get_attribute("aria-describedby")
        summary = page.get_by_role("alert").filter(has_text="The request is invalid")
        await summary.get_by_text("Correct the fields marked below").wait_for()
        assert await page.evaluate("document.activeElement.getAttribute('role')") == "alert"  # focus moved to it
        await check_screen(page, "campaign_detail_error")
        await page.get_by_role("button", name="Remove banned word “Bloom”").click()

        # Another tab saves first: this one is told, and reloads to the other's version.
        other = await context.new_page()
        await other.goto(detail_url)
        await other.get_by_label("Audience").fill("Gardeners in their first year")
        await page.get_by_label("Audience").fill("Balcony gardeners")
        await other.get_by_role("button", name="Save changes").click()
        await other.get_by_role("status").filter(has_text="Changes saved.").wait_for()
        await other.close()
        await page.get_by_role("button", name="Save changes").click()
        await page.get_by_role("alert").filter(has_text="Someone else changed this campaign").wait_for()
        await page.get_by_role("button", name="Reload the campaign").click()
        await page.get_by_role("status").filter(has_text="Reloaded the current version.").wait_for()
        assert await page.get_by_label("Audience").input_value() == "Gardeners in their first year"

        # Activate: the status changes here, and the campaign moves to Active on the board.
        await page.get_by_role("button", name="Activate").click()
        await page.get_by_role("status").filter(has_text="Campaign activated.").wait_for()
        assert await page.get_by_test_id("campaign-status").inner_text() == "Active"
        await page.get_by_role("button", name="Complete").wait_for()

        await page.get_by_role("link", name="← All campaigns").click()
        await page.get_by_role("button", name="New campaign").click()
        await _create(page, "Summer sale")
        await page.get_by_role("link", name="← All campaigns").click()
        active = page.get_by_test_id("column-active")
        await active.get_by_role("link", name=CAMPAIGN).wait_for()
        await page.get_by_test_id("column-planned").get_by_role("link", name="Summer sale").wait_for()
        assert await page.get_by_test_id("column-planned").get_by_role("link", name=CAMPAIGN).count() == 0
        await check_screen(page, "campaigns_board")

        # At 390 px wide.
        await page.set_viewport_size({"width": 390, "height": 844})
        await check_screen(page, "campaigns_board_390")
        await page.get_by_role("button", name="New campaign").click()
        await check_screen(page, "campaigns_create_form_390")
        await active.get_by_role("link", name=CAMPAIGN).click()
        await page.get_by_role("heading", level=1, name=CAMPAIGN).wait_for()
        await check_screen(page, "campaign_detail_390")
        await page.emulate_media(color_scheme="dark")
        await check_screen(page, "campaign_detail_390_dark")
        await page.set_viewport_size({"width": 1280, "height": 900})
        await page.get_by_role("link", name="← All campaigns").click()
        await active.get_by_role("link", name=CAMPAIGN).wait_for()
        await check_screen(page, "campaigns_board_dark")
    finally:
        await context.close()
    assert time.monotonic() - started < 30
