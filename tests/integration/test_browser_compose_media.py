"""The Composer's images, previews and approval in a real browser (Debian's Chromium through Playwright)
against `serve --demo`, where every platform is the simulator.

Images: attach two through the file picker (and a fake PNG the server refuses, shown on that image),
see each channel's checks beside its counter (missing alt
text; Bluesky will resize the 1.2 MB one), the per-platform previews (hashtag and mention highlighted,
images instead of a link card), be refused scheduling until every image is described, reorder them,
schedule, and see both images with their alt text on the post's page.
Approval: the owner turns on approval on Team; the Composer now submits for approval; on the post's
page the owner asks for changes (a note is required), submits again, approves and schedules it.
The test drives only the UI; it makes no API call of its own."""

from __future__ import annotations

import io
import os
import re
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PIL import Image
from playwright.async_api import Page

from tests.integration.browser import (
    NARROW,
    RECORD_VIOLATIONS,
    WIDE,
    browser,
    check_screen,
    connect_bluesky,
    connect_two_channels,
    demo_url,
    explained,
    new_email,
    sign_up,
    until,
)

__all__ = ["browser", "demo_url"]  # the shared fixtures, imported for pytest

ZONE = "Europe/Berlin"


def png(width: int, height: int, noisy: bool = False) -> bytes:
    """A flat-colour PNG, or one of random pixels (as large as a PNG gets: about 3 bytes a pixel)."""
    out = io.BytesIO()
    image = (Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)) if noisy
             else Image.new("RGB", (width, height), (200, 40, 40)))
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


def _checks(page: Page, platform: str):
    return page.locator(".counters > li").filter(has=page.get_by_test_id("compose-counter").filter(has_text=platform))


async def _open_compose(page: Page) -> None:
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Compose").click()
    await page.wait_for_url(re.compile(r"/compose$"))
    await page.get_by_role("heading", name="Compose", level=1).wait_for()


async def test_images_with_alt_text_checks_and_previews_then_scheduled(browser, demo_url):
    started = time.monotonic()
    context = await browser.new_context(timezone_id=ZONE)
    page = await context.new_page()
    await page.add_init_script(RECORD_VIOLATIONS)
    await page.set_viewport_size(WIDE)
    try:
        await sign_up(page, demo_url, name="Ines", workspace="Ines's bakery", email=new_email("media"))
        await connect_two_channels(page)
        await _open_compose(page)
        await until(page, "document.querySelectorAll('[data-testid=compose-preview]').length === 2")

        text = "Fresh bread at 7! #bakery thanks @sandbox https://bakery.example.com/menu"
        await page.get_by_role("textbox", name="Base text").fill(text)
        mastodon_preview = page.get_by_role("article", name=re.compile(r"^Preview on Mastodon"))
        assert await mastodon_preview.locator(".hashtag").inner_text() == "#bakery"
        assert await mastodon_preview.locator(".mention").inner_text() == "@sandbox"
        assert "bakery.example.com" in await mastodon_preview.get_by_test_id("compose-link-card").inner_text()

        # Two images through the file picker: a small one and 1.2 MB of noise (over Bluesky's 1,000,000 bytes).
        await page.get_by_test_id("compose-media-input").set_input_files([
            {"name": "loaf.png", "mimeType": "image/png", "buffer": png(800, 450)},
            {"name": "crumb.png", "mimeType": "image/png", "buffer": png(640, 640, noisy=True)},
        ])
        await until(page, "document.querySelectorAll('[data-testid=compose-alt]').length === 2")
        bluesky = _checks(page, "Bluesky")
        await bluesky.get_by_text("Image 2 will be resized for Bluesky").wait_for()
        await bluesky.get_by_text("Image 1 has no alt text").wait_for()
        assert await _checks(page, "Mastodon").get_by_text("Image 2 will be resized").count() == 0  # 16 MB there
        assert await mastodon_preview.get_by_test_id("compose-preview-image").count() == 2
        assert await mastodon_preview.get_by_test_id("compose-link-card").count() == 0  # images instead of a card
        # A file that only claims to be a PNG: the server's refusal is shown on that image, with what to do.
        await page.get_by_test_id("compose-media-input").set_input_files(
            [{"name": "fake.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n<html></html>"}])
        refused = page.get_by_test_id("compose-image").filter(has_text="fake.png")
        await refused.get_by_role("alert").filter(has_text="Could not upload fake.png").wait_for()
        assert "Remove it" in await refused.get_by_role("alert").inner_text()
        await check_screen(page, "compose_media")
        await page.set_viewport_size(NARROW)
        await check_screen(page, "compose_media_390")
        assert await page.evaluate("document.documentElement.scrollWidth <= 390")
        await page.emulate_media(color_scheme="dark")
        await check_screen(page, "compose_media_390_dark")
        await page.emulate_media(color_scheme="light")
        await page.set_viewport_size(WIDE)
        await refused.get_by_role("button", name=re.compile(r"^Remove ?image 3$")).click()
        await refused.wait_for(state="detached")

        # Scheduling is refused until every image is described; the alt text fields say so.
        when = (datetime.now(UTC) + timedelta(minutes=30)).astimezone(ZoneInfo(ZONE))
        await page.get_by_label(re.compile(r"^Publish at")).fill(when.strftime("%Y-%m-%dT%H:%M"))
        await page.get_by_role("button", name="Schedule").click()
        await page.get_by_role("alert").filter(has_text="Some images do not suit a channel yet").wait_for()
        first_alt = page.get_by_label(re.compile(r"^Alt text for image 1"))
        assert await first_alt.get_attribute("aria-invalid") == "true"
        await first_alt.fill("A round loaf on a wooden board")
        await page.get_by_label(re.compile(r"^Alt text for image 2")).fill("Close-up of the crumb")
        assert await page.get_by_text(re.compile(r"has no alt text")).count() == 0

        # The crumb goes first.
        await page.get_by_role("button", name=re.compile(r"^Earlier ?\(image 2\)$")).click()
        assert await page.get_by_label(re.compile(r"^Alt text for image 1")).input_value() == "Close-up of the crumb"
        await bluesky.get_by_text("Image 1 will be resized for Bluesky").wait_for()

        await page.get_by_role("button", name="Schedule").click()
        await page.wait_for_url(re.compile(r"/posts/[0-9a-f-]{36}$"))
        images = page.get_by_test_id("post-image")
        await until(page, "document.querySelectorAll('[data-testid=post-image]').length === 2")
        await page.get_by_text("Alt text: A round loaf on a wooden board").wait_for()
        await page.get_by_text("Alt text: Close-up of the crumb").wait_for()
        assert await images.nth(0).get_attribute("alt") == "Close-up of the crumb"
        assert await images.nth(1).get_attribute("alt") == "A round loaf on a wooden board"
        await until(page, "[...document.querySelectorAll('[data-testid=post-image]')].every(i => i.complete && i.naturalWidth > 0)")
        await check_screen(page, "compose_media_post_detail")
    finally:
        await context.close()
    assert time.monotonic() - started < 40


