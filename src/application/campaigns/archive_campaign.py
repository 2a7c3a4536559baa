"""Archive a planned or completed campaign; it becomes read-only."""

from __future__ import annotations

from application.campaigns.commands import ArchiveCampaign
from application.shared.loading import change
from application.shared.ports import EventStore
from application.shared.results import Saved
from domain.campaigns.campaign import Campaign
from domain.shared.roles import Permission


class ArchiveCampaignHandler:
    def __init__(self, store: EventStore) -> None:
        self.store = store

    async def __call__(self, cmd: ArchiveCampaign) -> Saved:
        cmd.actor.require(Permission.EDIT_CONTENT)
        return await change(self.store, cmd.actor, Campaign, cmd.campaign_id, "campaign",
                            lambda campaign: campaign.archive(by=cmd.actor.user_id))
