"""Identity: users, workspaces (tenants), memberships and invitations.

Rules:
- an email identifies one user (case-insensitive); passwords follow `domain.identity.passwords`;
- every workspace keeps at least one owner (the last owner cannot be demoted or removed);
- an invitation is accepted by the invited email only, once, before it expires;
- a user's time zone is an IANA name the zone database knows, or none (screens then use the browser's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from uuid import UUID
from zoneinfo import available_timezones

from domain.shared.errors import InvalidValue, RuleViolated
from domain.shared.roles import Role

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidValue("email", "is not a valid email address")
    return email


def check_name(value: str | None, field_name: str, limit: int = 120) -> str:
    """A display name, trimmed: 1 to `limit` characters. A missing name is refused like a blank one."""
    value = (value or "").strip()
    if not 1 <= len(value) <= limit:
        raise InvalidValue(field_name, f"must be 1 to {limit} characters")
    return value


# In the zone database's folder but not zones a person lives in (nor names a browser knows).
_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_PLACES


def check_time_zone(name: str | None) -> str | None:
    """A user's time zone: an IANA name ("Europe/Berlin", "UTC"), exactly as the zone database
    spells it; None means not chosen."""
    if name is None:
        return None
    if name not in _known_zones():
        raise InvalidValue("time_zone", f"'{name}' is not an IANA time zone; use a name such as 'Europe/Berlin', "
                                        "or null to follow the browser's zone")
    return name


@dataclass
class User:
    id: UUID
    email: str
    name: str
    password_hash: str
    created_at: datetime
    time_zone: str | None = None


@dataclass
class Workspace:
    id: UUID
    name: str
    requires_approval: bool
    created_at: datetime


@dataclass
class Membership:
    workspace_id: UUID
    user_id: UUID
    role: Role


@dataclass
class Invitation:
    id: UUID
    workspace_id: UUID
    email: str
    role: Role
    token_hash: str
    invited_by: UUID
    expires_at: datetime
    accepted_at: datetime | None = field(default=None)

    def accept(self, email: str, now: datetime) -> None:
        if self.accepted_at is not None:
            raise RuleViolated("invitation_used", "this invitation was already accepted")
        if now > self.expires_at:
            raise RuleViolated("invitation_expired", "this invitation has expired; ask for a new one")
        if normalise_email(email) != self.email:
            raise RuleViolated("invitation_email", "this invitation is for another email address")
        self.accepted_at = now


def ensure_owner_remains(members: list[Membership], user_id: UUID, new_role: Role | None) -> None:
    """Refuse a change that would leave the workspace without an owner."""
    owners = [m for m in members if m.role is Role.OWNER]
    if new_role is not Role.OWNER and len(owners) == 1 and owners[0].user_id == user_id:
        raise RuleViolated("last_owner", "a workspace needs at least one owner; make someone else owner first")
