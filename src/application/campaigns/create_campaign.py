"""Plan a campaign (editors and owners)."""

from __future__ import annotations

from application.campaigns.commands import CreateCampaign
from application.shared.ports import EventStore
from application.shared.results import Saved
from domain.campaigns.campaign import Campaign
from domain.shared.roles import Permission


class CreateCampaignHandler:
    def __init__(self, store: EventStore) -> None:
        self.store = store

    async def __call__(self, cmd: CreateCampaign) -> Saved:
        cmd.actor.require(Permission.EDIT_CONTENT)
        campaign = Campaign.plan(workspace_id=cmd.actor.workspace_id, created_by=cmd.actor.user_id, name=cmd.name,
                                 objective=cmd.objective, starts_on=cmd.starts_on, ends_on=cmd.ends_on,
                                 brand_voice=cmd.brand_voice, utm=cmd.utm_defaults)
        position = await self.store.save(campaign)
        return Saved(campaign.id, campaign.version, position)
