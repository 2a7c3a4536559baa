"""CampaignReader on campaign_views (SQLAlchemy async)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.campaigns.tables import campaign_views
from adapters.publishing.tables import post_views
from application.campaigns.views import CampaignView

_post_count = (select(func.count()).select_from(post_views)
               .where(post_views.c.campaign_id == campaign_views.c.id, post_views.c.status != "cancelled")
               .correlate(campaign_views).scalar_subquery())


def _view(row) -> CampaignView:
    data = dict(row._mapping)
    data.pop("workspace_id")
    return CampaignView(**data)


class SqlCampaignReader:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def list(self, workspace_id: UUID, include_archived: bool) -> list[CampaignView]:
        query = (select(campaign_views, _post_count.label("post_count"))
                 .where(campaign_views.c.workspace_id == workspace_id)
                 .order_by(campaign_views.c.created_at.desc()))
        if not include_archived:
            query = query.where(campaign_views.c.archived.is_(False))
        async with self.engine.connect() as conn:
            return [_view(r) for r in await conn.execute(query)]

    async def get(self, workspace_id: UUID, campaign_id: UUID) -> CampaignView | None:
        query = select(campaign_views, _post_count.label("post_count")).where(
            campaign_views.c.workspace_id == workspace_id, campaign_views.c.id == campaign_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return _view(row) if row else None
