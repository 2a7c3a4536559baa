"""Change a campaign's name, objective, dates, brand voice or UTM defaults."""

from __future__ import annotations

from application.campaigns.commands import UpdateCampaign
from application.shared.loading import change
from application.shared.ports import EventStore
from application.shared.results import Saved
from domain.campaigns.campaign import Campaign
from domain.shared.roles import Permission


class UpdateCampaignHandler:
    def __init__(self, store: EventStore) -> None:
        self.store = store

    async def __call__(self, cmd: UpdateCampaign) -> Saved:
        cmd.actor.require(Permission.EDIT_CONTENT)
        return await change(self.store, cmd.actor, Campaign, cmd.campaign_id, "campaign",
                            lambda campaign: campaign.update(by=cmd.actor.user_id, **cmd.changes), cmd.expected_version)
