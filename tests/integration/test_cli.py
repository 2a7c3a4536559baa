"""The CLI as a user runs it: real processes, the same handlers as the API, the same database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.integration.users import sign_up

CLI = str(Path(sys.executable).with_name("postwizard"))


async def _cli(settings, *args: str, input: str | None = None,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the CLI in a thread: the app under test shares this event loop and must keep serving."""
    env = {**os.environ, "POSTWIZARD_DATABASE_URL": settings.database_url,
           "POSTWIZARD_DATA_DIR": str(settings.data_dir), "POSTWIZARD_SIMULATOR_URL": settings.simulator_url,
           "COLUMNS": "220", **(env or {})}
    return await asyncio.to_thread(subprocess.run, [CLI, *args], env=env, input=input, capture_output=True,
                                   text=True, timeout=120)


async def test_user_create_post_schedule_and_list(settings, base_url):
    email = f"cli-{os.getpid()}@example.com"
    r = await _cli(settings, "user", "create", "--email", email, "--name", "Cli", "--workspace-name", "Shell",
             input="correct horse battery\ncorrect horse battery\n")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "owner of workspace Shell" in r.stdout

    # The API sees the CLI's user: log in, add a channel.
    async with httpx.AsyncClient(base_url=base_url) as client:
        login = await client.post("/api/auth/login", json={"email": email, "password": "correct horse battery"})
        assert login.status_code == 200
        ws = login.json()["workspaces"][0]["id"]
        client.headers["X-CSRF-Token"] = login.json()["csrf_token"]
        channel = (await client.post(f"/api/workspaces/{ws}/channels",
                                     json={"platform": "bluesky", "handle": "cli.bsky.social"})).json()["id"]

        r = await _cli(settings, "post", "schedule", "-u", email, "--channel", channel, "--text", "From the shell",
                 "--at", "2030-06-01T09:00", "--timezone", "Europe/Berlin")
        assert r.returncode == 0, r.stdout + r.stderr
        assert "scheduled post" in r.stdout

        # ... and the API shows the CLI's post right away.
        cal = await client.get(f"/api/workspaces/{ws}/calendar",
                               params={"start": "2030-06-01T00:00:00Z", "end": "2030-06-02T00:00:00Z"})
        assert [(e["preview"], e["scheduled_at"]) for e in cal.json()] == [("From the shell", "2030-06-01T07:00:00Z")]

    r = await _cli(settings, "post", "list", "-u", email, "--status", "scheduled")
    assert r.returncode == 0 and "From the shell" in r.stdout


async def test_cli_errors_are_one_readable_line_and_store_nothing(settings, base_url):
    ann = await sign_up(base_url)
    channel = await ann.channel("x", "@cli_errors")
    r = await _cli(settings, "post", "schedule", "-u", ann.email, "--channel", channel, "--text", "x" * 300,
             "--at", "2030-06-01T09:00", "--timezone", "UTC")
    assert r.returncode == 1
    assert "refused (platform_rules.text_too_long)" in r.stdout and "Traceback" not in r.stdout + r.stderr
    assert (await ann.get("/posts")).json() == []  # the draft was not stored either

    r = await _cli(settings, "post", "schedule", "-u", ann.email, "--channel", channel, "--text", "ok",
             "--at", "2030-06-01T09:00", "--timezone", "Nowhere/City")
    assert r.returncode == 1 and "invalid timezone" in r.stdout


async def test_channels_and_a_posts_targets_and_history_from_the_cli(settings, base_url):
    ann = await sign_up(base_url)
    r = await _cli(settings, "channel", "connect-bluesky", "-u", ann.email, "--identifier", "sandbox.bsky.social",
                   input="sandbox-app-password\n")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "connected sandbox.bsky.social" in r.stdout and "health ok" in r.stdout
    channel = (await ann.get("/channels")).json()[0]
    assert channel["health"] == "ok"

    r = await _cli(settings, "channel", "list", "-u", ann.email)
    assert r.returncode == 0 and "sandbox.bsky.social" in r.stdout and "ok" in r.stdout

    post = await ann.draft([channel["id"]], "Shown in the shell", schedule_at="2031-01-01T10:00", timezone="UTC")
    r = await _cli(settings, "post", "show", post["id"], "-u", ann.email)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Drafted" in r.stdout and "Scheduled" in r.stdout and "scheduled" in r.stdout

    r = await _cli(settings, "post", "retry", post["id"], "--channel", channel["id"], "-u", ann.email)
    assert r.returncode == 1 and "retry_not_failed" in r.stdout

    r = await _cli(settings, "channel", "disconnect", channel["id"], "-u", ann.email)
    assert r.returncode == 0
    assert (await ann.get("/channels")).json()[0]["health"] == "not_connected"
