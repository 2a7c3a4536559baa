"""Channels commands and queries."""

from __future__ import annotations

from dataclasses import dataclass

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
