"""Wall-clock times in a user's IANA zone, turned into UTC instants.

Business rule: a post is scheduled for a wall-clock time in the user's zone. The UTC
instant is derived with the zone rules of that date, so a DST change between scheduling
and publishing never shifts the time the user chose. Wall times that do not exist (the
hour skipped when clocks go forward) are refused; ambiguous ones (the repeated hour)
take the first occurrence.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.shared.errors import InvalidValue


def zone(name: str, field: str = "timezone") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValue(field, f"'{name}' is not an IANA time zone such as 'Europe/Paris'") from None


def to_utc(local: datetime, zone_name: str, field: str = "scheduled_at") -> datetime:
    """UTC instant of a wall-clock time (naive) or of an aware datetime, in `zone_name`."""
    tz = zone(zone_name)
    if local.tzinfo is not None:
        return local.astimezone(timezone.utc)
    aware = local.replace(tzinfo=tz, fold=0)
    round_trip = aware.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
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
