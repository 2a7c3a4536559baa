"""Engagement of one published target: counters, rates, snapshots, poll cadence."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.engagement.engagement import INTERACTIONS, Counters, Engagement
from domain.shared.errors import InvalidValue, RuleViolated
from tests.unit.factories import NOW

PUBLISHED_AT = NOW


def engagement(**kwargs) -> Engagement:
    return Engagement(post_id=uuid4(), channel_id=uuid4(), remote_id="r-1", published_at=PUBLISHED_AT, **kwargs)


# --- counters ---------------------------------------------------------------------------

@pytest.mark.parametrize("value", [-1, 1.5, "3", True, False])
@pytest.mark.parametrize("field", ["likes", "reposts", "replies", "quotes", "bookmarks", "impressions", "clicks"])
def test_a_counter_is_a_whole_number_of_at_least_zero(field, value):
    with pytest.raises(InvalidValue) as info:
        Counters(**{field: value})
    assert info.value.field == field


def test_unknown_counters_are_none_not_zero():
    counters = Counters(likes=0)
    assert counters.likes == 0 and counters.reposts is None
    assert counters.as_dict() == {"likes": 0, "reposts": None, "replies": None, "quotes": None,
                                  "bookmarks": None, "impressions": None, "clicks": None}


def test_interactions_sum_the_known_counters():
    assert Counters().interactions is None
    assert Counters(impressions=100).interactions is None  # impressions are not interactions
    assert Counters(likes=0).interactions == 0
    assert Counters(likes=3, reposts=2, replies=1, quotes=4, bookmarks=5, clicks=6, impressions=1000).interactions == 21
    assert set(INTERACTIONS) == {"likes", "reposts", "replies", "quotes", "bookmarks", "clicks"}


@pytest.mark.parametrize(("counters", "rate"), [
    (Counters(likes=5, reposts=5, impressions=200), 0.05),
    (Counters(likes=0, impressions=50), 0.0),
    (Counters(likes=5, impressions=0), None),   # no impressions: no rate, not a division by zero
    (Counters(likes=5), None),                  # impressions unknown
    (Counters(impressions=100), None),          # interactions unknown
])
def test_engagement_rate(counters, rate):
    assert counters.engagement_rate == rate


@settings(max_examples=60, deadline=None, database=None)
@given(likes=st.none() | st.integers(0, 10**6), clicks=st.none() | st.integers(0, 10**6),
       impressions=st.none() | st.integers(0, 10**7))
def test_rate_is_none_or_interactions_over_impressions(likes, clicks, impressions):
    counters = Counters(likes=likes, clicks=clicks, impressions=impressions)
    if not impressions or (likes is None and clicks is None):
        assert counters.engagement_rate is None
    else:
        assert counters.engagement_rate == pytest.approx(((likes or 0) + (clicks or 0)) / impressions)


# --- snapshots --------------------------------------------------------------------------

def test_snapshots_are_appended_in_order():
    e = engagement()
    assert e.latest is None and e.engagement_rate is None
    first = e.record(NOW + timedelta(minutes=1), Counters(likes=1, impressions=10))
    second = e.record(NOW + timedelta(minutes=2), Counters(likes=3, impressions=20))
    assert e.snapshots == [first, second]
    assert e.latest is second and e.latest.taken_at == NOW + timedelta(minutes=2)
    assert e.engagement_rate == pytest.approx(0.15)


def test_a_snapshot_before_publishing_is_refused():
    e = engagement()
    with pytest.raises(RuleViolated) as info:
        e.record(PUBLISHED_AT - timedelta(seconds=1), Counters(likes=1))
    assert info.value.rule == "snapshot_before_publish"
    assert e.snapshots == []


def test_a_snapshot_at_the_publish_instant_is_accepted():
    assert engagement().record(PUBLISHED_AT, Counters(likes=0)) is not None


def test_an_older_snapshot_is_refused():
    e = engagement()
    e.record(NOW + timedelta(minutes=10), Counters(likes=5))
    with pytest.raises(RuleViolated) as info:
        e.record(NOW + timedelta(minutes=9), Counters(likes=6))
    assert info.value.rule == "snapshot_out_of_order"
    assert len(e.snapshots) == 1


def test_an_identical_snapshot_is_skipped():
    e = engagement()
    e.record(NOW + timedelta(minutes=1), Counters(likes=5, impressions=50))
    assert e.record(NOW + timedelta(minutes=2), Counters(likes=5, impressions=50)) is None
    assert len(e.snapshots) == 1 and e.latest.taken_at == NOW + timedelta(minutes=1)


def test_unknown_becoming_zero_is_a_change():
    e = engagement()
    e.record(NOW + timedelta(minutes=1), Counters(likes=None))
    assert e.record(NOW + timedelta(minutes=2), Counters(likes=0)) is not None
    assert len(e.snapshots) == 2


def test_a_counter_that_drops_is_kept_and_flagged():
    e = engagement()
    e.record(NOW + timedelta(minutes=1), Counters(likes=5, reposts=2))
    dropped = e.record(NOW + timedelta(minutes=2), Counters(likes=4, reposts=3))
    assert dropped.counters.likes == 4 and dropped.flags == ("likes:dropped",)
    assert e.record(NOW + timedelta(minutes=3), Counters(likes=6, reposts=3)).flags == ()


def test_a_metric_the_platform_stops_giving_is_flagged_while_missing_and_the_rest_still_counts():
    e = engagement()
    e.record(NOW + timedelta(minutes=1), Counters(likes=5, quotes=1))
    retired = e.record(NOW + timedelta(minutes=2), Counters(likes=6, quotes=None))
    assert retired.flags == ("quotes:missing",) and retired.counters.likes == 6
    assert e.record(NOW + timedelta(minutes=3), Counters(likes=7)).flags == ("quotes:missing",)
    assert e.record(NOW + timedelta(minutes=4), Counters(likes=7, quotes=1)).flags == ()


def test_a_metric_never_given_is_not_flagged():
    e = engagement()
    e.record(NOW + timedelta(minutes=1), Counters(likes=5))
    assert e.record(NOW + timedelta(minutes=2), Counters(likes=6)).flags == ()


def test_a_different_snapshot_at_the_same_instant_is_kept():
    e = engagement()
    e.record(NOW + timedelta(minutes=1), Counters(likes=1))
    e.record(NOW + timedelta(minutes=1), Counters(likes=2))
    assert [s.counters.likes for s in e.snapshots] == [1, 2]


def test_existing_snapshots_are_copied_not_shared():
    mine = []
    e = engagement(snapshots=mine)
    e.record(NOW, Counters(likes=1))
    assert mine == [] and len(e.snapshots) == 1


# --- poll cadence (the rule itself: test_engagement_cadence.py) -------------------------

def test_reads_that_find_nothing_new_back_polling_off_and_a_change_resets_it():
    e = engagement()
    at = PUBLISHED_AT + timedelta(minutes=1)
    e.record(at, Counters(likes=1))
    assert e.unchanged == 0 and e.next_poll_at(at) == at + timedelta(minutes=1)
    e.record(at, Counters(likes=1))
    e.record(at, Counters(likes=1))
    assert e.unchanged == 2 and e.next_poll_at(at) == at + timedelta(minutes=4)
    e.record(at, Counters(likes=2))
    assert e.unchanged == 0 and e.next_poll_at(at) == at + timedelta(minutes=1)


def test_polling_stops_at_ninety_days():
    e = engagement()
    assert e.next_poll_at(PUBLISHED_AT + timedelta(days=89, hours=12)) == PUBLISHED_AT + timedelta(days=90)
    assert e.next_poll_at(PUBLISHED_AT + timedelta(days=90)) is None


def test_a_snapshot_without_a_time_zone_is_refused_by_name():
    with pytest.raises(InvalidValue) as info:
        engagement().record(NOW.replace(tzinfo=None), Counters(likes=1))
    assert info.value.field == "taken_at"
