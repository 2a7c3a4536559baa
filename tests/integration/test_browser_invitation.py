"""Sign-up by invitation in a real browser (Debian's Chromium through Playwright) on an installation
with POSTWIZARD_SIGNUP=invite, under the server's Content-Security-Policy: the owner (first user)
invites by email; the invitation link opens the sign-up form with its code filled in and no
workspace to name, the server's refusals show beside their fields, and the invited person lands
in the owner's workspace. Someone signing up without an invitation is asked for its code."""

from __future__ import annotations

import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from dependency_injector import providers
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from adapters.identity.password_hasher import Argon2PasswordHasher
from entrypoints.api.app import create_app
from entrypoints.container import build_container, shutdown
from entrypoints.settings import Settings
from tests.integration.browser import CHROMIUM, CHROMIUM_ARGS, RECORD_VIOLATIONS
from tests.integration.conftest import _free_port, _served
from tests.integration.ui_server import UI_BUILD

SCREENSHOTS = Path("/tmp/pw")
PASSWORD = "correct horse battery"
WORKSPACE = "Northwind Agency"
INVITEE = "bo@example.com"


@dataclass
class Installation:
    url: str
    token: str  # an invitation to WORKSPACE for INVITEE, as an editor


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    assert Path(CHROMIUM).exists() or shutil.which("chromium"), \
        "the browser test needs Debian's Chromium: `make install` as root installs it, else `sudo apt-get install chromium`"
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def invite_only(fresh_database, tmp_path) -> AsyncIterator[Installation]:
    """A fresh installation serving the built UI with sign-up by invitation, whose first user owns
    WORKSPACE and has invited INVITEE (through the API, as a script would)."""
    assert (UI_BUILD / "index.html").exists(), "the UI is not built: run `make frontend` (or `cd frontend && npm run build`)"
    port = _free_port()
    settings = Settings(database_url=fresh_database.libpq_url(), data_dir=tmp_path / "data", frontend_dir=UI_BUILD,
                        public_url=f"http://127.0.0.1:{port}", signup="invite")
    assert settings.signup_mode() == "invite"
    container = build_container(settings, fresh_database)
    container.hasher.override(providers.Singleton(Argon2PasswordHasher, time_cost=1, memory_cost=1024, parallelism=1))
    try:
        async with _served(create_app(container, settings, background=False, close_container=False), port) as url:
            async with httpx.AsyncClient(base_url=url, timeout=10) as owner:
                account = {"email": "owner@example.com", "password": PASSWORD}
                r = await owner.post("/api/auth/signup", json={**account, "name": "Olu", "workspace_name": WORKSPACE})
                assert r.status_code == 202, r.text  # the first user may always sign up
                me = (await owner.post("/api/auth/login", json=account)).json()
                r = await owner.post(f"/api/workspaces/{me['workspaces'][0]['id']}/invitations",
                                     json={"email": INVITEE, "role": "editor"}, headers={"X-CSRF-Token": me["csrf_token"]})
                assert r.status_code == 201, r.text
            yield Installation(url, r.json()["token"])
    finally:
        await shutdown(container)


async def _new_page(browser: Browser) -> tuple[BrowserContext, Page, list[str]]:
    context = await browser.new_context(viewport={"width": 1000, "height": 900})
    page = await context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    await page.add_init_script(RECORD_VIOLATIONS)
    return context, page, console


async def _violations(page: Page, console: list[str]) -> list[str]:
    reported = await page.evaluate("window.__violations")
    return reported + [text for text in console if "Content Security Policy" in text]


async def _refused(page: Page, title: str) -> None:
    """The error summary appears with `title` and takes focus."""
    summary = page.get_by_role("alert").filter(has_text=title)
    await summary.wait_for()
    assert await page.evaluate("document.activeElement.getAttribute('role')") == "alert"


