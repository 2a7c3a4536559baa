"""The built UI and /docs in a real browser (Debian's Chromium through Playwright) under the
Content-Security-Policy the server sends: the app renders, signs in and moves between pages,
and the browser reports no violation. A control run with the script hash taken out of the
policy shows that a violation would be seen."""

from __future__ import annotations

import re
import uuid

from playwright.async_api import Browser, Page, Route

from tests.integration.browser import (  # noqa: F401  (browser and ui_url are fixtures)
    RECORD_VIOLATIONS,
    browser,
    ui_url,
    until,
)
from tests.integration.ui_server import served_demo


async def _watched_page(chromium: Browser) -> tuple[Page, list[str]]:
    page = await chromium.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    await page.add_init_script(RECORD_VIOLATIONS)
    return page, console


async def _violations(page: Page, console: list[str]) -> list[str]:
    reported = await page.evaluate("window.__violations")
    return reported + [text for text in console if "Content Security Policy" in text]


async def test_the_built_ui_runs_under_its_policy(browser, ui_url):  # noqa: F811
    page, console = await _watched_page(browser)
    try:
        # A signed-out visitor's page is remembered through the login page and sign-up.
        response = await page.goto(f"{ui_url}/calendar?view=week")
        assert "'sha256-" in response.headers["content-security-policy"]
        await page.get_by_role("heading", name="Log in to PostWizard").wait_for(timeout=15_000)  # signed out -> /login
        assert page.url == f"{ui_url}/login?next=%2Fcalendar%3Fview%3Dweek"
        await page.get_by_text("Server and database OK").wait_for(timeout=15_000)  # fetch() to /health is allowed

        email = f"csp-{uuid.uuid4().hex[:8]}@example.com"
        await page.get_by_role("link", name="Create a workspace").click()
        await page.get_by_label("Your name").fill("Cai")
        await page.get_by_label("Workspace name").fill("Cai's team")
        await page.get_by_label("Email").fill(email)
        await page.get_by_label("Password").fill("correct horse battery")
        await page.locator("form").get_by_role("button", name="Sign up").click()  # signs up, then logs in
        nav = page.get_by_role("navigation", name="Main")
        await nav.wait_for(timeout=15_000)
        await page.wait_for_url(re.compile(r"/calendar\?view=week(&.*)?$"))  # the calendar adds its date
        for section in ("Campaigns", "Compose", "Channels", "Settings", "Calendar"):
            await nav.get_by_role("link", name=section).click()
            await page.wait_for_url(re.compile(f"/{section.lower()}(\\?.*)?$"))  # the calendar keeps its view in the query
            await page.get_by_role("heading", level=1).first.wait_for()

        # Logged out, a link to the queue leads through the login form back to the queue; a next that
        # leaves the site is ignored.
        await page.get_by_role("button", name="Log out").click()
        await page.get_by_role("heading", name="Log in to PostWizard").wait_for()
        await page.goto(f"{ui_url}/queue?status=failed")
        await page.wait_for_url(f"{ui_url}/login?next=%2Fqueue%3Fstatus%3Dfailed")
        await page.get_by_label("Email").fill(email)
        await page.get_by_label("Password").fill("correct horse battery")
        await page.locator("form").get_by_role("button", name="Log in").click()
        await page.wait_for_url(f"{ui_url}/queue?status=failed")
        await page.get_by_role("button", name="Log out").click()
        await page.get_by_role("heading", name="Log in to PostWizard").wait_for()
        await page.goto(f"{ui_url}/login?next=%2F%5Cevil.example")
        await page.get_by_label("Email").fill(email)
        await page.get_by_label("Password").fill("correct horse battery")
        await page.locator("form").get_by_role("button", name="Log in").click()
        await page.wait_for_url(re.compile(r"/calendar(\?.*)?$"))
        assert await _violations(page, console) == []
    finally:
        await page.close()


async def test_a_violation_would_be_seen(browser, ui_url):  # noqa: F811
    """Control: the same page with its script hash taken out of the policy does not start."""
    page, console = await _watched_page(browser)

    async def without_hash(route: Route) -> None:
        response = await route.fetch()
        policy = re.sub(r" 'sha256-[^']+'", "", response.headers["content-security-policy"])
        await route.fulfill(response=response, headers={**response.headers, "content-security-policy": policy})

    try:
        await page.route(f"{ui_url}/", without_hash)
        await page.goto(f"{ui_url}/")
        await until(page, "window.__violations.length > 0")
        assert any(v.startswith("script-src") for v in await _violations(page, console))
        assert await page.get_by_role("heading", name="Log in to PostWizard").count() == 0
    finally:
        await page.close()


async def test_docs_render_offline_under_their_policy(browser, ui_url):  # noqa: F811
    """Swagger UI and ReDoc come from this origin (the fastapi-offline wheel), so /docs and /redoc
    render every operation with no internet and no policy violation."""
    page, console = await _watched_page(browser)
    try:
        await page.route(lambda url: not url.startswith(ui_url), lambda route: route.abort())  # no internet, as here
        await page.goto(f"{ui_url}/docs")
        await until(page, "document.querySelectorAll('.opblock').length >= 40")
        await page.goto(f"{ui_url}/redoc")
        await until(page, "document.querySelectorAll('[data-section-id^=\\'operation/\\']').length >= 40")
        # ReDoc's footer links its vendor logo from their CDN: refused, so nothing leaves this origin.
        redoc_logo = "https://cdn.redoc.ly/redoc/logo-mini.svg"
        assert [v for v in await _violations(page, console) if redoc_logo not in v] == []
    finally:
        await page.close()


async def test_demo_consent_pages_work_under_the_simulator_policy(browser, settings, database):  # noqa: F811
    """`serve --demo`: the simulator's Mastodon and X consent pages (no script, inline styles, a form
    posting to this origin, then a redirect to the OAuth callback) connect a channel."""
    async with served_demo(settings, database) as demo_url:
        await _connect_through_consent_pages(browser, demo_url)


async def _connect_through_consent_pages(chromium: Browser, base_url: str) -> None:
    context = await chromium.new_context()
    page = await context.new_page()
    await page.add_init_script(RECORD_VIOLATIONS)
    try:
        email = f"demo-{uuid.uuid4().hex[:8]}@example.com"
        account = {"email": email, "password": "correct horse battery"}
        await context.request.post(f"{base_url}/api/auth/signup", data={**account, "name": "Dee", "workspace_name": "D"})
        me = await (await context.request.post(f"{base_url}/api/auth/login", data=account)).json()
        for platform, extra in (("mastodon", {"instance_url": "sandbox.social"}), ("x", {})):
            r = await context.request.post(f"{base_url}/api/workspaces/{me['workspaces'][0]['id']}/channels/connect",
                                           data={"platform": platform, **extra}, headers={"X-CSRF-Token": me["csrf_token"]})
            assert r.status == 200, await r.text()
            authorization_url = (await r.json())["authorization_url"]
            assert authorization_url.startswith(f"{base_url}/simulator/")
            consent = await page.goto(authorization_url)
            assert "script-src 'none'" in consent.headers["content-security-policy"]
            await page.locator("button[type=submit]").first.click()  # Authorize
            await page.wait_for_url(re.compile(r"/channels\?.*connected="))
        assert await page.evaluate("window.__violations") == []
    finally:
        await context.close()
