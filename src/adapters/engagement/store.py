"""Engagement storage on PostgreSQL: the snapshot series is appended with COPY (asyncpg's
`copy_records_to_table`, on the raw driver connection of the SQLAlchemy transaction), and each
target's polling state is updated in the same transaction, so a point and the state that follows
from it are stored together or not at all; each new point is announced live (`adapters.live.journal`)
in that transaction too.

Only changes are stored (the aggregate skips a read that found the same numbers): a target's series
is at most a few hundred rows over its 90 days of polling, so every point is kept (no roll-up is
needed for the per-target series; channel and campaign roll-ups come with those queries).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.engagement.tables import engagement_snapshots, engagement_targets
from adapters.live.journal import Change, announce
from application.engagement.ports import TargetRead, TrackedTarget
from application.live.ports import ChangeKind
from domain.engagement.engagement import METRICS, Counters, Snapshot

SNAPSHOT_COLUMNS = ("workspace_id", "post_id", "channel_id", "platform", "remote_id", "captured_at", *METRICS, "flags")
_t = engagement_targets


def _by_key() -> Any:
    return and_(_t.c.workspace_id == bindparam("k_workspace"), _t.c.post_id == bindparam("k_post"),
                _t.c.channel_id == bindparam("k_channel"))


# One statement per kind of read, each sent once for the whole batch (executemany).
_CHANGED = update(_t).where(_by_key()).values(
    **{name: bindparam(f"v_{name}") for name in METRICS}, flags=bindparam("v_flags"),
    changed_at=bindparam("v_read_at"), captured_at=bindparam("v_read_at"), unchanged=bindparam("v_unchanged"),
    next_poll_at=bindparam("v_next"), error=None)
_SAME = update(_t).where(_by_key()).values(
    captured_at=bindparam("v_read_at"), unchanged=bindparam("v_unchanged"), next_poll_at=bindparam("v_next"), error=None)
_FAILED = update(_t).where(_by_key()).values(
    unchanged=bindparam("v_unchanged"), next_poll_at=bindparam("v_next"), error=bindparam("v_error"))


def snapshot_record(target: TrackedTarget, snapshot: Snapshot) -> tuple:
    """One row of `engagement_snapshots`, in SNAPSHOT_COLUMNS order."""
    counters = snapshot.counters
    return (target.workspace_id, target.post_id, target.channel_id, target.platform, target.remote_id,
            snapshot.taken_at, *(getattr(counters, name) for name in METRICS), list(snapshot.flags))


def tracked(row: Any) -> TrackedTarget:
    latest = None
    if row.changed_at is not None:
        latest = Snapshot(row.changed_at, Counters(**{name: getattr(row, name) for name in METRICS}), tuple(row.flags))
    return TrackedTarget(row.workspace_id, row.post_id, row.channel_id, row.platform, row.remote_id, row.published_at,
                         latest, row.unchanged)


class SqlEngagementStore:
    """Implements EngagementStore."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def due(self, workspace_id: UUID, channel_id: UUID, now: datetime, limit: int) -> list[TrackedTarget]:
        query = (select(_t).where(_t.c.workspace_id == workspace_id, _t.c.channel_id == channel_id,
                                  _t.c.next_poll_at <= now)
                 .order_by(_t.c.next_poll_at).limit(limit))
        async with self.engine.connect() as conn:
            return [tracked(row) for row in await conn.execute(query)]

    async def save(self, reads: Sequence[TargetRead]) -> None:
        changed, same, failed, records, news = [], [], [], [], []
        for read in reads:
            target = read.target
            params: dict[str, Any] = {"k_workspace": target.workspace_id, "k_post": target.post_id,
                                      "k_channel": target.channel_id, "v_unchanged": read.unchanged,
                                      "v_next": read.next_poll_at}
            if read.error is not None:
                failed.append({**params, "v_error": read.error})
            elif read.snapshot is not None:
                counters = read.snapshot.counters
                changed.append({**params, "v_read_at": read.read_at, "v_flags": list(read.snapshot.flags),
                                **{f"v_{name}": getattr(counters, name) for name in METRICS}})
                records.append(snapshot_record(target, read.snapshot))
                news.append(Change(target.workspace_id, ChangeKind.METRICS, target.post_id, target.channel_id))
            else:
                same.append({**params, "v_read_at": read.read_at})
        async with self.engine.begin() as conn:
            for statement, rows in ((_CHANGED, changed), (_SAME, same), (_FAILED, failed)):
                if rows:
                    await conn.execute(statement, rows)
            if records:
                # The raw asyncpg connection is in the transaction the updates above began.
                raw = await conn.get_raw_connection()
                await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
                    engagement_snapshots.name, records=records, columns=SNAPSHOT_COLUMNS)
            await announce(conn, news)  # browsers hear of the new numbers when they are committed

    async def make_due(self, workspace_id: UUID, post_id: UUID, now: datetime) -> list[UUID]:
        statement = (update(_t).where(_t.c.workspace_id == workspace_id, _t.c.post_id == post_id)
                     .values(next_poll_at=now).returning(_t.c.channel_id))
        async with self.engine.begin() as conn:
            return list((await conn.execute(statement)).scalars())

    async def channels_due(self, now: datetime, limit: int) -> list[tuple[UUID, UUID]]:
        query = (select(_t.c.workspace_id, _t.c.channel_id).where(_t.c.next_poll_at <= now)
                 .group_by(_t.c.workspace_id, _t.c.channel_id).limit(limit))
        async with self.engine.connect() as conn:
            return [(row.workspace_id, row.channel_id) for row in await conn.execute(query)]
