"""The workspace's campaigns, newest first; archived ones only when asked."""

from __future__ import annotations

from application.campaigns.commands import ListCampaigns
from application.campaigns.views import CampaignReader, CampaignView
from domain.shared.roles import Permission


class ListCampaignsHandler:
    def __init__(self, reader: CampaignReader) -> None:
        self.reader = reader

    async def __call__(self, query: ListCampaigns) -> list[CampaignView]:
        query.actor.require(Permission.READ)
        return await self.reader.list(query.actor.workspace_id, query.include_archived)
