"""Campaign commands and queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from application.shared.actor import Actor


@dataclass(frozen=True)
class CreateCampaign:
    actor: Actor
    name: str
    objective: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    brand_voice: dict | None = None
    utm_defaults: dict | None = None


@dataclass(frozen=True)
class UpdateCampaign:
    actor: Actor
    campaign_id: UUID
    changes: dict[str, Any] = field(default_factory=dict)
    expected_version: int | None = None


@dataclass(frozen=True)
class ActivateCampaign:
    actor: Actor
    campaign_id: UUID


@dataclass(frozen=True)
class CompleteCampaign:
    actor: Actor
    campaign_id: UUID


@dataclass(frozen=True)
class ArchiveCampaign:
    actor: Actor
    campaign_id: UUID


@dataclass(frozen=True)
class ListCampaigns:
    actor: Actor
    include_archived: bool = False


@dataclass(frozen=True)
class GetCampaign:
    actor: Actor
    campaign_id: UUID
