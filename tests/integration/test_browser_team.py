"""The Team page in a real browser (Debian's Chromium through Playwright) under the server's CSP: an
owner invites a teammate by email as an editor, copies the invitation link and sees it pending
(and cancels one sent by mistake); the teammate signs up
from the link and lands in the owner's workspace; the owner changes their role, is refused making
themself a viewer (the last owner), and turns on approval before scheduling. Someone who already
has an account accepts an invitation on the accept page. Each screen at 1280 px and 390 px."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlparse

from playwright.async_api import Page

from tests.integration.browser import (  # noqa: F401  (browser and ui_url are fixtures)
    PASSWORD,
    browser,
    check_screen,
    new_email,
    sign_up,
    ui_url,
    until,
    watched_page,
)

WORKSPACE = "Northwind Agency"


async def _open_team(page: Page) -> None:
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    await page.wait_for_url(re.compile(r"/team$"))
    await page.get_by_role("heading", level=1, name="Team").wait_for()
    await page.get_by_role("button", name="Save role of Olu").wait_for(timeout=10_000)  # the members are listed


async def _invite(page: Page, email: str, role: str) -> str:
    """Invite through the form; answers the invitation link shown (after copying it)."""
    form = page.get_by_role("form", name="Invite someone")
    await form.get_by_label("Email").fill(email)
    await form.get_by_label("Role").select_option(label=role)
    await form.get_by_role("button", name="Create invitation").click()
    sent = page.get_by_role("region", name=f"Invitation for {email}")
    await sent.wait_for()
    link = await sent.get_by_label("Invitation link").input_value()
    await sent.get_by_role("button", name="Copy link").click()
    await sent.get_by_role("status").filter(has_text="Link copied").wait_for()
    assert await page.evaluate("navigator.clipboard.readText()") == link
    return link


async def _both_widths(page: Page, name: str) -> None:
    await check_screen(page, name)
    await page.set_viewport_size({"width": 390, "height": 844})
    await check_screen(page, f"{name}_390")
    await page.set_viewport_size({"width": 1280, "height": 900})


async def _narrow_header(page: Page) -> None:
    """At 390 px with two workspaces the header is one row: the sections fold behind Menu (opened and
    closed from the keyboard), the workspace switcher stays, nothing overflows."""
    await page.set_viewport_size({"width": 390, "height": 844})
    banner, nav = page.get_by_role("banner"), page.get_by_role("navigation", name="Main")
    menu = banner.get_by_role("button", name="Menu")
    assert (await banner.bounding_box())["height"] < 80  # one row
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not await nav.is_visible() and await menu.get_attribute("aria-expanded") == "false"
    assert await banner.get_by_label("Workspace").is_visible()
    await menu.focus()
    await page.keyboard.press("Enter")
    await nav.get_by_role("link", name="Settings").wait_for()
    assert await menu.get_attribute("aria-expanded") == "true"
    await check_screen(page, "header_menu_390")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent.trim()") == "Calendar"
    await page.keyboard.press("Escape")
    assert not await nav.is_visible()
    assert await page.evaluate("document.activeElement.getAttribute('aria-controls')") == "main-nav"
    await menu.click()
    await nav.get_by_role("link", name="Team").click()  # following a link closes the menu
    await page.get_by_role("heading", level=1, name="Team").wait_for()
    assert not await nav.is_visible()
    await page.set_viewport_size({"width": 1280, "height": 900})
    assert await nav.is_visible() and not await menu.is_visible()
    assert (await banner.bounding_box())["height"] < 80  # one row


async def test_invite_a_teammate_change_roles_and_require_approval(browser, ui_url):  # noqa: F811
    started = time.monotonic()
    owner = await watched_page(browser)
    await owner.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=ui_url)
    await owner.set_viewport_size({"width": 1280, "height": 900})
    bo = await watched_page(browser)
    cy = await watched_page(browser)
    dee = await watched_page(browser)
    try:
        await sign_up(owner, ui_url, name="Olu", workspace=WORKSPACE, email=new_email("owner"))
        await _open_team(owner)
        await owner.locator(".name").filter(has_text=re.compile(r"^Olu \(you\)$")).wait_for()
        await _both_widths(owner, "team_members")

        # Invite Bo as an editor: a copyable sign-up link and its expiry with the zone.
        bo_email = new_email("bo")
        link = await _invite(owner, bo_email, "Editor")
        assert re.fullmatch(rf"{re.escape(ui_url)}/login\?mode=signup&invitation=[^&]+", link), link
        expiry = await owner.get_by_role("region", name=f"Invitation for {bo_email}").locator("#sent-expiry").inner_text()
        assert "UTC" in expiry, expiry
        pending = owner.get_by_role("list", name="Pending invitations")
        await pending.get_by_role("listitem").filter(has_text=bo_email).filter(has_text="invited by Olu").wait_for()
        await _both_widths(owner, "team_invitation")

        # An invitation sent by mistake is cancelled (after confirming) and leaves the list.
        wrong_email = new_email("wrong")
        await _invite(owner, wrong_email, "Viewer")
        await pending.get_by_role("button", name=f"Cancel the invitation for {wrong_email}").click()
        dialog = owner.get_by_role("dialog", name=f"Cancel the invitation for {wrong_email}?")
        await dialog.wait_for()
        await _both_widths(owner, "team_cancel_invitation")
        await dialog.get_by_role("button", name="Cancel invitation").click()
        await owner.get_by_role("status").filter(has_text=f"Invitation for {wrong_email} cancelled").wait_for()
        assert await pending.get_by_text(wrong_email).count() == 0

        # Bo opens the link in another browser, signs up (the code is filled in) and lands in the workspace.
        await bo.goto(link)
        await bo.get_by_role("heading", name="Join your team").wait_for(timeout=15_000)
        assert await bo.get_by_label("Invitation code").input_value() == parse_qs(urlparse(link).query)["invitation"][0]
        await bo.get_by_label("Your name").fill("Bo")
        await bo.get_by_label("Email").fill(bo_email)
        await bo.get_by_label("Password").fill(PASSWORD)
        await bo.locator("form").get_by_role("button", name="Sign up").click()
        await bo.get_by_role("navigation", name="Main").wait_for(timeout=15_000)
        await bo.get_by_role("banner").get_by_text(WORKSPACE).wait_for()

        # The owner sees Bo as an editor and makes them a reviewer.
        await owner.reload()
        await _open_team(owner)
        assert await owner.get_by_role("list", name="Pending invitations").get_by_text(bo_email).count() == 0  # accepted
        bo_role = owner.get_by_label("Role of Bo", exact=True)
        assert await bo_role.input_value() == "editor"
        await bo_role.select_option(label="Reviewer")
        await owner.get_by_role("button", name="Save role of Bo").click()
        await owner.get_by_role("status").filter(has_text="Bo is now reviewer.").wait_for()

        # The last owner cannot make themself a viewer: the server's reason is said, and focused.
        await owner.get_by_label("Role of Olu", exact=True).select_option(label="Viewer")
        await owner.get_by_role("button", name="Save role of Olu").click()
        refusal = owner.get_by_role("alert").filter(has_text="Could not change your role")
        await refusal.wait_for()
        assert "at least one owner" in await refusal.inner_text()
        assert await owner.evaluate("document.activeElement.getAttribute('role')") == "alert"
        assert await owner.get_by_label("Role of Olu", exact=True).input_value() == "owner"
        await _both_widths(owner, "team_last_owner")

        # Approval before scheduling, kept after a reload.
        approval = owner.get_by_label("Approval required before scheduling")
        assert not await approval.is_checked()
        await approval.check()
        await owner.get_by_role("button", name="Save settings").click()
        await owner.get_by_role("status").filter(has_text="Posts now need").wait_for()
        await owner.reload()
        await _open_team(owner)
        assert await owner.get_by_label("Approval required before scheduling").is_checked()
        assert await owner.get_by_label("Role of Bo", exact=True).input_value() == "reviewer"
        await _both_widths(owner, "team_approval")

        # Cy already has an account (and a workspace): they accept an invitation on the accept page.
        cy_email = new_email("cy")
        await sign_up(cy, ui_url, name="Cy", workspace="Cy's studio", email=cy_email)
        token = parse_qs(urlparse(await _invite(owner, cy_email, "Viewer")).query)["invitation"][0]
        await cy.goto(f"{ui_url}/invitations/accept?token={token}")
        await cy.get_by_role("heading", level=1, name="Accept an invitation").wait_for(timeout=15_000)
        code = cy.get_by_label("Invitation code")
        assert await code.input_value() == token
        await code.fill("made-up-code")
        await cy.get_by_role("button", name="Accept and join").click()
        await cy.get_by_role("alert").filter(has_text="Could not accept the invitation").wait_for()
        await _both_widths(cy, "invitation_accept_refused")
        await code.fill(token)
        await cy.get_by_role("button", name="Accept and join").click()
        await cy.get_by_role("heading", name=f"You joined {WORKSPACE}").wait_for()
        await cy.get_by_text("You are viewer there").wait_for()
        assert await cy.get_by_label("Workspace").input_value() != ""  # two workspaces now: the switcher appears
        await _both_widths(cy, "invitation_accepted")
        await _narrow_header(cy)

        # Dee has an account but is logged out: the invitation link's "Log in and accept" joins on log-in.
        dee_email = new_email("dee")
        await sign_up(dee, ui_url, name="Dee", workspace="Dee's desk", email=dee_email)
        await dee.get_by_role("button", name="Log out").click()
        await dee.get_by_role("banner").get_by_role("link", name="Log in", exact=True).wait_for()
        await dee.goto(await _invite(owner, dee_email, "Editor"))
        await dee.get_by_role("link", name="Log in and accept").click()
        await dee.get_by_role("heading", name="Log in to PostWizard").wait_for()
        await dee.get_by_label("Email").fill(dee_email)
        await dee.get_by_label("Password").fill(PASSWORD)
        await dee.locator("form").get_by_role("button", name="Log in").click()
        await dee.get_by_role("navigation", name="Main").wait_for(timeout=15_000)
        await until(dee, f"document.querySelector('#workspace-switcher')?.selectedOptions[0]?.text === {WORKSPACE!r}")
    finally:
        for page in (owner, bo, cy, dee):
            await page.context.close()
    assert time.monotonic() - started < 40  # with pending invitations and the narrow header, on 2 shared cores
