"""The polling cadence: bands by the post's age, backoff while nothing changes, stop at 90 days.
Walked on a controlled clock, as a worker would follow it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.shared.clock import ControlledClock
from domain.engagement.cadence import STOP_AFTER, first_poll_at, next_poll_at, poll_interval
from tests.unit.factories import NOW

M, H, D = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


@pytest.mark.parametrize(("age", "every"), [
    (timedelta(0), M), (59 * M, M),
    (H, 5 * M), (6 * H - M, 5 * M),
    (6 * H, 30 * M), (2 * D - M, 30 * M),
    (2 * D, 6 * H), (30 * D - M, 6 * H),
    (30 * D, D), (90 * D - M, D),
])
def test_each_band_has_its_step(age, every):
    assert poll_interval(age) == every


@pytest.mark.parametrize("age", [90 * D, 400 * D])
def test_past_ninety_days_there_is_no_next_poll(age):
    assert poll_interval(age) is None and next_poll_at(NOW, NOW + age) is None


@pytest.mark.parametrize(("age", "unchanged", "every"), [
    (timedelta(0), 1, 2 * M), (timedelta(0), 2, 4 * M), (timedelta(0), 3, 5 * M), (timedelta(0), 40, 5 * M),
    (H, 2, 20 * M), (H, 3, 30 * M),
    (6 * H, 3, 4 * H), (6 * H, 4, 6 * H),
    (2 * D, 2, D), (2 * D, 9, D),
    (30 * D, 5, D),  # the last band has no next step: its own is the cap
])
def test_nothing_new_doubles_the_wait_up_to_the_next_bands_step(age, unchanged, every):
    assert poll_interval(age, unchanged) == every


def test_first_poll_is_a_minute_after_publishing():
    assert first_poll_at(NOW) == NOW + M


def test_the_last_poll_falls_on_the_ninety_day_mark():
    assert next_poll_at(NOW, NOW + 90 * D - H) == NOW + STOP_AFTER


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError):
        poll_interval(timedelta(0), -1)


def test_a_busy_post_walked_on_a_clock_is_read_376_times_in_ninety_days():
    """Numbers change on every read: each band's own step all the way."""
    clock = ControlledClock(NOW)
    at, reads = first_poll_at(NOW), 0
    while at is not None:
        clock.current = at
        reads += 1
        at = next_poll_at(NOW, clock.now(), unchanged=0)
    assert clock.now() == NOW + STOP_AFTER
    assert reads == 59 + 60 + 84 + 112 + 60 + 1  # minutes 1-59, then each band's span / step, then the 90-day mark


def test_a_quiet_post_walked_on_a_clock_is_read_far_less_often():
    clock = ControlledClock(NOW)
    at, reads, unchanged = first_poll_at(NOW), 0, 0
    while at is not None:
        clock.current = at
        reads += 1
        at = next_poll_at(NOW, clock.now(), unchanged)
        unchanged += 1  # nothing ever changes
    assert reads <= 120, reads  # against 376 for a busy one; most of them in the daily band
    assert clock.now() == NOW + STOP_AFTER


@settings(max_examples=80, deadline=None, database=None)
@given(a=st.integers(0, 60 * 24 * 91), b=st.integers(0, 60 * 24 * 91), unchanged=st.integers(0, 20))
def test_the_wait_never_shrinks_with_age_or_with_quiet(a, b, unchanged):
    young, old = sorted((a, b))
    short, long_ = poll_interval(young * M, unchanged), poll_interval(old * M, unchanged)
    if long_ is not None:
        assert short is not None and short <= long_
    if short is not None:
        assert poll_interval(young * M, 0) <= short <= poll_interval(young * M, unchanged + 1)
