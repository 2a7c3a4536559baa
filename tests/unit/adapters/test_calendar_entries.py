"""The calendar reader's entries are the ones `CalendarEntry(...)` builds from the same values."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta, timezone

from asyncpg.pgproto.pgproto import UUID as DriverUUID

from adapters.publishing.readers import _calendar_entries
from application.publishing.views import CalendarEntry


def test_entries_from_driver_rows_equal_those_of_the_constructor():
    channels, campaign = [uuid.uuid4(), uuid.uuid4()], uuid.uuid4()
    start = datetime(2027, 5, 3, 9, tzinfo=timezone.utc)
    values = [(uuid.uuid4(), channels[i % 2], "mastodon", campaign if i % 3 else None, start + timedelta(minutes=i),
               "Europe/Paris" if i % 4 else None, "scheduled", f"post {i}") for i in range(12)]
    rows = [(DriverUUID(p.bytes), DriverUUID(c.bytes), pl, None if cam is None else DriverUUID(cam.bytes), *rest)
            for p, c, pl, cam, *rest in values]

    entries = _calendar_entries(rows)

    assert entries == [CalendarEntry(*v) for v in values]
    for entry, expected in zip(entries, values):
        assert [type(getattr(entry, f)) for f in ("post_id", "channel_id")] == [uuid.UUID, uuid.UUID]
        assert dataclasses.astuple(entry) == expected and hash(entry) == hash(CalendarEntry(*expected))
    assert entries[0] is not entries[1] and entries[1].channel_id is entries[3].channel_id


def test_calendar_entry_is_still_a_plain_frozen_dataclass():
    """What `_calendar_entries` relies on to set an entry's fields without its `__init__`."""
    params = CalendarEntry.__dataclass_params__  # type: ignore[attr-defined]
    assert params.frozen and not hasattr(CalendarEntry, "__slots__") and not hasattr(CalendarEntry, "__post_init__")
    assert [f.name for f in dataclasses.fields(CalendarEntry)] == [
        "post_id", "channel_id", "platform", "campaign_id", "scheduled_at", "timezone", "state", "preview"]