async def test_an_invited_teammate_signs_up_from_the_link_and_lands_in_the_workspace(browser, invite_only):
    started = time.monotonic()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context, page, console = await _new_page(browser)
    try:
        await page.goto(f"{invite_only.url}/login?mode=signup&invitation={invite_only.token}")
        await page.get_by_role("heading", name="Join your team").wait_for(timeout=15_000)
        await page.get_by_role("region", name="You were invited").wait_for()
        code = page.get_by_label("Invitation code")
        assert await code.input_value() == invite_only.token  # prefilled, and editable
        assert await code.is_editable()
        assert await page.get_by_label("Workspace name").count() == 0  # joining: nothing to create

        await page.get_by_label("Your name").fill("Bo")
        await page.get_by_label("Email").fill(INVITEE)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.screenshot(path=SCREENSHOTS / "signup_invited.png", full_page=True)
        sign_up = page.locator("form").get_by_role("button", name="Sign up")

        # A code the server does not know: its message beside the code, which is marked invalid.
        await code.fill("made-up-code")
        await sign_up.click()
        await _refused(page, "The request is invalid")
        error = page.locator("#invitation_token-error")
        assert "is not a valid invitation" in await error.inner_text()
        assert await code.get_attribute("aria-invalid") == "true"
        assert "invitation_token-error" in await code.get_attribute("aria-describedby")

        # The right code for another email: the message is beside the email.
        await code.fill(invite_only.token)
        await page.get_by_label("Email").fill("someone-else@example.com")
        await sign_up.click()
        await page.locator("#email-error").filter(has_text="this invitation is for another email address").wait_for()
        assert await code.get_attribute("aria-invalid") is None  # the earlier error is cleared
        assert await page.get_by_label("Email").get_attribute("aria-invalid") == "true"

        # Fixed: signed up, logged in, in the owner's workspace (named in the header).
        await page.get_by_label("Email").fill(INVITEE)
        await sign_up.click()
        await page.get_by_role("navigation", name="Main").wait_for(timeout=15_000)
        await page.get_by_role("banner").get_by_text(WORKSPACE).wait_for()
        me = await (await context.request.get(f"{invite_only.url}/api/auth/me")).json()
        assert (me["email"], [(w["name"], w["role"]) for w in me["workspaces"]]) == (INVITEE, [(WORKSPACE, "editor")])
        assert await _violations(page, console) == []
    finally:
        await context.close()
    assert time.monotonic() - started < 20


async def test_sign_up_without_an_invitation_asks_for_its_code(browser, invite_only):
    started = time.monotonic()
    context, page, console = await _new_page(browser)
    try:
        await page.goto(f"{invite_only.url}/login?mode=signup")
        await page.get_by_role("heading", name="Create your workspace").wait_for(timeout=15_000)
        assert await page.get_by_label("Invitation code").count() == 0  # not until the server asks
        await page.get_by_label("Your name").fill("Eve")
        await page.get_by_label("Workspace name").fill("Eve's team")
        await page.get_by_label("Email").fill("eve@example.com")
        await page.get_by_label("Password").fill(PASSWORD)
        await page.locator("form").get_by_role("button", name="Sign up").click()

        await _refused(page, "Sign-up is by invitation")
        code = page.get_by_label("Invitation code")
        await code.wait_for()
        hint = page.locator("#invitation_token-hint")
        assert "ask a workspace owner to invite you" in (await hint.inner_text()).lower()
        assert "invitation_token-hint" in await code.get_attribute("aria-describedby")
        assert await code.get_attribute("required") is not None
        assert await page.get_by_role("navigation", name="Main").count() == 0  # nobody logged in

        # With a code there is no workspace of one's own to name.
        await code.fill("a-code")
        await page.get_by_label("Workspace name").wait_for(state="detached")
        await page.get_by_role("heading", name="Join your team").wait_for()
        await page.screenshot(path=SCREENSHOTS / "signup_invitation_required.png", full_page=True)
        assert await _violations(page, console) == []
    finally:
        await context.close()
    assert time.monotonic() - started < 20
