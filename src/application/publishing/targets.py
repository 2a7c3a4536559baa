"""Resolving what a post refers to (channels, campaign, media, approval setting) inside the caller's workspace.

A command reads all of it in one unit of work: the workspace's channels once (they give both the
post's targets and the channels' text limits), then its images and settings as needed."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from application.publishing.unit_of_work import UnitOfWork
from application.shared.actor import Actor
from application.shared.errors import NotFound
from application.shared.ports import EventStore
from domain.campaigns.campaign import Campaign
from domain.channels.channel import Channel
from domain.shared.errors import InvalidValue, RuleViolated


def resolve_targets(channels: Sequence[Channel], channel_ids: list[UUID]) -> list[dict]:
    """{"channel_id", "platform"} for each id; an id outside the workspace (not in `channels`) is named as invalid."""
    by_id = {channel.id: channel for channel in channels}
    targets = []
    for index, channel_id in enumerate(channel_ids):
        channel = by_id.get(channel_id)
        if channel is None:
            raise InvalidValue(f"channel_ids.{index}", f"{channel_id} is not a channel of this workspace")
        targets.append({"channel_id": str(channel.id), "platform": channel.platform.value})
    return targets


async def check_media(uow: UnitOfWork, actor: Actor, refs: list[str] | None) -> None:
    """Every media reference must be an image uploaded to this workspace; the first that is not is named."""
    if not refs:
        return
    missing = await uow.media.missing(actor.workspace_id, list(refs))
    if missing:
        index = list(refs).index(missing[0])
        raise InvalidValue(f"media.{index}", f"{missing[0][:80]} is not an image of this workspace; upload it here first")


async def requires_approval(uow: UnitOfWork, actor: Actor) -> bool:
    workspace = await uow.workspaces.get(actor.workspace_id)
    if workspace is None:
        raise NotFound("workspace", actor.workspace_id)
    return workspace.requires_approval


async def check_campaign(store: EventStore, actor: Actor, campaign_id: UUID | None) -> None:
    """A post may join a campaign of the same workspace that is not archived."""
    if campaign_id is None:
        return
    try:
        campaign = await store.get(campaign_id, Campaign)
        actor.owns("campaign", campaign_id, campaign.workspace_id)
    except NotFound:
        raise InvalidValue("campaign_id", f"{campaign_id} is not a campaign of this workspace") from None
    if campaign.archived:
        raise RuleViolated("campaign_archived", "the campaign is archived; choose another campaign")


def reported_limits(channels: Sequence[Channel]) -> dict[UUID, int]:
    """The text limits the workspace's channels' platforms report (e.g. a Mastodon instance allowing 5000).

    The one source of a channel's text limit for every command that checks a post's text (create and
    schedule, schedule, edit, set a variant), so a post scheduled under a limit stays editable under it."""
    return {c.id: c.max_characters for c in channels if c.max_characters}
