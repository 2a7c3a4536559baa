"""A channel: one social account of a workspace on one platform.

Connecting (OAuth, app passwords) and token refresh come with publishing; until then a
channel can be added as planned, so posts can target it. Token health is derived from
the token's expiry: ok, expiring (within a day), needs_reconnect (expired or revoked),
not_connected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from domain.shared.errors import InvalidValue
from domain.shared.platforms import Platform

EXPIRING_WITHIN = timedelta(days=1)


class TokenHealth(StrEnum):
    OK = "ok"
    EXPIRING = "expiring"
    NEEDS_RECONNECT = "needs_reconnect"
    NOT_CONNECTED = "not_connected"


@dataclass
class Channel:
    id: UUID
    workspace_id: UUID
    platform: Platform
    handle: str
    display_name: str
    created_at: datetime
    connected: bool = False
    token_expires_at: datetime | None = None
    revoked: bool = False

    def health(self, now: datetime) -> TokenHealth:
        if not self.connected:
            return TokenHealth.NOT_CONNECTED
        if self.revoked or (self.token_expires_at and self.token_expires_at <= now):
            return TokenHealth.NEEDS_RECONNECT
        if self.token_expires_at and self.token_expires_at - now < EXPIRING_WITHIN:
            return TokenHealth.EXPIRING
        return TokenHealth.OK


def parse_platform(value: str) -> Platform:
    try:
        return Platform(value)
    except ValueError:
        raise InvalidValue("platform", f"must be one of {', '.join(p.value for p in Platform)}") from None


def check_handle(handle: str) -> str:
    handle = (handle or "").strip()
    if not 1 <= len(handle) <= 200:
        raise InvalidValue("handle", "must be 1 to 200 characters")
    return handle
