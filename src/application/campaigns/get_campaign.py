"""One campaign of the caller's workspace."""

from __future__ import annotations

from application.campaigns.commands import GetCampaign
from application.campaigns.views import CampaignReader, CampaignView
from application.shared.errors import NotFound
from domain.shared.roles import Permission


class GetCampaignHandler:
    def __init__(self, reader: CampaignReader) -> None:
        self.reader = reader

    async def __call__(self, query: GetCampaign) -> CampaignView:
        query.actor.require(Permission.READ)
        view = await self.reader.get(query.actor.workspace_id, query.campaign_id)
        if view is None:
            raise NotFound("campaign", query.campaign_id)
        return view
