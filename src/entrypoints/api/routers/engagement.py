"""Engagement of a post: each published target's latest numbers, their freshness and series, and a
member's "refresh now"."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from application.engagement.commands import GetPostEngagement, RefreshEngagementNow
from entrypoints.api.dependencies import ActorDep, ContainerDep
from entrypoints.api.schemas import EngagementRefreshOut, PostEngagementOut

router = APIRouter(prefix="/api/workspaces/{workspace_id}", tags=["engagement"])


@router.get("/posts/{post_id}/engagement", response_model=PostEngagementOut)
async def post_engagement(post_id: UUID, actor: ActorDep, c: ContainerDep) -> PostEngagementOut:
    """Per target: the latest numbers, when they were read and when they are read next, and every
    change since publication; per post: the numbers summed over its targets."""
    return PostEngagementOut.model_validate(await c.get_post_engagement()(GetPostEngagement(actor, post_id)))


@router.post("/posts/{post_id}/engagement/refresh", response_model=EngagementRefreshOut, status_code=202)
async def refresh_engagement(post_id: UUID, actor: ActorDep, c: ContainerDep) -> EngagementRefreshOut:
    """Read the post's numbers now instead of at their next poll (202: a worker reads them in a moment;
    watch `captured_at`)."""
    return EngagementRefreshOut.model_validate(await c.refresh_engagement_now()(RefreshEngagementNow(actor, post_id)))