async def test_a_workspace_that_requires_approval_submits_reviews_and_schedules(browser, demo_url):
    started = time.monotonic()
    context = await browser.new_context(timezone_id=ZONE)
    page = await context.new_page()
    await page.add_init_script(RECORD_VIOLATIONS)
    await page.set_viewport_size(WIDE)
    try:
        await sign_up(page, demo_url, name="Rae", workspace="Rae's review desk", email=new_email("review"))
        await connect_bluesky(page)

        await page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
        await page.get_by_label("Approval required before scheduling").check()
        await page.get_by_role("button", name="Save settings").click()
        await page.get_by_role("status").filter(has_text="Posts now need").wait_for()

        await _open_compose(page)
        await page.get_by_test_id("compose-approval-note").wait_for()
        assert await page.get_by_role("button", name="Schedule").count() == 0
        await page.get_by_role("textbox", name="Base text").fill("New sourdough on Friday")
        await page.get_by_role("button", name="Submit for approval").click()
        await page.wait_for_url(re.compile(r"/posts/[0-9a-f-]{36}$"))
        state = page.get_by_test_id("review-state")
        await state.filter(has_text="Waiting for approval").wait_for()

        # Asking for changes needs a note; the note is shown once sent.
        await page.get_by_role("button", name="Request changes").click()
        note = page.get_by_label(re.compile(r"^Note for the editor"))
        await page.locator("#review-note-error").filter(has_text="Write what should change").wait_for()
        assert await note.get_attribute("aria-invalid") == "true"
        await note.fill("Say which Friday")
        await page.get_by_role("button", name="Request changes").click()
        await state.filter(has_text="Not submitted").wait_for()
        await page.get_by_test_id("post-review").get_by_text("Say which Friday").wait_for()
        await check_screen(page, "post_review_changes_requested")

        # The editor fixes it in the Composer, loaded with the post, and resubmits it in one step.
        await page.get_by_role("link", name="Edit", exact=True).click()
        await page.wait_for_url(re.compile(r"/compose\?post=[0-9a-f-]{36}$"))
        text = page.get_by_role("textbox", name="Base text")
        await until(page, "document.querySelector('#compose-text')?.value === 'New sourdough on Friday'")
        await page.get_by_test_id("compose-changes-requested").get_by_text("Say which Friday").wait_for()
        await text.fill("New sourdough on Friday 4 December")
        assert await page.get_by_role("button", name="Submit for approval", exact=True).count() == 0
        await check_screen(page, "compose_edit_changes_requested")
        await page.set_viewport_size(NARROW)
        await check_screen(page, "compose_edit_changes_requested_390")
        assert await page.evaluate("document.documentElement.scrollWidth <= 390")
        await page.emulate_media(color_scheme="dark")
        await check_screen(page, "compose_edit_changes_requested_390_dark")
        await page.emulate_media(color_scheme="light")
        await page.set_viewport_size(WIDE)
        await page.get_by_role("button", name="Save and resubmit for approval").click()
        await page.wait_for_url(re.compile(r"/posts/[0-9a-f-]{36}$"))
        await state.filter(has_text="Waiting for approval").wait_for()
        await page.get_by_test_id("post-text").filter(has_text="New sourdough on Friday 4 December").wait_for()
        await page.get_by_role("button", name="Approve").click()
        await state.filter(has_text="Approved").wait_for()
        when = (datetime.now(UTC) + timedelta(minutes=30)).astimezone(ZoneInfo(ZONE))
        await page.get_by_label(re.compile(r"^Publish at")).fill(when.strftime("%Y-%m-%dT%H:%M"))
        await check_screen(page, "post_review_approved")
        await page.set_viewport_size(NARROW)
        await check_screen(page, "post_review_approved_390")
        await page.set_viewport_size(WIDE)
        await page.get_by_test_id("post-review").get_by_role("button", name="Schedule").click()
        await state.filter(has_text="Approved and scheduled").wait_for()
        await page.get_by_test_id("post-target").filter(has_text="Queued").wait_for()
    finally:
        await context.close()
    assert time.monotonic() - started < 30


