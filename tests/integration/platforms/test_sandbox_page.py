"""The simulator's Sandbox controls page: a person refuses an account's token with a form, and the
platform then answers that account as for a revoked token (401 on Mastodon) until "Accept again"."""

from __future__ import annotations

import re

import httpx

from entrypoints.simulator.state import SimulatorState


async def _credentials_status(simulator_url: str, token: str) -> int:
    async with httpx.AsyncClient(base_url=simulator_url) as client:
        r = await client.get("/mastodon/api/v1/accounts/verify_credentials",
                             headers={"Authorization": f"Bearer {token}"})
        return r.status_code


async def test_refuse_an_accounts_token_and_accept_it_again(simulator_url: str, sim_state: SimulatorState, control):
    token = sim_state.issue_token("mastodon", "sandbox", scopes="read write").token
    assert await _credentials_status(simulator_url, token) == 200
    async with httpx.AsyncClient(base_url=simulator_url) as browser:
        page = await browser.get("/_sandbox")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        # Every sandbox account is listed with its own form; none is refused yet.
        for name in ("Mastodon · sandbox", "Bluesky · sandbox.bsky.social", "X · sandbox_x"):
            assert f'aria-label="{name}" data-state="accepted"' in page.text, name
        refuse = re.search(r'action="([^"]+/accounts/mastodon/sandbox/refuse)"', page.text)
        assert refuse, page.text

        r = await browser.post(refuse.group(1))
        assert r.status_code == 303 and r.headers["location"].endswith("/_sandbox")
        assert await _credentials_status(simulator_url, token) == 401
        page = await browser.get("/_sandbox")
        assert 'aria-label="Mastodon · sandbox" data-state="refused"' in page.text
        assert "Accept again" in page.text
        assert 'aria-label="Bluesky · sandbox.bsky.social" data-state="accepted"' in page.text  # one account only

        accept = re.search(r'action="([^"]+/accounts/mastodon/sandbox/accept)"', page.text)
        assert accept, page.text
        assert (await browser.post(accept.group(1))).status_code == 303
        assert await _credentials_status(simulator_url, token) == 200


async def test_an_unknown_account_or_action_is_not_found(simulator_url: str, control):
    async with httpx.AsyncClient(base_url=simulator_url) as browser:
        assert (await browser.post("/_sandbox/accounts/mastodon/nobody/refuse")).status_code == 404
        assert (await browser.post("/_sandbox/accounts/mastodon/sandbox/delete")).status_code == 404
