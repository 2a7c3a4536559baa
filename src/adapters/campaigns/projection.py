"""Campaign events -> campaign_views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.campaigns.tables import campaign_views
from adapters.shared.projector import Change, upsert
from domain.campaigns.campaign import Campaign


class CampaignProjection:
    kind = Campaign

    async def apply(self, conn: AsyncConnection, changes: Sequence[Change]) -> None:
        await upsert(conn, campaign_views, [self._row(c.aggregate) for c in changes])

    @staticmethod
    def _row(campaign: Campaign) -> dict[str, Any]:
        return {
            "id": campaign.id, "workspace_id": campaign.workspace_id, "name": campaign.name,
            "objective": campaign.objective, "status": campaign.status.value, "archived": campaign.archived,
            "starts_on": campaign.starts_on, "ends_on": campaign.ends_on, "brand_voice": campaign.brand_voice,
            "utm_defaults": campaign.utm_defaults, "version": campaign.version,
            "created_at": campaign.created_on, "updated_at": campaign.modified_on,
        }

    async def mark_stale(self, conn: AsyncConnection, aggregate_id: UUID, stale: bool) -> None:
        await conn.execute(update(campaign_views).where(campaign_views.c.id == aggregate_id).values(stale=stale))
