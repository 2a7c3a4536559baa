"""Schemathesis fuzzes every operation of /openapi.json, authenticated, against the real app over a
socket: whatever it sends (control characters, huge numbers, odd dates, unknown fields), the
server never answers 5xx. Bounded (a few examples per operation) and seeded, so a failure
reproduces with the command it prints."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

from tests.integration.users import sign_up

SEED = 20261201
EXAMPLES = 10


async def test_fuzzing_every_operation_finds_no_server_error(base_url, tmp_path: Path):
    ann = await sign_up(base_url, "Fuzz")
    r = await ann.client.post("/api/auth/tokens", json={"name": "fuzzer"})
    assert r.status_code == 201, r.text
    channel = await ann.channel()
    campaign = await ann.campaign()
    post = await ann.draft([channel], campaign_id=campaign["id"])
    config = tmp_path / "schemathesis.toml"
    # Known ids for path parameters, so operations get past "not found" into their handlers.
    config.write_text(f"""
headers = {{ Authorization = "Bearer {r.json()['token']}" }}

[parameters]
"path.workspace_id" = "{ann.workspace_id}"
"path.post_id" = "{post['id']}"
"path.campaign_id" = "{campaign['id']}"
"path.channel_id" = "{channel}"
""")
    command = [str(Path(sys.executable).parent / "st"), "--config-file", str(config), "run", f"{base_url}/openapi.json",
               "--checks", "not_a_server_error", "--max-examples", str(EXAMPLES), "--seed", str(SEED),
               "--phases", "examples,coverage,fuzzing", "--workers", "1", "--no-shrink", "--no-color",
               "--generation-database", "none", "--request-timeout", "20", "--max-failures", "20"]
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""}, cwd=tmp_path)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=600)
    report = output.decode(errors="replace")
    assert process.returncode == 0, report[-20_000:]
    tested = re.search(r"Tested: (\d+)", report)
    assert tested and int(tested.group(1)) >= 40, report[-5_000:]  # every operation, not a lucky few
