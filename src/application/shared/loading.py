"""Load an aggregate for the caller: another workspace's aggregate answers NotFound."""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from application.shared.actor import Actor
from application.shared.errors import ConcurrencyConflict
from application.shared.ports import EventStore

T = TypeVar("T")


async def load_for(store: EventStore, actor: Actor, kind: type[T], aggregate_id: UUID, label: str,
                   expected_version: int | None = None) -> T:
    aggregate = await store.get(aggregate_id, kind)
    actor.owns(label, aggregate_id, aggregate.workspace_id)
    if expected_version is not None and aggregate.version != expected_version:
        raise ConcurrencyConflict(
            f"the {label} changed since you loaded it (version {expected_version}, now {aggregate.version}); reload and try again")
    return aggregate
