"""Channels commands and queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.shared.actor import Actor


@dataclass(frozen=True)
class AddPlannedChannel:
    """A channel to plan content for; it is connected to its account later."""

    actor: Actor
    platform: str
    handle: str
    display_name: str = ""


@dataclass(frozen=True)
class ListChannels:
    actor: Actor


@dataclass(frozen=True)
class ChannelView:
    id: str
    platform: str
    handle: str
    display_name: str
    health: str
    health_reason: str = ""
    health_fix: str = ""
    token_expires_at: datetime | None = None
    base_url: str = ""
    text_limit: int = 0
    text_limit_reported: bool = False
    image_max_bytes: int | None = None   # what the platform reported (a Mastodon instance's own); None: its default
    image_max_pixels: int | None = None


@dataclass(frozen=True)
class StartOAuthConnect:
    """Begin connecting an OAuth platform (Mastodon: any instance URL; X). `session` binds the state."""

    actor: Actor
    platform: str
    redirect_uri: str
    session: str
    instance_url: str | None = None


@dataclass(frozen=True)
class CompleteOAuthConnect:
    session: str
    state: str
    code: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class ConnectWithAppPassword:
    actor: Actor
    platform: str
    identifier: str
    app_password: str
    service_url: str | None = None


@dataclass(frozen=True)
class DisconnectChannel:
    actor: Actor
    channel_id: UUID


@dataclass(frozen=True)
class RefreshDueTokens:
    """Refresh every connected channel whose access token ends within `ahead`."""

    ahead_seconds: int = 15 * 60


@dataclass(frozen=True)
class ConnectedChannel:
    workspace_id: UUID
    channel: ChannelView
