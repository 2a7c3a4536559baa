"""The event store: the eventsourcing library on PostgreSQL (or POPO in unit tests) behind an async port.

The library is synchronous (psycopg 3), so its calls run in a worker thread bounded by a capacity
limiter matched to its connection pool; the event loop never blocks on it. Given an async engine
on the same database, `get` reads an aggregate's stored events with it instead and rebuilds the
aggregate with the library's own mapper and projector: the same aggregate, without a thread hop
(a publishing attempt reads its post once, and a burst makes thousands of attempts).
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar
from uuid import UUID

import anyio
from eventsourcing.application import AggregateNotFoundError, Application, project_aggregate
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, StoredEvent, Transcoding
from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncEngine

from application.shared.errors import ConcurrencyConflict, NotFound

A = TypeVar("A", bound=Aggregate)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class PostWizardEvents(Application):
    """Campaign and Post aggregates, one event log (table `postwizard_events`)."""

    name = "PostWizard"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())


def build_application(env: dict[str, str]) -> PostWizardEvents:
    """`env` chooses the persistence: eventsourcing.postgres with POSTGRES_* keys, or POPO when empty.
    On PostgreSQL, events are inserted by `ServerCommitRecorder` (adapters.shared.event_recorder)."""
    if env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres":
        env = {"APPLICATION_RECORDER_TOPIC": "adapters.shared.event_recorder:ServerCommitRecorder", **env}
    return PostWizardEvents(env=env)


class AsyncEventStore:
    """Implements the EventStore port. `reads`: an engine on the events' database (PostgreSQL only)."""

    def __init__(self, app: PostWizardEvents, concurrency: int = 10, reads: AsyncEngine | None = None) -> None:
        self.app, self.reads = app, reads
        self.limiter = anyio.CapacityLimiter(concurrency)
        self._select: TextClause | None = None

    async def get(self, aggregate_id: UUID, kind: type[A]) -> A:
        if self.reads is None:
            return await anyio.to_thread.run_sync(self._get, aggregate_id, kind, limiter=self.limiter)
        async with self.reads.connect() as conn:
            rows = (await conn.execute(self._select_events(), {"id": aggregate_id})).all()
        to_event = self.app.mapper.to_domain_event
        aggregate = project_aggregate(None, [to_event(StoredEvent(aggregate_id, version, topic, state))
                                             for version, topic, state in rows])
        if not isinstance(aggregate, kind):
            raise NotFound(kind.__name__.lower(), aggregate_id)
        return aggregate

    def _select_events(self) -> TextClause:
        if self._select is None:
            recorder = self.app.recorder
            table = f'"{recorder.datastore.schema}"."{recorder.events_table_name}"'  # type: ignore[attr-defined]
            self._select = text(f"SELECT originator_version, topic, state FROM {table} "
                                "WHERE originator_id = :id ORDER BY originator_version")
        return self._select

    async def save(self, *aggregates: Aggregate) -> int | None:
        return await anyio.to_thread.run_sync(self._save, aggregates, limiter=self.limiter)

    def _get(self, aggregate_id: UUID, kind: type[A]) -> A:
        label = kind.__name__.lower()
        try:
            aggregate: Aggregate = self.app.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(label, aggregate_id) from None
        if not isinstance(aggregate, kind):
            raise NotFound(label, aggregate_id)
        return aggregate

    def _save(self, aggregates: tuple[Aggregate, ...]) -> int | None:
        try:
            recordings = self.app.save(*aggregates)
        except IntegrityError:
            raise ConcurrencyConflict(
                "someone else changed this at the same time; reload it and apply your change again") from None
        return max((r.notification.id for r in recordings), default=None)

    def close(self) -> None:
        self.app.close()