async def test_editing_a_post_schedules_it_moves_it_and_refuses_a_stale_save(browser, demo_url):
    started = time.monotonic()
    context = await browser.new_context(timezone_id=ZONE)
    page = await context.new_page()
    await page.add_init_script(RECORD_VIOLATIONS)
    await page.set_viewport_size(WIDE)
    try:
        await sign_up(page, demo_url, name="Ode", workspace="Ode's mill", email=new_email("edit"))
        await connect_bluesky(page)

        await _open_compose(page)
        await page.get_by_role("textbox", name="Base text").fill("Rye loaf")
        await page.get_by_role("button", name="Save draft").click()
        await page.wait_for_url(re.compile(r"/posts/[0-9a-f-]{36}$"))
        post_url = page.url

        # The draft gets a variant and a time in the Composer, and is scheduled from there.
        await page.get_by_role("link", name="Edit", exact=True).click()
        await page.get_by_role("heading", name="Edit post", level=1).wait_for()
        await until(page, "document.querySelector('#compose-text')?.value === 'Rye loaf'")
        await page.get_by_role("tab", name=re.compile(r"^Variant: Bluesky")).click()
        await page.get_by_label(re.compile(r"^Variant for Bluesky")).fill("Rye loaf, baked at dawn")
        soon = (datetime.now(UTC) + timedelta(minutes=30)).astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%dT%H:%M")
        later = (datetime.now(UTC) + timedelta(minutes=90)).astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%dT%H:%M")
        publish_at = page.get_by_label(re.compile(r"^Publish at"))
        await publish_at.fill(soon)
        await page.get_by_role("button", name="Schedule").click()
        await page.wait_for_url(post_url)
        await page.get_by_text(re.compile(r"^Scheduled for")).wait_for()
        await page.get_by_text("Rye loaf, baked at dawn").wait_for()

        # Two tabs edit it: the second moves it (a reschedule), the first's save is then refused as stale.
        await page.get_by_role("link", name="Edit", exact=True).click()
        await until(page, f"document.querySelector('#compose-schedule')?.value === '{soon}'")
        other = await context.new_page()
        async with explained(page, other):
            await other.goto(page.url)
            await until(other, f"document.querySelector('#compose-schedule')?.value === '{soon}'")
            await other.get_by_label(re.compile(r"^Publish at")).fill(later)
            await other.get_by_role("button", name="Save changes").click()
            await other.wait_for_url(post_url)
            await other.get_by_text(re.compile(r"\bmoved .+ to ")).wait_for()
        await other.close()

        await page.get_by_role("textbox", name="Base text").fill("Rye loaf, sold out")
        await page.get_by_role("button", name="Save changes").click()
        refused = page.get_by_role("alert").filter(has_text="Someone else changed this post")
        await refused.wait_for()
        await check_screen(page, "compose_edit_conflict")
        await refused.get_by_role("button", name="Reload the post").click()
        await until(page, f"document.querySelector('#compose-schedule')?.value === '{later}'")
        assert await page.get_by_role("textbox", name="Base text").input_value() == "Rye loaf"
        assert await refused.count() == 0

        # Compose from the menu leaves the edit for an empty Composer.
        await _open_compose(page)
        assert await page.get_by_role("textbox", name="Base text").input_value() == ""
        assert await page.get_by_label(re.compile(r"^Publish at")).input_value() == ""
    finally:
        await context.close()
    assert time.monotonic() - started < 20
