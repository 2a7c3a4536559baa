"""Answers serialised straight from the views are byte for byte what their documented response model gives."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import uuid4

from pydantic import TypeAdapter

from application.publishing.views import CalendarEntry
from entrypoints.api.routers.posts import CALENDAR
from entrypoints.api.schemas import CalendarEntryOut


def test_the_calendar_answer_is_the_one_its_response_model_gives():
    start = datetime(2026, 3, 29, 0, 59, 59, 123456, tzinfo=timezone.utc)
    entries = [CalendarEntry(post_id=uuid4(), channel_id=uuid4(), platform=platform,
                             campaign_id=None if i % 2 else uuid4(), scheduled_at=start + timedelta(minutes=17 * i),
                             timezone=None if i == 3 else "Europe/Paris", state=state, preview=preview)
               for i, (platform, state, preview) in enumerate([
                   ("mastodon", "scheduled", "Launch day \U0001F680 \"quoted\" \\ back\\slash"),
                   ("bluesky", "published", "caf\u00e9 \u2014 na\u00efve\nsecond line\ttab"),
                   ("x", "failed", ""),
                   ("mastodon", "cancelled", "<b>not html</b> & more")])]
    documented = TypeAdapter(list[CalendarEntryOut])
    expected = documented.dump_json([CalendarEntryOut.model_validate(e) for e in entries])

    response = CALENDAR.response(entries)

    assert response.body == expected
    assert response.media_type == "application/json" and response.status_code == 200
    assert [e.post_id for e in documented.validate_json(response.body)] == [e.post_id for e in entries]


def test_the_calendar_view_has_the_fields_of_its_response_model_in_order():
    assert list(CalendarEntry.__dataclass_fields__) == list(CalendarEntryOut.model_fields)
