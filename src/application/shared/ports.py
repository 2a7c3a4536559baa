"""Ports shared by every context. Adapters implement them; handlers depend on them only."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

A = TypeVar("A", bound=Aggregate)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current UTC instant (aware)."""


class IdGenerator(Protocol):
    def new(self) -> UUID: ...


class EventStore(Protocol):
    """Event-sourced aggregates. One `save` is one atomic write of every aggregate given."""

    async def get(self, aggregate_id: UUID, kind: type[A]) -> A:
        """The aggregate, or NotFound when it does not exist or is of another kind."""

    async def save(self, *aggregates: Aggregate) -> int | None:
        """Store pending events; returns the last notification id, raises ConcurrencyConflict on a lost race."""


class TokenCipher(Protocol):
    """Encrypts secrets (platform tokens, API keys) at rest."""

    def encrypt(self, plaintext: str, *, context: str) -> str: ...

    def decrypt(self, ciphertext: str, *, context: str) -> str: ...
