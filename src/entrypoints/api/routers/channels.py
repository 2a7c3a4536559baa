"""Channels of a workspace: planned, connected through OAuth or an app password, disconnected."""

from __future__ import annotations

from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from application.channels.commands import (
    AddPlannedChannel,
    CompleteOAuthConnect,
    ConnectWithAppPassword,
    DisconnectChannel,
    ListChannels,
    StartOAuthConnect,
)
from application.channels.connecting import view
from domain.shared.errors import DomainError
from entrypoints.api.dependencies import SESSION_COOKIE, ActorDep, ContainerDep
from entrypoints.api.schemas import AppPasswordIn, ChannelIn, ChannelOut, ConnectIn, ConnectOut

router = APIRouter(prefix="/api/workspaces/{workspace_id}/channels", tags=["channels"])


@router.get("", response_model=list[ChannelOut])
async def list_channels(actor: ActorDep, c: ContainerDep) -> list[ChannelOut]:
    return [ChannelOut.model_validate(v) for v in await c.list_channels()(ListChannels(actor))]


@router.post("", response_model=ChannelOut, status_code=201)
async def add_channel(body: ChannelIn, actor: ActorDep, c: ContainerDep) -> ChannelOut:
    """Add a planned channel: posts can target it now; connect its account later."""
    channel = await c.add_planned_channel()(AddPlannedChannel(actor=actor, **body.model_dump()))
    return ChannelOut.model_validate(view(channel, c.clock()))


def _binding(request: Request) -> str:
    """What the OAuth state is bound to: the browser session (or, for scripts, their token)."""
    return request.cookies.get(SESSION_COOKIE) or request.headers.get("authorization", "")


@router.post("/connect", response_model=ConnectOut)
async def connect(body: ConnectIn, request: Request, actor: ActorDep, c: ContainerDep) -> ConnectOut:
    """Start connecting Mastodon (any instance) or X: open the returned URL in the browser."""
    redirect_uri = f"{c.settings().base_url()}/api/oauth/callback"
    url = await c.start_oauth_connect()(StartOAuthConnect(actor=actor, platform=body.platform, redirect_uri=redirect_uri,
                                                          session=_binding(request), instance_url=body.instance_url))
    return ConnectOut(authorization_url=url)


@router.post("/app-password", response_model=ChannelOut, status_code=201)
async def connect_app_password(body: AppPasswordIn, actor: ActorDep, c: ContainerDep) -> ChannelOut:
    """Connect Bluesky with a handle (or email) and an app password; only the session tokens are kept."""
    channel = await c.connect_with_app_password()(ConnectWithAppPassword(actor=actor, **body.model_dump()))
    return ChannelOut.model_validate(channel)


@router.post("/{channel_id}/disconnect", response_model=ChannelOut)
async def disconnect(channel_id: UUID, actor: ActorDep, c: ContainerDep) -> ChannelOut:
    return ChannelOut.model_validate(await c.disconnect_channel()(DisconnectChannel(actor, channel_id)))


callback_router = APIRouter(tags=["channels"])


@callback_router.get("/api/oauth/callback", include_in_schema=True)
async def oauth_callback(request: Request, c: ContainerDep, state: str = "", code: str | None = None,
                         error: str | None = None) -> RedirectResponse:
    """Where the platform sends the browser back; lands on the channels page with the outcome."""
    try:
        done = await c.complete_oauth_connect()(CompleteOAuthConnect(session=_binding(request), state=state, code=code,
                                                                     error=error))
    except DomainError as exc:
        return RedirectResponse(f"/channels?error={quote(str(exc))}", status_code=303)
    return RedirectResponse(f"/channels?workspace={done.workspace_id}&connected={done.channel.id}", status_code=303)
