"""Projections from the event log into read tables, each event applied exactly once.

The projector reads notifications after its tracked position, and in ONE database
transaction writes the read rows and advances the position; a crash anywhere rolls both
back, so the batch is applied again, once. A transaction-level advisory lock lets any
number of API and worker processes call `catch_up()` concurrently: one applies, the rest
wait and find the work done. Notification ids commit in order (the event store locks its
table on insert), so a position is never skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol
from uuid import UUID

import anyio
from eventsourcing.domain import Aggregate
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.shared.event_store import PostWizardEvents
from adapters.shared.tracking import projection_tracking

log = logging.getLogger(__name__)
_LOCK_KEY = 0x706F7374  # any constant shared by every process running this projector
_LOCK_NOT_AVAILABLE = "55P03"
LOCK_TIMEOUT = "10s"


class Projection(Protocol):
    """Writes read rows for one aggregate kind."""

    kind: type[Aggregate]

    async def apply(self, conn: AsyncConnection, aggregate: Any, events: Sequence[Any]) -> None:
        """`aggregate` is the state after `events` (this batch's events of it, in order)."""


class Projector:
    def __init__(self, app: PostWizardEvents, engine: AsyncEngine, projections: Sequence[Projection],
                 name: str = "read_models", batch_size: int = 500) -> None:
        self.app, self.engine, self.projections = app, engine, list(projections)
        self.name, self.batch_size = name, batch_size
        self.position = 0
        self.limiter = anyio.CapacityLimiter(2)

    async def wait_for(self, position: int | None) -> None:
        """Read-your-writes: return once the read tables include `position`.

        Bounded: if another process holds the projection lock past LOCK_TIMEOUT (frozen or
        stalled), the command has still succeeded, so this returns and the background
        loop projects it moments later."""
        if position is not None and position > self.position:
            try:
                await self.catch_up(until=position)
            except DBAPIError as exc:
                if getattr(exc.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
                    raise
                log.warning("projection lock busy for %s; read tables will catch up in the background", LOCK_TIMEOUT)

    async def catch_up(self, until: int | None = None) -> int:
        """Apply every pending event (or stop once `until` is reached); returns the position."""
        while True:
            applied = await self._apply_batch(until)
            if applied < self.batch_size:
                return self.position

    async def _apply_batch(self, until: int | None = None) -> int:
        async with self.engine.begin() as conn:
            await conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            position = await conn.scalar(
                select(projection_tracking.c.position).where(projection_tracking.c.name == self.name)) or 0
            if until is not None and position >= until:  # another request's catch-up already applied it
                self.position = max(self.position, position)
                return 0
            notifications = await anyio.to_thread.run_sync(
                lambda: self.app.recorder.select_notifications(position, self.batch_size, inclusive_of_start=False),
                limiter=self.limiter)
            if notifications:
                events = [self.app.mapper.to_domain_event(n) for n in notifications]
                await self._project(conn, events)
                position = notifications[-1].id
                await conn.execute(insert(projection_tracking).values(name=self.name, position=position)
                                   .on_conflict_do_update(index_elements=["name"], set_={"position": position}))
        self.position = position
        return len(notifications)

    async def _project(self, conn: AsyncConnection, events: list[Any]) -> None:
        by_aggregate: dict[UUID, list[Any]] = {}
        for event in events:
            by_aggregate.setdefault(event.originator_id, []).append(event)
        aggregates = await anyio.to_thread.run_sync(self._load_states, by_aggregate, limiter=self.limiter)
        for aggregate_id, aggregate in aggregates.items():
            for projection in self.projections:
                if isinstance(aggregate, projection.kind):
                    await projection.apply(conn, aggregate, by_aggregate[aggregate_id])

    def _load_states(self, by_aggregate: dict[UUID, list[Any]]) -> dict[UUID, Aggregate]:
        """Each aggregate as of its last event in the batch (not later: later events come in later batches).

        An aggregate created in this batch is rebuilt from the batch's own events; older ones
        are read from the event store at that version."""
        states: dict[UUID, Aggregate] = {}
        for aggregate_id, events in by_aggregate.items():
            if events[0].originator_version == 1:
                aggregate = None
                for event in events:
                    aggregate = event.mutate(aggregate)
                states[aggregate_id] = aggregate
            else:
                states[aggregate_id] = self.app.repository.get(aggregate_id, version=events[-1].originator_version)
        return states
