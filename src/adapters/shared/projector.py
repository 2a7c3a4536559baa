"""Projections from the event log into read tables, each event applied exactly once.

The projector reads notifications after its tracked position, and in ONE database
transaction writes the read rows and advances the position; a crash anywhere rolls both
back, so the batch is applied again, once. A transaction-level advisory lock lets any
number of API and worker processes call `catch_up()` concurrently: one applies, the rest
wait and find the work done. Notification ids commit in order (the event store locks its
table on insert), so a position is never skipped.

One bad event never stops the others. When projecting an aggregate fails for a reason that
lies in the event or the projection (not in the database being unreachable or busy), its
events are set aside: recorded in `projection_set_aside` with the error, its read rows
marked stale, and every later event of the same aggregate set aside behind it, so its rows
never skip a version. Other aggregates and workspaces keep flowing. `replay()` applies the
set-aside events once the cause is fixed.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol
from uuid import UUID

import anyio
from eventsourcing.domain import Aggregate
from sqlalchemy import Table, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.shared.database_errors import database_unreachable
from adapters.shared.event_recorder import ServerCommitRecorder
from adapters.shared.event_store import PostWizardEvents
from adapters.shared.tracking import projection_set_aside, projection_tracking

log = logging.getLogger(__name__)
_LOCK_KEY = 0x706F7374  # any constant shared by every process running this projector
_LOCK_NOT_AVAILABLE = "55P03"
LOCK_TIMEOUT = "10s"
# Besides an outage (`database_unreachable`), SQLSTATE classes that say the database is busy or broken,
# not the event: rollback (deadlock, serialization), resources, lock/object state, system, internal.
_DATABASE_BUSY = ("40", "53", "55", "58", "XX")
_ERROR_LENGTH = 2000
WAITING = "waiting: an earlier event of this aggregate is set aside"


class Change(NamedTuple):
    """One aggregate's part of a batch: its state after `events` (this batch's events of it, in order)."""

    aggregate: Any
    events: list[Any]


class Projection(Protocol):
    """Writes read rows for one aggregate kind."""

    kind: type[Aggregate]

    async def apply(self, conn: AsyncConnection, changes: Sequence[Change]) -> None:
        """Every change of a batch at once (one statement per table, not per aggregate: a burst of
        publishes lands in the same batch); one change alone when the batch is applied aggregate by
        aggregate to find the one that fails."""

    async def mark_stale(self, conn: AsyncConnection, aggregate_id: UUID, stale: bool) -> None:
        """Flag the aggregate's read rows (if any) as behind its events, or no longer behind."""


