"""Channels of a workspace (connecting accounts comes with publishing)."""

from __future__ import annotations

from fastapi import APIRouter

from application.channels.commands import AddPlannedChannel, ListChannels
from entrypoints.api.dependencies import ActorDep, ContainerDep
from entrypoints.api.schemas import ChannelIn, ChannelOut

router = APIRouter(prefix="/api/workspaces/{workspace_id}/channels", tags=["channels"])


@router.get("", response_model=list[ChannelOut])
async def list_channels(actor: ActorDep, c: ContainerDep) -> list[ChannelOut]:
    return [ChannelOut.model_validate(v) for v in await c.list_channels()(ListChannels(actor))]


@router.post("", response_model=ChannelOut, status_code=201)
async def add_channel(body: ChannelIn, actor: ActorDep, c: ContainerDep) -> ChannelOut:
    """Add a planned channel: posts can target it now; connect its account later."""
    channel = await c.add_planned_channel()(AddPlannedChannel(actor=actor, **body.model_dump()))
    return ChannelOut(id=channel.id, platform=channel.platform.value, handle=channel.handle,
                      display_name=channel.display_name, health=channel.health(c.clock().now()).value)
