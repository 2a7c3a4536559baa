"""ExampleSource until engagement is collected.

"Best-performing" needs engagement numbers, which no part of PostWizard gathers yet; until
it does there is nothing to rank, so the model gets no examples rather than arbitrary posts.
"""

from __future__ import annotations

from uuid import UUID


class NoEngagementYet:
    async def best_posts(self, workspace_id: UUID, campaign_id: UUID | None, platform: str, limit: int) -> list[str]:
        return []
