"""Wall-clock times in IANA zones turned into UTC instants (DST gaps and folds)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.shared.errors import InvalidValue
from domain.shared.timezones import to_utc, wall_clock, zone

UTC = timezone.utc


@pytest.mark.parametrize("name", ["", "Mars/Olympus_Mons", "../etc/passwd", "Europe/Pariss"])
def test_unknown_zones_are_refused(name):
    with pytest.raises(InvalidValue) as info:
        zone(name)
    assert info.value.field == "timezone"
    assert zone("Europe/Paris") == ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(("local", "zone_name", "utc"), [
    (datetime(2026, 1, 15, 9, 0), "Europe/Paris", datetime(2026, 1, 15, 8, 0, tzinfo=UTC)),   # CET +1
    (datetime(2026, 7, 1, 9, 0), "Europe/Paris", datetime(2026, 7, 1, 7, 0, tzinfo=UTC)),     # CEST +2
    (datetime(2026, 7, 1, 9, 0), "America/New_York", datetime(2026, 7, 1, 13, 0, tzinfo=UTC)),
    (datetime(2026, 7, 1, 9, 0), "Asia/Kolkata", datetime(2026, 7, 1, 3, 30, tzinfo=UTC)),
    (datetime(2026, 7, 1, 9, 0), "UTC", datetime(2026, 7, 1, 9, 0, tzinfo=UTC)),
    # the minute after the gap exists
    (datetime(2026, 3, 29, 3, 0), "Europe/Paris", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
])
def test_wall_clock_time_to_utc(local, zone_name, utc):
    result = to_utc(local, zone_name)
    assert result == utc and result.utcoffset() == timedelta(0)
    assert wall_clock(result, zone_name) == local


@pytest.mark.parametrize(("local", "zone_name"), [
    (datetime(2026, 3, 29, 2, 0), "Europe/Paris"),
    (datetime(2026, 3, 29, 2, 30), "Europe/Paris"),
    (datetime(2026, 3, 29, 2, 59), "Europe/Paris"),
    (datetime(2026, 3, 8, 2, 30), "America/New_York"),
])
def test_a_time_skipped_by_dst_is_refused(local, zone_name):
    with pytest.raises(InvalidValue) as info:
        to_utc(local, zone_name, field="at")
    assert info.value.field == "at"
    assert "does not exist" in info.value.message


@pytest.mark.parametrize(("local", "zone_name", "first"), [
    (datetime(2026, 10, 25, 2, 30), "Europe/Paris", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),   # CEST, not CET
    (datetime(2026, 11, 1, 1, 30), "America/New_York", datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),  # EDT, not EST
])
def test_an_ambiguous_time_takes_its_first_occurrence(local, zone_name, first):
    assert to_utc(local, zone_name) == first
    assert to_utc(local.replace(fold=1), zone_name) == first  # fold given by the caller is ignored


@pytest.mark.parametrize("aware", [
    datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo")),
    datetime(2026, 7, 1, 2, 0, tzinfo=timezone(timedelta(hours=2))),
    datetime(2026, 7, 1, 0, 0, tzinfo=UTC),
])
def test_aware_datetimes_are_converted_whatever_the_zone(aware):
    result = to_utc(aware, "America/Los_Angeles")
    assert result == datetime(2026, 7, 1, 0, 0, tzinfo=UTC)
    assert result.tzinfo is UTC


def test_an_aware_datetime_still_needs_a_valid_zone():
    with pytest.raises(InvalidValue) as info:
        to_utc(datetime(2026, 7, 1, tzinfo=UTC), "Nowhere/Land")
    assert info.value.field == "timezone"


def test_the_same_wall_time_maps_to_different_instants_across_dst():
    winter = to_utc(datetime(2026, 3, 28, 9, 0), "Europe/Paris")
    summer = to_utc(datetime(2026, 3, 30, 9, 0), "Europe/Paris")
    assert summer - winter == timedelta(days=2) - timedelta(hours=1)


@settings(max_examples=150, deadline=None, database=None)
@given(local=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31)),
       zone_name=st.sampled_from(["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
                                  "America/Sao_Paulo", "UTC"]))
def test_wall_clock_inverts_to_utc_or_the_time_does_not_exist(local, zone_name):
    try:
        instant = to_utc(local, zone_name)
    except InvalidValue:
        # skipped by a clock change: the zone has no such wall time
        tz = ZoneInfo(zone_name)
        assert local.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local
        return
    assert instant.utcoffset() == timedelta(0)
    assert wall_clock(instant, zone_name) == local.replace(fold=0)


@pytest.mark.parametrize(("local", "zone_name"), [
    (datetime(9999, 12, 31, 20, 0), "America/New_York"),                    # 10000-01-01 in UTC
    (datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))), "UTC"),
    (datetime(2101, 1, 1, 0, 0), "UTC"),                                    # past the last schedulable year
    (datetime(1, 1, 1, 1, 0), "Asia/Tokyo"),                                # year 0 in UTC
])
def test_times_without_a_utc_instant_or_past_2100_are_refused_naming_the_field(local, zone_name):
    with pytest.raises(InvalidValue) as info:
        to_utc(local, zone_name, field="at")
    assert info.value.field == "at"
    assert to_utc(datetime(2100, 12, 31, 20, 0), "America/New_York") == datetime(2101, 1, 1, 1, 0, tzinfo=UTC)
