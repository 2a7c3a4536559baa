"""Read-side DTOs and the reader port for campaigns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True)
class CampaignView:
    id: UUID
    name: str
    objective: str
    status: str
    archived: bool
    starts_on: date | None
    ends_on: date | None
    brand_voice: dict
    utm_defaults: dict
    version: int
    post_count: int
    created_at: datetime
    updated_at: datetime
    stale: bool = False  # a later change is saved but not shown yet (its projection was set aside)


class CampaignReader(Protocol):
    async def list(self, workspace_id: UUID, include_archived: bool) -> list[CampaignView]: ...

    async def get(self, workspace_id: UUID, campaign_id: UUID) -> CampaignView | None: ...
