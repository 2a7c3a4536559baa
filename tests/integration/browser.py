"""What every browser test shares: Debian's Chromium through Playwright (never a downloaded browser),
pages that record Content-Security-Policy violations, polling that the CSP allows, axe-core checks
and screenshots of each screen the run walked."""

from __future__ import annotations

import asyncio
import re
import shutil
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.integration.ui_server import served_demo, served_ui

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# Every violation the page sees, as "<directive> <blocked URI>", collected from the first script on.
RECORD_VIOLATIONS = """window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"""
AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-screenshots"
WIDE, NARROW = {"width": 1280, "height": 900}, {"width": 390, "height": 844}  # a laptop, a phone


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    assert Path(CHROMIUM).exists() or shutil.which("chromium"), \
        "the browser test needs Debian's Chromium: `make install` as root installs it, else `sudo apt-get install chromium`"
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture(scope="module")
async def ui_url(container, settings) -> AsyncIterator[str]:
    """The real app serving the built UI, on the session's container."""
    async with served_ui(container, settings) as url:
        yield url


PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
async def demo_url(settings, database) -> AsyncIterator[str]:
    """`serve --demo` for one test module: every platform is the simulator mounted on the app itself."""
    async with served_demo(settings, database) as url:
        yield url


def new_email(prefix: str) -> str:
    """An address no other run has used: `<prefix>-<8 hex>@example.com`."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"


async def sign_up(page: Page, url: str, *, name: str, workspace: str, email: str, password: str = PASSWORD) -> None:
    """Sign up through the UI's form (a new workspace), and wait until the app shows its main navigation."""
    await page.goto(f"{url}/login?mode=signup")
    await page.get_by_label("Your name").fill(name)
    await page.get_by_label("Workspace name").fill(workspace)
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.locator("form").get_by_role("button", name="Sign up").click()  # 202, then the UI logs in
    await page.get_by_role("navigation", name="Main").wait_for(timeout=15_000)


async def watched_page(browser: Browser) -> Page:
    """A page in its own context (its own cookies) that records CSP violations from the start."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.add_init_script(RECORD_VIOLATIONS)
    return page


async def until(page: Page, expression: str, timeout: float = 15) -> None:
    """Poll from here: Playwright's wait_for_function evaluates strings in the page, which the CSP refuses."""
    deadline = time.monotonic() + timeout
    while not await page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        await asyncio.sleep(0.05)


@asynccontextmanager
async def explained(*pages: Page) -> AsyncIterator[None]:
    """On a failure inside, say what each page showed (its address and text, a screenshot in
    test-screenshots/failed-<n>.png): a wait that timed out otherwise names only the element it missed."""
    try:
        yield
    except Exception as failure:
        shown = []
        SCREENSHOTS.mkdir(exist_ok=True)
        for n, page in enumerate(pages):
            try:
                await page.screenshot(path=str(SCREENSHOTS / f"failed-{n}.png"), full_page=True)
                text = await page.evaluate("document.body.innerText")
                shown.append(f"page {n} at {page.url}:\n{' | '.join(text.split(chr(10)))[:3000]}")
            except Exception as unreadable:
                shown.append(f"page {n}: could not be read ({unreadable})")
        raise AssertionError("\n\n".join(shown)) from failure


async def violations(page: Page) -> list[str]:
    return await page.evaluate("window.__violations")


async def serious_accessibility_problems(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each.

    axe is injected through Playwright (a CDP script, exempt from the page's CSP), never fetched."""
    assert AXE.exists(), "axe-core is not installed: run `make install` (frontend devDependency axe-core)"
    await page.evaluate(AXE.read_text())
    result = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])} element(s), e.g. {v['nodes'][0]['target']})"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


async def check_screen(page: Page, name: str) -> None:
    """Every screen a journey reaches: saved as a screenshot, and no serious accessibility or CSP problem."""
    SCREENSHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert await serious_accessibility_problems(page) == [], name
    assert await violations(page) == [], name


async def connect_bluesky(page: Page) -> None:
    """On the Channels screen: the Bluesky sandbox account with its app password; waits until it is listed."""
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Channels").click()
    await page.wait_for_url(re.compile(r"/channels$"))
    bluesky = page.get_by_role("form", name="Bluesky")
    await bluesky.get_by_label("Handle or email").fill("sandbox.bsky.social")
    await bluesky.get_by_label("App password").fill("sandbox-app-password")
    await bluesky.get_by_role("button", name="Connect Bluesky").click()
    await page.get_by_test_id("channel").filter(has_text="Bluesky").wait_for()


async def connect_two_channels(page: Page) -> None:
    """On the Channels screen: Mastodon through the instance's consent page, then Bluesky with an app password."""
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Channels").click()
    await page.wait_for_url(re.compile(r"/channels$"))
    mastodon = page.get_by_role("form", name="Mastodon")
    await mastodon.get_by_label("Instance").fill("sandbox.social")
    await mastodon.get_by_role("button", name="Connect Mastodon").click()
    await page.get_by_role("button", name="Authorize").click()
    await page.wait_for_url(re.compile(r"/channels"))
    await page.get_by_test_id("channel").filter(has_text="Mastodon").wait_for()
    await connect_bluesky(page)
    await until(page, "document.querySelectorAll('[data-testid=channel]').length === 2")
