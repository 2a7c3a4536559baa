"""The relational unit of work, as every context sees it: one transaction, written only by `commit()`.

Each context declares the repositories it uses in its own `application/<context>/unit_of_work.py`,
with types it owns, so no context imports another's ports; the one adapter (SQL, or in memory for
tests) serves them all.
"""

from __future__ import annotations

from typing import Protocol, Self


class UnitOfWork(Protocol):
    """One transaction over the relational write model. Nothing is written without `commit()`.

    A unit of work for reads only (a factory's `reads()`) opens no transaction: each query sees what is
    committed when it runs, and `commit()` is refused. A caller that reads one row, or rows whose
    consistency no rule depends on, spares the database two round trips (BEGIN and ROLLBACK)."""

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def commit(self) -> None: ...
