"""The workspace's caption usage: generations and tokens today and this month, and the hourly limit."""

from __future__ import annotations

from application.captions.commands import GetCaptionUsage
from application.captions.ports import UsageLedger, UsageSummary
from application.shared.ports import Clock
from domain.shared.roles import Permission


class GetCaptionUsageHandler:
    def __init__(self, ledger: UsageLedger, clock: Clock, limit_per_hour: int) -> None:
        self.ledger = ledger
        self.clock = clock
        self.limit_per_hour = limit_per_hour

    async def __call__(self, query: GetCaptionUsage) -> UsageSummary:
        query.actor.require(Permission.READ)
        return await self.ledger.summary(query.actor.workspace_id, self.clock.now(), self.limit_per_hour)
