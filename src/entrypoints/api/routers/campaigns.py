"""Campaigns: plan, change, activate, complete, archive; list and detail."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from application.campaigns.commands import (
    ActivateCampaign,
    ArchiveCampaign,
    CompleteCampaign,
    CreateCampaign,
    GetCampaign,
    ListCampaigns,
    UpdateCampaign,
)
from entrypoints.api.dependencies import ActorDep, ContainerDep, ExpectedVersion, run
from entrypoints.api.schemas import CampaignIn, CampaignOut, CampaignPatch

router = APIRouter(prefix="/api/workspaces/{workspace_id}/campaigns", tags=["campaigns"])


async def _detail(c: ContainerDep, actor, campaign_id: UUID, response: Response) -> CampaignOut:
    view = await c.get_campaign()(GetCampaign(actor, campaign_id))
    response.headers["ETag"] = f'"{view.version}"'
    return CampaignOut.model_validate(view)


@router.get("", response_model=list[CampaignOut])
async def list_campaigns(actor: ActorDep, c: ContainerDep, include_archived: bool = False) -> list[CampaignOut]:
    return [CampaignOut.model_validate(v) for v in await c.list_campaigns()(ListCampaigns(actor, include_archived))]


@router.post("", response_model=CampaignOut, status_code=201)
async def create_campaign(body: CampaignIn, actor: ActorDep, c: ContainerDep, response: Response) -> CampaignOut:
    data = body.model_dump()
    saved = await run(c, c.create_campaign(), CreateCampaign(actor=actor, **data))
    return await _detail(c, actor, saved.id, response)


@router.get("/{campaign_id}", response_model=CampaignOut)
async def get_campaign(campaign_id: UUID, actor: ActorDep, c: ContainerDep, response: Response) -> CampaignOut:
    return await _detail(c, actor, campaign_id, response)


@router.patch("/{campaign_id}", response_model=CampaignOut)
async def update_campaign(campaign_id: UUID, body: CampaignPatch, actor: ActorDep, c: ContainerDep,
                          version: ExpectedVersion, response: Response) -> CampaignOut:
    """Only the fields sent are changed. Send If-Match with the ETag you loaded to refuse lost updates."""
    changes = body.model_dump(exclude_unset=True)
    await run(c, c.update_campaign(), UpdateCampaign(actor, campaign_id, changes, version))
    return await _detail(c, actor, campaign_id, response)


@router.post("/{campaign_id}/activate", response_model=CampaignOut)
async def activate(campaign_id: UUID, actor: ActorDep, c: ContainerDep, response: Response) -> CampaignOut:
    await run(c, c.activate_campaign(), ActivateCampaign(actor, campaign_id))
    return await _detail(c, actor, campaign_id, response)


@router.post("/{campaign_id}/complete", response_model=CampaignOut)
async def complete(campaign_id: UUID, actor: ActorDep, c: ContainerDep, response: Response) -> CampaignOut:
    await run(c, c.complete_campaign(), CompleteCampaign(actor, campaign_id))
    return await _detail(c, actor, campaign_id, response)


@router.post("/{campaign_id}/archive", response_model=CampaignOut)
async def archive(campaign_id: UUID, actor: ActorDep, c: ContainerDep, response: Response) -> CampaignOut:
    await run(c, c.archive_campaign(), ArchiveCampaign(actor, campaign_id))
    return await _detail(c, actor, campaign_id, response)
