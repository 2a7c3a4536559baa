"""Journey 1 of product.md in a real browser (Debian's Chromium through Playwright) against `serve --demo`,
where every platform is the simulator on the same port: sign up, open Channels, connect a Mastodon
sandbox account through the instance's consent page (denied once: the refusal comes back and is
said), connect Bluesky with an app password (a wrong one first: the server's words are shown), see
both listed healthy with their own text limits, at 1280 and 390 px, and disconnect one after
confirming. The test only drives the UI; it makes no API call of its own."""

from __future__ import annotations

import re
import time

from playwright.async_api import Page

from tests.integration.browser import (
    browser,
    check_screen,
    demo_url,
    new_email,
    sign_up,
    until,
    watched_page,
)

__all__ = ["browser", "demo_url"]  # the shared fixtures, imported for pytest



def _card(page: Page, platform: str):
    return page.get_by_test_id("channel").filter(has_text=platform)


async def test_connect_mastodon_and_bluesky_then_disconnect_one(browser, demo_url):
    started = time.monotonic()
    page = await watched_page(browser)
    await page.set_viewport_size({"width": 1280, "height": 900})
    try:
        await sign_up(page, demo_url, name="Dee", workspace="Dee's studio", email=new_email("channels"))
        await page.get_by_role("navigation", name="Main").get_by_role("link", name="Channels").click()
        await page.wait_for_url(re.compile(r"/channels$"))
        await page.get_by_role("heading", name="Channels", level=1).wait_for()
        await page.get_by_test_id("channels-empty").wait_for()
        await check_screen(page, "channels_empty")

        # Bluesky with a wrong app password: the server's refusal, focused, and nothing listed.
        bluesky = page.get_by_role("form", name="Bluesky")
        await bluesky.get_by_label("Handle or email").fill("sandbox.bsky.social")
        await bluesky.get_by_label("App password").fill("wrong-password")
        await bluesky.get_by_role("button", name="Connect Bluesky").click()
        await bluesky.get_by_role("alert").filter(has_text="Bluesky was not connected").wait_for()
        assert "app password" in await bluesky.get_by_role("alert").inner_text()  # the server's words, with the fix
        assert await page.evaluate("document.activeElement.getAttribute('role')") == "alert"
        await page.get_by_role("form", name="Mastodon").get_by_label("Instance").fill("sandbox.social")
        await check_screen(page, "channels_connect_forms")
        assert await page.get_by_test_id("channel").count() == 0

        # Mastodon: denied on the instance's consent page, the refusal comes back and is said.
        mastodon = page.get_by_role("form", name="Mastodon")
        await mastodon.get_by_role("button", name="Connect Mastodon").click()
        await page.get_by_role("button", name="Deny").click()
        await page.wait_for_url(re.compile(r"/channels"))
        refusal = page.get_by_test_id("channels-notice")
        await refusal.get_by_role("heading", name="The account was not connected").wait_for()
        assert "error=" not in page.url  # taken out of the address, so a reload does not repeat it
        await check_screen(page, "channels_consent_denied")

        # Then allowed: back on Channels with "Connected <handle>" and the channel listed.
        await mastodon.get_by_label("Instance").fill("sandbox.social")
        await mastodon.get_by_role("button", name="Connect Mastodon").click()
        await page.get_by_role("button", name="Authorize").click()
        await page.wait_for_url(re.compile(r"/channels"))
        notice = page.get_by_test_id("channels-notice")
        await notice.filter(has_text=re.compile(r"Connected \S+ on Mastodon\.")).wait_for()
        await until(page, "document.activeElement?.dataset?.testid === 'channels-notice'")
        assert "connected=" not in page.url
        await _card(page, "Mastodon").wait_for()
        await check_screen(page, "channels_consent_return")

        # Bluesky with the simulator's app password.
        await bluesky.get_by_label("Handle or email").fill("sandbox.bsky.social")
        await bluesky.get_by_label("App password").fill("sandbox-app-password")
        await bluesky.get_by_role("button", name="Connect Bluesky").click()
        await notice.filter(has_text="Connected sandbox.bsky.social on Bluesky.").wait_for()
        assert await bluesky.get_by_role("alert").count() == 0  # the earlier refusal is cleared

        # Both listed, healthy, each with its own limit (the instance reports its own).
        await until(page, "document.querySelectorAll('[data-testid=channel]').length === 2")
        for platform, limit in (("Mastodon", "500 characters per post, this instance's own limit"),
                                ("Bluesky", "300 characters per post")):
            card = _card(page, platform)
            assert (await card.get_by_test_id("channel-health").inner_text()).endswith("OK")
            assert limit in await card.get_by_test_id("channel-limit").inner_text()
            assert await card.get_by_test_id("channel-advice").count() == 0
        await check_screen(page, "channels_list")
        await page.emulate_media(color_scheme="dark")
        await check_screen(page, "channels_list_dark")
        await page.emulate_media(color_scheme="light")
        await page.set_viewport_size({"width": 390, "height": 844})
        await check_screen(page, "channels_list_390")
        assert await page.evaluate("document.documentElement.scrollWidth <= 390")  # no sideways scrolling
        await page.set_viewport_size({"width": 1280, "height": 900})

        # Disconnect Bluesky: asked first (Cancel has focus), then it stays listed, not connected, with the fix.
        card = _card(page, "Bluesky")
        await card.get_by_role("button", name="Disconnect").click()
        dialog = page.get_by_role("dialog", name=re.compile("Disconnect sandbox.bsky.social"))
        await dialog.wait_for()
        assert await page.evaluate("document.activeElement.textContent.trim()") == "Cancel"
        await check_screen(page, "channels_disconnect_confirm")
        await dialog.get_by_role("button", name="Disconnect").click()
        await notice.filter(has_text="Disconnected sandbox.bsky.social.").wait_for()
        await until(page, "[...document.querySelectorAll('[data-testid=channel-health]')]"
                          ".some(b => b.textContent.includes('Not connected'))")
        assert "Connect the account" in await card.get_by_test_id("channel-advice").inner_text()
        assert await card.get_by_role("button", name="Disconnect").count() == 0
        assert (await _card(page, "Mastodon").get_by_test_id("channel-health").inner_text()).endswith("OK")
        await check_screen(page, "channels_after_disconnect")

        # Connect it again from its card: the handle is filled in, the app password is asked for.
        await card.get_by_role("button", name="Connect").click()
        assert await page.evaluate("document.activeElement.id") == "bluesky-app-password"
        assert await bluesky.get_by_label("Handle or email").input_value() == "sandbox.bsky.social"
        await page.keyboard.type("sandbox-app-password")
        await page.keyboard.press("Enter")
        await notice.filter(has_text="Connected sandbox.bsky.social on Bluesky.").wait_for()
        await until(page, "![...document.querySelectorAll('[data-testid=channel-health]')]"
                          ".some(b => b.textContent.includes('Not connected'))")

        # Reconnect Mastodon from its card: straight to the instance's consent page and back.
        await _card(page, "Mastodon").get_by_role("button", name="Reconnect").click()
        await page.get_by_role("button", name="Authorize").click()
        await page.wait_for_url(re.compile(r"/channels"))
        await notice.filter(has_text=re.compile(r"Connected \S+ on Mastodon\.")).wait_for()
        await until(page, "document.querySelectorAll('[data-testid=channel]').length === 2")  # the same channel, updated
    finally:
        await page.context.close()
    assert time.monotonic() - started < 30
