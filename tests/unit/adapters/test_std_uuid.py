"""UUID columns come back as plain `uuid.UUID`s equal in every respect to the driver's value."""

from __future__ import annotations

import pickle
import uuid

from asyncpg.pgproto.pgproto import UUID as DriverUUID
from sqlalchemy.dialects import postgresql

from adapters.shared.database import StdUuid


def test_a_driver_uuid_comes_back_as_a_plain_equal_uuid():
    dialect = postgresql.dialect()
    for original in (uuid.uuid4(), uuid.uuid1(), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)):
        value = StdUuid().process_result_value(DriverUUID(original.bytes), dialect)
        assert type(value) is uuid.UUID
        assert value == original and hash(value) == hash(original) and str(value) == str(original)
        assert value.version == original.version and value.is_safe is uuid.SafeUUID.unknown
        assert pickle.loads(pickle.dumps(value)) == original
    assert StdUuid().process_result_value(None, dialect) is None
