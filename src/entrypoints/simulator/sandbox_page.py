"""The simulator's "Sandbox controls" page (`/_sandbox`): the part of the control API a person needs in a
browser, as plain server-rendered forms (the simulator's pages run no script).

It lists the sandbox accounts of every platform and lets one refuse an account's token: from then on the
platform answers every authenticated request of that account as it does for a token the user revoked
(401 on Mastodon and X, ExpiredToken on Bluesky), exactly as `PUT /_control/faults/{platform}?handle=`
with `{"auth_fail": true}` does. "Accept again" lifts it; the account's other injected faults stay.
A demo user walks journey 5 of product.md with it: refuse, watch the post fail with "Reconnect this
channel", accept again, reconnect, retry.
"""

from __future__ import annotations

import dataclasses
import html

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import HTMLResponse, RedirectResponse

from entrypoints.simulator.state import SimulatorState

router = APIRouter(prefix="/_sandbox", tags=["sandbox controls"], include_in_schema=False)

PLATFORM_NAMES = {"mastodon": "Mastodon", "bluesky": "Bluesky", "x": "X"}


def _state(request: Request) -> SimulatorState:
    return request.app.state.simulator


def _refused(state: SimulatorState, platform: str, handle: str) -> bool:
    faults = state.faults.get((platform, handle))
    return faults is not None and faults.auth_fail


def _account_item(request: Request, state: SimulatorState, platform: str, handle: str) -> str:
    name = f"{PLATFORM_NAMES.get(platform, platform)} · {handle}"
    refused = _refused(state, platform, handle)
    action = "accept" if refused else "refuse"
    url = request.url_for("sandbox_token", platform=platform, handle=handle, action=action)
    status = ('<strong class="refused">Token refused:</strong> every request of this account is answered as '
              'for a revoked token.' if refused else '<strong>Token accepted:</strong> requests go through.')
    button = "Accept again" if refused else "Refuse this account’s token (401)"
    return (f'<li><form method="post" action="{html.escape(str(url))}" aria-label="{html.escape(name)}" '
            f'data-state="{"refused" if refused else "accepted"}"><h3>{html.escape(name)}</h3>'
            f'<p>{status}</p><button type="submit">{button}</button></form></li>')


@router.get("", name="sandbox_page", response_class=HTMLResponse)
async def sandbox_page(request: Request) -> HTMLResponse:
    state = _state(request)
    sections = []
    for platform, title in PLATFORM_NAMES.items():
        handles = [handle for (p, handle) in state.accounts if p == platform]
        items = "".join(_account_item(request, state, platform, handle) for handle in handles)
        sections.append(f'<section aria-labelledby="sandbox-{platform}"><h2 id="sandbox-{platform}">{title}</h2>'
                        f'<ul>{items or "<li>No sandbox account.</li>"}</ul></section>')
    return HTMLResponse(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox controls - PostWizard simulator</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1c1f26;background:#fff}}
ul{{list-style:none;padding:0}} li{{margin:.6rem 0}} h3{{margin:0 0 .3rem;font-size:1rem}} p{{margin:.3rem 0}}
form{{border:1px solid #8a93a3;border-radius:6px;padding:.8rem 1rem}} form[data-state=refused]{{border-color:#b3261e}}
.refused{{color:#b3261e}} button{{font-size:1rem;padding:.5rem 1rem;border-radius:4px;border:1px solid #1c1f26;
background:#1c1f26;color:#fff;cursor:pointer}} .note{{color:#4a5160}}
@media (prefers-color-scheme: dark){{body{{background:#15171c;color:#eceef2}} .note{{color:#b6bcc8}}
.refused{{color:#ff9a8f}} form[data-state=refused]{{border-color:#ff9a8f}} button{{background:#eceef2;color:#15171c;border-color:#eceef2}}}}
</style></head>
<body><h1>Sandbox controls</h1>
<p class="note">The simulated platforms of this PostWizard demo. Refusing an account’s token makes its platform
answer as if the user had revoked PostWizard’s access, so its posts fail with “Reconnect this channel”.</p>
{"".join(sections)}
</body></html>""")


@router.post("/accounts/{platform}/{handle}/{action}", name="sandbox_token")
async def sandbox_token(request: Request, platform: str, handle: str, action: str) -> RedirectResponse:
    """`refuse` or `accept` the account's token; back to the page (303, so a reload does not post again)."""
    state = _state(request)
    if state.account(platform, handle) is None:
        raise HTTPException(404, f"no {platform} sandbox account {handle}")
    if action not in ("refuse", "accept"):
        raise HTTPException(404, f"unknown action {action}: refuse or accept")
    current = state.faults.get((platform, handle))
    if current is None and action == "refuse":
        state.faults[(platform, handle)] = dataclasses.replace(state.faults_for(platform, None), auth_fail=True)
    elif current is not None:
        state.faults[(platform, handle)] = dataclasses.replace(current, auth_fail=action == "refuse")
    return RedirectResponse(str(request.url_for("sandbox_page")), status_code=303)
