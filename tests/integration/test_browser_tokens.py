"""Personal API tokens from the Settings page, in a real browser (Debian's Chromium through
Playwright) under the server's Content-Security-Policy: sign up, create a token and read its
secret (shown once, focused, copyable), use it from a script, revoke it in the UI, and see the
script refused. An expired token is listed as such."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from application.identity.commands import CreateApiToken
from application.identity.create_api_token import CreateApiTokenHandler
from tests.integration.browser import CHROMIUM, CHROMIUM_ARGS, RECORD_VIOLATIONS, new_email, sign_up, ui_url  # noqa: F401  (ui_url is a fixture)

SCREENSHOTS = Path("/tmp/pw")


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    assert Path(CHROMIUM).exists() or shutil.which("chromium"), \
        "the browser test needs Debian's Chromium: `make install` as root installs it, else `sudo apt-get install chromium`"
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


class _FortyDaysAgo:
    def now(self) -> datetime:
        return datetime.now(UTC) - timedelta(days=40)



async def _violations(page: Page, console: list[str]) -> list[str]:
    reported = await page.evaluate("window.__violations")
    return reported + [text for text in console if "Content Security Policy" in text]


async def test_create_use_and_revoke_a_token_from_settings(browser, ui_url, container):  # noqa: F811
    started = time.monotonic()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=ui_url)
    page = await context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    await page.add_init_script(RECORD_VIOLATIONS)
    try:
        await sign_up(page, ui_url, name="Toni", workspace="Toni's team", email=new_email("tokens"))
        await page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
        await page.wait_for_url(re.compile(r"/settings$"))
        section = page.get_by_role("region", name="API tokens")
        await section.get_by_text("You have no API tokens.").wait_for()

        # A blank name is refused by the server; its message shows beside the field.
        name = section.get_by_label("Name", exact=True)
        await name.fill("   ")
        await section.get_by_role("button", name="Create token").click()
        await section.locator("#token-name-error").wait_for()
        assert "1 to 80 characters" in await section.locator("#token-name-error").inner_text()
        assert await name.get_attribute("aria-invalid") == "true"
        assert "token-name-error" in await name.get_attribute("aria-describedby")

        # Create: the secret is shown once, with its warning, and takes focus.
        await name.fill("Nightly export")
        await section.get_by_label("Expires").select_option(label="In 30 days")
        await section.get_by_role("button", name="Create token").click()
        secret_box = section.get_by_label("Token secret")
        await secret_box.wait_for()
        secret = await secret_box.input_value()
        assert secret.startswith("pw_")
        assert await page.evaluate("document.activeElement.id") == "token-secret"
        assert await name.get_attribute("aria-invalid") is None  # the earlier error is cleared
        await section.get_by_text("Store it now, it will not be shown again.").wait_for()
        await section.get_by_role("button", name="Copy", exact=True).click()
        await section.get_by_text("Copied to the clipboard.").wait_for()
        assert await page.evaluate("navigator.clipboard.readText()") == secret
        row = section.get_by_test_id("api-token").filter(has_text="Nightly export")
        await row.wait_for()
        assert re.search(r"Never", await row.locator("td").nth(1).inner_text())  # last used
        await page.screenshot(path=SCREENSHOTS / "settings_token_secret.png", full_page=True)

        async with httpx.AsyncClient(base_url=ui_url, timeout=10) as script:
            bearer = {"Authorization": f"Bearer {secret}"}
            me = await script.get("/api/auth/me", headers=bearer)
            assert me.status_code == 200, me.text

            # An expired token of the same user is listed and marked (created 40 days ago for 30).
            await CreateApiTokenHandler(container.uow(), _FortyDaysAgo(), container.ids())(
                CreateApiToken(user_id=UUID(me.json()["id"]), name="Old import", expires_in_days=30))

            # After a reload the secret is gone for good; the list shows the use and the expired token.
            await page.reload()
            await row.wait_for()
            assert await section.get_by_label("Token secret").count() == 0
            assert secret not in await page.content()
            assert not re.search(r"Never", await row.locator("td").nth(1).inner_text())
            expired = section.get_by_test_id("api-token").filter(has_text="Old import")
            await expired.get_by_text("Expired").wait_for()
            assert "Expired" not in await row.inner_text()
            await page.screenshot(path=SCREENSHOTS / "settings_tokens.png", full_page=True)

            # Revoke, with a confirmation; the list updates and the script is refused at once.
            await row.get_by_role("button", name="Revoke “Nightly export”").click()
            confirm = page.get_by_role("dialog", name="Revoke “Nightly export”?")
            await confirm.wait_for()
            assert await page.evaluate("document.activeElement.textContent.trim()") == "Cancel"
            await confirm.get_by_role("button", name="Revoke token").click()
            await section.get_by_role("status").filter(has_text="Token “Nightly export” revoked").wait_for()
            await confirm.wait_for(state="hidden")
            await row.wait_for(state="detached")
            assert await section.get_by_test_id("api-token").count() == 1  # the expired one stays listed
            assert (await script.get("/api/auth/me", headers=bearer)).status_code == 401

        assert await _violations(page, console) == []
    finally:
        await context.close()
    assert time.monotonic() - started < 20
