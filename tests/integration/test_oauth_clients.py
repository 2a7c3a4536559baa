"""PostWizard's OAuth clients on real PostgreSQL: two registrations racing for one platform instance
and redirect URI store one client, and both connections go on with that one."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from uuid import uuid4

from adapters.channels.repository import SqlOAuthClients
from adapters.shared.database import create_engine
from application.channels.ports import StoredOAuthClient


def _client(base_url: str, client_id: str) -> StoredOAuthClient:
    return StoredOAuthClient(platform="mastodon", base_url=base_url, redirect_uri="https://pw.example/api/oauth/callback",
                             client_id=client_id, client_secret_encrypted=None,
                             created_at=datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc))


async def test_the_client_stored_first_wins_a_race_and_is_what_both_get(database):
    base_url = f"https://{uuid4().hex}.example"
    first, second = _client(base_url, "first"), _client(base_url, "second")
    engine = create_engine(database, pool_size=2)
    try:
        async with engine.connect() as a, engine.connect() as b:
            await a.begin()
            await b.begin()
            assert await SqlOAuthClients(a).add(first) == first
            racing = asyncio.create_task(SqlOAuthClients(b).add(second))
            await asyncio.sleep(0.3)
            assert not racing.done()  # it waits for the first registration's transaction
            await a.commit()
            assert await asyncio.wait_for(racing, 10) == first
            await b.commit()
        async with engine.connect() as c:
            assert await SqlOAuthClients(c).get("mastodon", base_url, first.redirect_uri) == first
    finally:
        await engine.dispose()
