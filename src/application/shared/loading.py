"""Load an aggregate for the caller, change it, save it: the shape of most commands.

Another workspace's aggregate answers NotFound; a stale expected version answers
ConcurrencyConflict before anything changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from application.shared.actor import Actor
from application.shared.errors import ConcurrencyConflict
from application.shared.ports import EventStore
from application.shared.results import Saved
from domain.shared.workspace_aggregate import WorkspaceAggregate

T = TypeVar("T", bound=WorkspaceAggregate)


async def load_for(store: EventStore, actor: Actor, kind: type[T], aggregate_id: UUID, label: str,
                   expected_version: int | None = None) -> T:
    aggregate = await store.get(aggregate_id, kind)
    actor.owns(label, aggregate_id, aggregate.workspace_id)
    if expected_version is not None and aggregate.version != expected_version:
        raise ConcurrencyConflict(
            f"the {label} changed since you loaded it (version {expected_version}, now {aggregate.version}); reload and try again")
    return aggregate


async def change(store: EventStore, actor: Actor, kind: type[T], aggregate_id: UUID, label: str,
                 action: Callable[[T], None], expected_version: int | None = None) -> Saved:
    """Apply `action` to the caller's aggregate and save it in one atomic write."""
    aggregate = await load_for(store, actor, kind, aggregate_id, label, expected_version)
    action(aggregate)
    return Saved(aggregate.id, aggregate.version, await store.save(aggregate))
