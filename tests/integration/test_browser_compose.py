"""The Composer (journey 2 of product.md) in a real browser (Debian's Chromium through Playwright) against
`serve --demo`, where every platform is the simulator: sign up, connect a Mastodon and a Bluesky sandbox
account on Channels, open Compose, type a text and see a counter per channel, type past Bluesky's 300
and see it flagged (refused when scheduling), write a shorter Bluesky variant, pick a time two minutes
ahead and see the zone and the UTC instant, have the AI panel (the fake model) write captions and put one
into Mastodon's variant, schedule, and land on the post's detail with both targets
queued. The browser runs in Europe/Berlin, so the zone and the UTC instant differ. The test drives only
the UI; it makes no API call of its own."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.async_api import Page

from tests.integration import fake_openai
from tests.integration.browser import (
    NARROW,
    RECORD_VIOLATIONS,
    WIDE,
    browser,
    check_screen,
    connect_two_channels,
    demo_url,
    new_email,
    sign_up,
    until,
)

__all__ = ["browser", "demo_url"]  # the shared fixtures, imported for pytest

ZONE = "Europe/Berlin"


def _counter(page: Page, platform: str):
    return page.get_by_test_id("compose-counter").filter(has_text=platform)


async def test_compose_with_a_variant_and_schedule(browser, demo_url, fake_llm):
    started = time.monotonic()
    context = await browser.new_context(timezone_id=ZONE)
    page = await context.new_page()
    await page.add_init_script(RECORD_VIOLATIONS)
    await page.set_viewport_size(WIDE)
    try:
        await sign_up(page, demo_url, name="Cleo", workspace="Cleo's shop", email=new_email("compose"))
        await connect_two_channels(page)

        await page.get_by_role("navigation", name="Main").get_by_role("link", name="Compose").click()
        await page.wait_for_url(re.compile(r"/compose$"))
        await page.get_by_role("heading", name="Compose", level=1).wait_for()
        await until(page, "document.querySelectorAll('[data-testid=compose-counter]').length === 2")
        await check_screen(page, "compose_empty")

        # A text with a link: each channel counts it its own way (Mastodon: a link is 23).
        text = "Our spring sale starts today! https://shop.example.com/spring-sale-2026/everything-half-price"
        await page.get_by_role("textbox", name="Base text").fill(text)
        assert "53 / 500" in await _counter(page, "Mastodon").inner_text()
        assert f"{len(text)} / 300" in await _counter(page, "Bluesky").inner_text()
        assert await page.get_by_test_id("compose-over").count() == 0

        # Past Bluesky's 300: flagged in red, by how much and where.
        long_text = text + " " + "Everything must go. " * 12
        await page.get_by_role("textbox", name="Base text").fill(long_text)
        over = _counter(page, "Bluesky").get_by_test_id("compose-over")
        await over.wait_for()
        assert f"shorten it by {len(long_text) - 300}" in await over.inner_text()
        assert "base text" in await over.inner_text()
        assert await _counter(page, "Mastodon").get_by_test_id("compose-over").count() == 0
        await check_screen(page, "compose_over_limit")

        # A wall time the clocks skip in Berlin is refused beside the field.
        schedule = page.get_by_label(re.compile(r"^Publish at"))
        await schedule.fill("2027-03-28T02:30")
        await page.locator("#compose-schedule-error").filter(has_text="does not exist in Europe/Berlin").wait_for()
        assert await schedule.get_attribute("aria-invalid") == "true"

        # Scheduling it as it is is refused before anything is sent, saying why.
        when = (datetime.now(UTC) + timedelta(minutes=2)).astimezone(ZoneInfo(ZONE))
        await schedule.fill(when.strftime("%Y-%m-%dT%H:%M"))
        assert await page.locator("#compose-schedule-error").count() == 0
        await page.get_by_role("button", name="Schedule").click()
        alert = page.get_by_role("alert").filter(has_text="too long for some channels")
        await alert.wait_for()
        assert "Bluesky" in await alert.inner_text()
        assert await page.evaluate("document.activeElement.getAttribute('role')") == "alert"
        assert re.search(r"/compose$", page.url)

        # The AI panel writes a caption per platform (the fake model); one goes into Mastodon's variant tab.
        ai = page.get_by_role("region", name="Write with AI")
        await ai.get_by_label("Topic").fill("our spring sale")
        await ai.get_by_role("button", name="Write captions").click()
        await until(page, "document.querySelectorAll('[data-testid=compose-ai-variant]').length === 2")
        caption = fake_openai.Reply().content
        await ai.get_by_role("button", name=re.compile(r"^Use for sandbox@")).click()
        assert await page.get_by_role("textbox", name=re.compile(r"^Variant for Mastodon")).input_value() == caption
        await _counter(page, "Mastodon").filter(has_text="(variant)").wait_for()
        assert fake_llm.requests and "our spring sale" in fake_llm.prompts()[0]
        await check_screen(page, "compose_ai_captions")

        # A shorter variant for Bluesky: its counter now counts the variant and fits.
        await page.get_by_role("tab", name=re.compile(r"Variant: Bluesky")).click()
        variant = "Spring sale today: everything half price! https://shop.example.com/spring"
        await page.get_by_role("textbox", name=re.compile(r"^Variant for Bluesky")).fill(variant)
        bluesky = _counter(page, "Bluesky")
        await bluesky.filter(has_text="(variant)").wait_for()
        assert f"{len(variant)} / 300" in await bluesky.inner_text()
        assert await page.get_by_test_id("compose-over").count() == 0
        await alert.wait_for(state="detached")  # the refusal goes once every text fits

        # The zone is named and the UTC instant shown.
        hint = await page.locator("#compose-schedule-hint").inner_text()
        assert ZONE in hint
        utc = await page.get_by_test_id("compose-utc").inner_text()
        assert "UTC" in utc and f"{when:%Z} ({ZONE})" in utc  # one wording: "9:00 AM CET (Europe/Berlin)"
        assert when.astimezone(UTC).strftime("%-I:%M %p UTC") in utc  # the browser speaks en-US
        await check_screen(page, "compose_variant_scheduled")
        await page.set_viewport_size(NARROW)
        await check_screen(page, "compose_variant_scheduled_390")
        assert await page.evaluate("document.documentElement.scrollWidth <= 390")
        await page.emulate_media(color_scheme="dark")
        await check_screen(page, "compose_variant_scheduled_dark")
        await page.emulate_media(color_scheme="light")
        await page.set_viewport_size(WIDE)

        # Schedule: on the post's detail, both targets queued.
        await page.get_by_role("button", name="Schedule").click()
        await page.wait_for_url(re.compile(r"/posts/[0-9a-f-]{36}$"))
        targets = page.get_by_test_id("post-target")
        await until(page, "document.querySelectorAll('[data-testid=post-target]').length === 2")
        for platform in ("Mastodon", "Bluesky"):
            await targets.filter(has_text=platform).filter(has_text="Queued").wait_for()
        await page.get_by_text(variant).first.wait_for()
        await check_screen(page, "compose_post_detail")
    finally:
        await context.close()
    assert time.monotonic() - started < 30
