"""The event store: the eventsourcing library on PostgreSQL (or POPO in unit tests) behind an async port.

The library is synchronous (psycopg 3), so every call runs in a worker thread bounded by a
capacity limiter matched to its connection pool; the event loop never blocks on it.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar
from uuid import UUID

import anyio
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding

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
    """Implements the EventStore port."""

    def __init__(self, app: PostWizardEvents, concurrency: int = 10) -> None:
        self.app = app
        self.limiter = anyio.CapacityLimiter(concurrency)

    async def get(self, aggregate_id: UUID, kind: type[A]) -> A:
        return await anyio.to_thread.run_sync(self._get, aggregate_id, kind, limiter=self.limiter)

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
