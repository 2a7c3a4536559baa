"""Wall-clock times in a user's IANA zone, turned into UTC instants.

Business rule: a post is scheduled for a wall-clock time in the user's zone. The UTC
instant is derived with the zone rules of that date, so a DST change between scheduling
and publishing never shifts the time the user chose. Wall times that do not exist (the
hour skipped when clocks go forward) are refused; ambiguous ones (the repeated hour)
take the first occurrence. Schedules lie before the year 2101: a later date is a typo, and near
the end of the calendar (9999-12-31 west of UTC) the instant would not even exist.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.shared.errors import InvalidValue

LATEST_YEAR = 2100


def zone(name: str, field: str = "timezone") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValue(field, f"'{name}' is not an IANA time zone such as 'Europe/Paris'") from None


def to_utc(local: datetime, zone_name: str, field: str = "scheduled_at") -> datetime:
    """UTC instant of a wall-clock time (naive) or of an aware datetime, in `zone_name`."""
    tz = zone(zone_name)
    if local.year > LATEST_YEAR:
        raise InvalidValue(field, f"choose a time before the year {LATEST_YEAR + 1}")
    if local.tzinfo is not None:
        return as_utc(local, field)
    aware = local.replace(tzinfo=tz, fold=0)
    round_trip = as_utc(aware, field).astimezone(tz).replace(tzinfo=None)
    if round_trip != local:
        raise InvalidValue(
            field,
            f"{local.isoformat(timespec='minutes')} does not exist in {zone_name} "
            "(clocks go forward then); choose a time outside the skipped hour",
        )
    return aware.astimezone(timezone.utc)


def wall_clock(instant: datetime, zone_name: str) -> datetime:
    """The naive wall-clock time of a UTC instant in `zone_name`."""
    return instant.astimezone(zone(zone_name)).replace(tzinfo=None)


def as_utc(instant: datetime, field: str) -> datetime:
    """An aware instant in UTC; refused, naming the field, at the very ends of the calendar (year 1
    east of UTC, year 9999 west of it), where the UTC instant does not exist."""
    try:
        return instant.astimezone(timezone.utc)
    except OverflowError:
        raise InvalidValue(field, f"{instant.isoformat()} is outside the calendar (years 1 to 9999 in UTC)") from None
