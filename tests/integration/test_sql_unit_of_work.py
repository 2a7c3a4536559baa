"""The relational unit of work on PostgreSQL: one transaction, or for reads none at all."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from adapters.shared.sql_unit_of_work import SqlUnitOfWorkFactory

_XID = text("SELECT txid_current()")  # a new id per transaction


async def test_a_unit_of_work_is_one_transaction_and_one_for_reads_opens_none(container):
    factory = SqlUnitOfWorkFactory(container.engine())
    async with factory() as uow:
        assert await uow.conn.scalar(_XID) == await uow.conn.scalar(_XID)
    async with factory.reads() as uow:
        first, second = await uow.conn.scalar(_XID), await uow.conn.scalar(_XID)
        assert first != second  # each statement on its own
        with pytest.raises(RuntimeError, match="commits nothing"):
            await uow.commit()
