"""Announcing a change users watch: a row in `live_events` and a NOTIFY on `postwizard_live`, both in
the caller's transaction, so the announcement goes out when (and only if) the change commits, and
PostgreSQL delivers it to every listening API process.

The payload is the row as compact JSON (about 170 bytes, far under NOTIFY's 8000-byte limit): which
workspace, what kind of change ("metrics": a target's numbers; "target": its publishing state), the
post and channel, and the row's id, which browsers send back as `Last-Event-ID` to resume.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple
from uuid import UUID

from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.live.tables import live_events
from application.live.ports import ChangeKind

LIVE_CHANNEL = "postwizard_live"


class Change(NamedTuple):
    workspace_id: UUID
    kind: ChangeKind
    post_id: UUID
    channel_id: UUID


# One round trip: insert every row, then notify each with its id.
_ANNOUNCE = text(f"""
    WITH added AS (
        INSERT INTO live_events (workspace_id, kind, post_id, channel_id)
        SELECT * FROM unnest(CAST(:workspaces AS uuid[]), CAST(:kinds AS text[]), CAST(:posts AS uuid[]),
                             CAST(:channels AS uuid[]))
        RETURNING id, workspace_id, kind, post_id, channel_id)
    SELECT count(pg_notify('{LIVE_CHANNEL}', json_build_object(
        'id', id, 'workspace_id', workspace_id, 'kind', kind, 'post_id', post_id, 'channel_id', channel_id)::text))
    FROM (SELECT * FROM added ORDER BY id) AS ordered
""")


async def announce(conn: AsyncConnection, changes: Sequence[Change]) -> None:
    """Record and notify `changes` in `conn`'s transaction (nothing is sent if it rolls back)."""
    if not changes:
        return
    await conn.execute(_ANNOUNCE, {"workspaces": [c.workspace_id for c in changes], "kinds": [c.kind.value for c in changes],
                                   "posts": [c.post_id for c in changes], "channels": [c.channel_id for c in changes]})


KEPT_FOR = timedelta(hours=1)


async def prune(engine: AsyncEngine, now: datetime, kept_for: timedelta = KEPT_FOR) -> int:
    """Forget announcements older than `kept_for` (a browser away longer reloads what it shows)."""
    async with engine.begin() as conn:
        return (await conn.execute(delete(live_events).where(live_events.c.at < now - kept_for))).rowcount
