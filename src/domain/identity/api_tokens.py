"""Personal API tokens: when they stop working.

Rules:
- a token may be given a lifetime at creation, either in days (1 to 3650) or as an instant
  (with its time zone, in the future, at most 3650 days ahead); not both. Without one it
  works until it is revoked;
- a token is refused from its expiry instant on, and from the moment it is revoked.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeGuard

from domain.shared.errors import InvalidValue

MAX_LIFETIME = timedelta(days=3650)


def token_expiry(now: datetime, expires_in_days: int | None, expires_at: datetime | None) -> datetime | None:
    """The instant a new token expires (None: never), from one of the two ways of saying it."""
    if expires_in_days is not None and expires_at is not None:
        raise InvalidValue("expires_at", "give expires_in_days or expires_at, not both")
    if expires_in_days is not None:
        if not 1 <= expires_in_days <= MAX_LIFETIME.days:
            raise InvalidValue("expires_in_days", f"must be 1 to {MAX_LIFETIME.days} days")
        return now + timedelta(days=expires_in_days)
    if expires_at is None:
        return None
    if expires_at.tzinfo is None or expires_at.utcoffset() is None:
        raise InvalidValue("expires_at", "must include a time zone, e.g. 2027-01-31T00:00:00Z")
    if expires_at <= now:
        raise InvalidValue("expires_at", "must be in the future")
    if expires_at > now + MAX_LIFETIME:
        raise InvalidValue("expires_at", f"must be at most {MAX_LIFETIME.days} days ahead")
    return expires_at


def has_expired(expires_at: datetime | None, now: datetime) -> TypeGuard[datetime]:
    """True from the expiry instant on. A token without one never expires, so True also says it has one."""
    return expires_at is not None and now >= expires_at
