"""A channel: one social account of a workspace on one platform.

A channel may be planned (posts can target it before its account is connected), then
connected through the platform's OAuth or app password. Rules:
- token health is ok, expiring (an access token that cannot be refreshed ends within a
  day), needs_reconnect (the platform refused our tokens, or they ended and cannot be
  refreshed) or not_connected;
- refreshing never replaces a good token with an empty one;
- a channel that needs reconnecting keeps its posts; they fail with "reconnect this channel".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from domain.shared.errors import InvalidValue
from domain.shared.platforms import Platform, rules_for

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
    base_url: str = ""
    remote_account_id: str | None = None
    refreshable: bool = False
    last_error: str | None = None
    max_characters: int | None = None  # the limit the platform reports, when it differs from the default
    max_image_bytes: int | None = None   # image limits the platform reports (a Mastodon instance's own)
    max_image_pixels: int | None = None

    def health(self, now: datetime) -> TokenHealth:
        if not self.connected:
            return TokenHealth.NOT_CONNECTED
        if self.revoked:
            return TokenHealth.NEEDS_RECONNECT
        if self.token_expires_at and not self.refreshable:
            if self.token_expires_at <= now:
                return TokenHealth.NEEDS_RECONNECT
            if self.token_expires_at - now < EXPIRING_WITHIN:
                return TokenHealth.EXPIRING
        return TokenHealth.OK

    def health_advice(self, now: datetime) -> tuple[str, str]:
        """Why the health is what it is and what the user should do about it ("" and "" when it is ok)."""
        health = self.health(now)
        if health is TokenHealth.NOT_CONNECTED:
            return ("No account is connected; posts for this channel wait until one is.",
                    "Connect the account to publish here.")
        if health is TokenHealth.NEEDS_RECONNECT:
            reason = (self.last_error or "The platform refused our access token.") if self.revoked else \
                "The access token has ended and cannot be refreshed."
            return reason, "Reconnect this channel; its scheduled posts fail until you do."
        if health is TokenHealth.EXPIRING:
            return ("The access token ends within a day and cannot be refreshed.",
                    "Reconnect this channel before then so scheduled posts do not fail.")
        return "", ""

    def text_limit(self) -> int:
        """The most characters a post may have here: the limit the platform reported, else its documented one."""
        return self.max_characters or rules_for(self.platform).max_length

    def connect(self, *, base_url: str, remote_account_id: str, handle: str, display_name: str,
                expires_at: datetime | None, refreshable: bool) -> None:
        self.base_url, self.remote_account_id = base_url, remote_account_id
        self.handle, self.display_name = check_handle(handle), display_name or handle
        self.connected, self.revoked, self.last_error = True, False, None
        self.token_expires_at, self.refreshable = expires_at, refreshable

    def refreshed(self, expires_at: datetime | None, refreshable: bool) -> None:
        self.token_expires_at, self.refreshable, self.revoked, self.last_error = expires_at, refreshable, False, None

    def needs_reconnect(self, reason: str) -> None:
        """The platform refused our tokens: publishing to it fails until the user reconnects."""
        self.revoked, self.last_error = True, reason

    def disconnect(self) -> None:
        self.connected, self.revoked, self.token_expires_at, self.refreshable = False, False, None, False

    def needs_refresh(self, now: datetime, ahead: timedelta) -> bool:
        """Refresh ahead of expiry (X's access tokens last 2 h, Bluesky's a couple of hours)."""
        return (self.connected and self.refreshable and not self.revoked and self.token_expires_at is not None
                and self.token_expires_at - now <= ahead)


def parse_platform(value: str) -> Platform:
    try:
        return Platform(value)
    except ValueError:
        raise InvalidValue("platform", f"must be one of {', '.join(p.value for p in Platform)}") from None


def same_handle(a: str, b: str) -> bool:
    """'@Ann@mastodon.social' and 'ann@mastodon.social' name the same account."""
    return a.strip().lstrip("@").lower() == b.strip().lstrip("@").lower()


def check_handle(handle: str) -> str:
    handle = (handle or "").strip()
    if not 1 <= len(handle) <= 200:
        raise InvalidValue("handle", "must be 1 to 200 characters")
    return handle
