"""Start a planned campaign (planned -> active)."""

from __future__ import annotations

from application.campaigns.commands import ActivateCampaign
from application.shared.loading import change
from application.shared.ports import EventStore
from application.shared.results import Saved
from domain.campaigns.campaign import Campaign
from domain.shared.roles import Permission


class ActivateCampaignHandler:
    def __init__(self, store: EventStore) -> None:
        self.store = store

    async def __call__(self, cmd: ActivateCampaign) -> Saved:
        cmd.actor.require(Permission.EDIT_CONTENT)
        return await change(self.store, cmd.actor, Campaign, cmd.campaign_id, "campaign",
                            lambda campaign: campaign.activate(by=cmd.actor.user_id))