async def upsert(conn: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert the rows, or update every column but `id` and `created_at` of those that exist (by `id`).
    One statement for all rows, compiled once per table (the driver sends the rows as one batch)."""
    if rows:
        await conn.execute(_upsert_statement(table, tuple(rows[0])), rows)


@functools.cache
def _upsert_statement(table: Table, columns: tuple[str, ...]) -> Any:
    statement = insert(table)
    return statement.on_conflict_do_update(index_elements=["id"], set_={
        name: statement.excluded[name] for name in columns if name not in ("id", "created_at")})


@dataclass(frozen=True)
class SetAsideEvent:
    position: int
    aggregate_id: UUID
    version: int
    topic: str
    error: str
    set_aside_at: datetime


@dataclass(frozen=True)
class ProjectionStatus:
    position: int  # last notification applied
    head: int  # last notification stored
    set_aside: int  # events waiting for a replay

    @property
    def lag(self) -> int:
        return max(0, self.head - self.position)


@dataclass(frozen=True)
class ReplayOutcome:
    aggregate_id: UUID
    events: int
    error: str | None  # None: applied, and the read rows are current again


def sets_aside(exc: BaseException) -> bool:
    """Whether a projection failure is the event's or the projection's fault (set it aside) rather
    than the database's (raise: the whole batch is retried later, nothing is set aside)."""
    if not isinstance(exc, Exception) or database_unreachable(exc):
        return False
    sqlstate = str(getattr(exc.orig, "sqlstate", None) or "") if isinstance(exc, DBAPIError) else ""
    return not sqlstate.startswith(_DATABASE_BUSY)


def _describe(exc: BaseException) -> str:
    """The error as an operator reads it: the driver's own error and SQLSTATE, not SQLAlchemy's wrapper."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        cause = exc.orig.__cause__ or exc.orig
        sqlstate = getattr(exc.orig, "sqlstate", None)
        described = f"{type(cause).__name__} (SQLSTATE {sqlstate}): {str(cause).splitlines()[0] if str(cause) else ''}"
    else:
        described = f"{type(exc).__name__}: {exc}"
    return described.encode("unicode_escape").decode("ascii")[:_ERROR_LENGTH]  # the error may quote the bad text


class Projector:
    def __init__(self, app: PostWizardEvents, engine: AsyncEngine, projections: Sequence[Projection],
                 name: str = "read_models", batch_size: int = 500) -> None:
        self.app, self.engine, self.projections = app, engine, list(projections)
        if not isinstance(app.recorder, ServerCommitRecorder):
            raise TypeError("the projector reads the event log on PostgreSQL (ServerCommitRecorder)")
        self.recorder = app.recorder
        self.name, self.batch_size = name, batch_size
        self.position = 0
        self.limiter = anyio.CapacityLimiter(2)
        self._set_aside_positions: set[int] = set()
        self._applied_here: deque[tuple[int, int]] = deque(maxlen=256)  # (after, through) of batches applied here
        self._running: asyncio.Future[int] | None = None

    async def wait_for(self, position: int | None) -> bool:
        """Read-your-writes: return once the read tables include `position`; False when that
        event was set aside instead (its command succeeded, its view is stale).

        Bounded: if another process holds the projection lock past LOCK_TIMEOUT (frozen or
        stalled), the command has still succeeded, so this returns and the background
        loop projects it moments later."""
        if position is None:
            return True
        try:
            await self._shared_catch_up(position)
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
                raise
            log.warning("projection lock busy for %s; read tables will catch up in the background", LOCK_TIMEOUT)
            return True
        if position in self._set_aside_positions:
            return False
        if any(after < position <= through for after, through in self._applied_here):
            return True  # applied by this process, and not set aside
        async with self.engine.connect() as conn:
            return not await conn.scalar(select(func.count()).select_from(projection_set_aside).where(
                projection_set_aside.c.projection == self.name, projection_set_aside.c.position == position))

    async def _shared_catch_up(self, position: int) -> None:
        """The requests of one process share one catch-up at a time: the others await it instead of
        each queueing for the projection lock in a transaction that holds a pooled connection (at 8
        concurrent commands, most catch-ups used to wait for the lock only to find their event applied)."""
        while position > self.position:
            if self._running is None or self._running.done():
                self._running = asyncio.ensure_future(self.catch_up())
            await asyncio.shield(self._running)

    async def catch_up(self, until: int | None = None) -> int:
        """Apply every pending event (or stop once `until` is reached); returns the position."""
        while True:
            applied = await self._apply_batch(until)
            if applied < self.batch_size:
                return self.position

    async def _apply_batch(self, until: int | None) -> int:
        """The batch in one go; if a projection fails, again aggregate by aggregate, each in a
        savepoint, so only the failing aggregates are set aside."""
        try:
            return await self._apply_batch_once(until, isolate=False)
        except Exception as exc:
            if not sets_aside(exc):
                raise
            log.warning("a projection failed (%s); applying the batch aggregate by aggregate", type(exc).__name__)
            return await self._apply_batch_once(until, isolate=True)

    async def _apply_batch_once(self, until: int | None, *, isolate: bool) -> int:
        async with self.engine.begin() as conn:
            await self._lock(conn)
            position = await conn.scalar(
                select(projection_tracking.c.position).where(projection_tracking.c.name == self.name)) or 0
            if until is not None and position >= until:  # another request's catch-up already applied it
                self.position = max(self.position, position)
                return 0
            notifications = await anyio.to_thread.run_sync(
                lambda: self.app.recorder.select_notifications(position, self.batch_size, inclusive_of_start=False),
                limiter=self.limiter)
            if notifications:
                await self._project(conn, notifications, isolate=isolate)
                position = notifications[-1].id
                await conn.execute(insert(projection_tracking).values(name=self.name, position=position)
                                   .on_conflict_do_update(index_elements=["name"], set_={"position": position}))
        if notifications:
            self._applied_here.append((notifications[0].id - 1, position))
        self.position = position
        return len(notifications)

    async def _lock(self, conn: AsyncConnection) -> None:
        # The batch commits without waiting for its WAL flush: should the database crash before the
        # flush, the position goes back with the rows and the jobs, and the durable events are applied
        # again. Visibility is not delayed, so read-your-writes holds.
        await conn.execute(text(f"SELECT set_config('lock_timeout', '{LOCK_TIMEOUT}', true), "
                                "set_config('synchronous_commit', 'off', true)"))
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})

    async def _project(self, conn: AsyncConnection, notifications: Sequence[Any], *, isolate: bool) -> None:
        by_aggregate: dict[UUID, list[Any]] = {}
        for notification in notifications:
            by_aggregate.setdefault(notification.originator_id, []).append(notification)
        waiting = set(await conn.scalars(select(projection_set_aside.c.aggregate_id).distinct().where(
            projection_set_aside.c.projection == self.name,
            projection_set_aside.c.aggregate_id.in_(list(by_aggregate)))))
        states = await anyio.to_thread.run_sync(
            self._load_states, {a: n for a, n in by_aggregate.items() if a not in waiting}, limiter=self.limiter)
        changes: list[tuple[list[Any], Change]] = []
        for aggregate_id, batch in by_aggregate.items():
            if aggregate_id in waiting:
                await self._set_aside(conn, batch, WAITING)
                continue
            state = states[aggregate_id]
            if isinstance(state, Exception):  # the events could not even be read back
                await self._set_aside(conn, batch, _describe(state))
                continue
            changes.append((batch, state))
        if not isolate:
            await self._apply(conn, [change for _, change in changes])
            return
        for batch, change in changes:
            try:
                async with conn.begin_nested():
                    await self._apply(conn, [change])
            except Exception as exc:
                if not sets_aside(exc):
                    raise
                await self._set_aside(conn, batch, _describe(exc))

    async def _apply(self, conn: AsyncConnection, changes: Sequence[Change]) -> None:
        for projection in self.projections:
            mine = [c for c in changes if isinstance(c.aggregate, projection.kind)]
            if mine:
                await projection.apply(conn, mine)

    async def _set_aside(self, conn: AsyncConnection, notifications: list[Any], error: str) -> None:
        aggregate_id = notifications[0].originator_id
        log.error("projection %s set aside %d event(s) of aggregate %s from position %d: %s",
                  self.name, len(notifications), aggregate_id, notifications[0].id, error)
        await conn.execute(insert(projection_set_aside).on_conflict_do_nothing(), [{
            "projection": self.name, "position": n.id, "aggregate_id": aggregate_id,
            "version": n.originator_version, "topic": n.topic, "error": error} for n in notifications])
        for projection in self.projections:
            await projection.mark_stale(conn, aggregate_id, True)
        self._set_aside_positions.update(n.id for n in notifications)

    def _load_states(self, by_aggregate: dict[UUID, list[Any]]) -> dict[UUID, Change | Exception]:
        """Each aggregate as of its last event in the batch (not later: later events come in later
        batches), with the batch's events of it; or the exception that reading them raised. The
        events before the batch, of every aggregate that has some, are read in one query."""
        earlier = self.recorder.select_events_before(
            {a: n[0].originator_version for a, n in by_aggregate.items() if n[0].originator_version > 1})
        states: dict[UUID, Change | Exception] = {}
        for aggregate_id, notifications in by_aggregate.items():
            try:
                events = [self.app.mapper.to_domain_event(n) for n in notifications]
                before = [self.app.mapper.to_domain_event(s) for s in earlier.get(aggregate_id, [])]
                states[aggregate_id] = Change(self._fold(aggregate_id, [*before, *events]), events)
            except Exception as exc:
                states[aggregate_id] = exc
        return states

    @staticmethod
    def _fold(aggregate_id: UUID, events: list[Any]) -> Aggregate:
        """The aggregate rebuilt from its events, which must start at its creation with no gap."""
        if [e.originator_version for e in events] != list(range(1, len(events) + 1)):
            raise LookupError(f"the events of {aggregate_id} read back are not versions 1 to {len(events)}")
        aggregate = None
        for event in events:
            aggregate = event.mutate(aggregate)
        assert aggregate is not None
        return aggregate

    # ----- operating it: status, list, replay ---------------------------------------------

    async def status(self) -> ProjectionStatus:
        """Read on the async engine only, so a caller's timeout really cancels it (health checks)."""
        events_table = getattr(self.app.recorder, "events_table_name", "postwizard_events")
        async with self.engine.connect() as conn:
            head = await conn.scalar(text(f'SELECT max(notification_id) FROM "{events_table}"')) or 0
            position = await conn.scalar(
                select(projection_tracking.c.position).where(projection_tracking.c.name == self.name)) or 0
            set_aside = await conn.scalar(select(func.count()).select_from(projection_set_aside).where(
                projection_set_aside.c.projection == self.name))
        return ProjectionStatus(position=position, head=head, set_aside=set_aside or 0)

    async def set_aside_events(self, limit: int = 100) -> list[SetAsideEvent]:
        """The events waiting for a replay, oldest first."""
        t = projection_set_aside
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(t.c.position, t.c.aggregate_id, t.c.version, t.c.topic, t.c.error,
                                             t.c.set_aside_at).where(t.c.projection == self.name)
                                      .order_by(t.c.position).limit(limit))
            return [SetAsideEvent(**row._mapping) for row in rows]

    async def replay(self, aggregate_id: UUID | None = None) -> AsyncIterator[ReplayOutcome]:
        """Apply set-aside events again, aggregate by aggregate (oldest first), each in its own
        transaction: on success its rows are current and no longer stale; on failure its events
        stay aside with the new error."""
        t = projection_set_aside
        query = (select(t.c.aggregate_id).where(t.c.projection == self.name).group_by(t.c.aggregate_id)
                 .order_by(func.min(t.c.position)))
        if aggregate_id is not None:
            query = query.where(t.c.aggregate_id == aggregate_id)
        async with self.engine.connect() as conn:
            aggregates = list(await conn.scalars(query))
        for each in aggregates:
            yield await self._replay_one(each)

    async def _replay_one(self, aggregate_id: UUID) -> ReplayOutcome:
        t = projection_set_aside
        async with self.engine.begin() as conn:
            await self._lock(conn)
            versions = list(await conn.scalars(select(t.c.version).where(
                t.c.projection == self.name, t.c.aggregate_id == aggregate_id).order_by(t.c.version)))
            if not versions:  # replayed meanwhile by someone else
                return ReplayOutcome(aggregate_id, 0, None)
            try:
                async with conn.begin_nested():
                    change = await anyio.to_thread.run_sync(
                        self._read_back, aggregate_id, versions[0], versions[-1], limiter=self.limiter)
                    await self._apply(conn, [change])
                    await conn.execute(delete(t).where(t.c.projection == self.name, t.c.aggregate_id == aggregate_id))
                    for projection in self.projections:
                        await projection.mark_stale(conn, aggregate_id, False)
            except Exception as exc:
                if not sets_aside(exc):
                    raise
                error = _describe(exc)
                await conn.execute(update(t).where(t.c.projection == self.name, t.c.aggregate_id == aggregate_id)
                                   .values(error=error, set_aside_at=func.now()))
                return ReplayOutcome(aggregate_id, len(versions), error)
        self._set_aside_positions.clear()
        log.info("projection %s replayed %d event(s) of aggregate %s", self.name, len(versions), aggregate_id)
        return ReplayOutcome(aggregate_id, len(versions), None)

    def _read_back(self, aggregate_id: UUID, first: int, last: int) -> Change:
        stored = self.app.recorder.select_events(aggregate_id, lte=last)
        events = [self.app.mapper.to_domain_event(s) for s in stored]
        return Change(self._fold(aggregate_id, events), [e for e in events if e.originator_version >= first])
