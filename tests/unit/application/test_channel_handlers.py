"""Channel handlers: planned channels per workspace, their health, owners only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.channels.commands import AddPlannedChannel, ListChannels
from application.shared.errors import Forbidden
from domain.channels.channel import TokenHealth
from domain.shared.errors import InvalidValue, RuleViolated
from domain.shared.platforms import Platform


async def test_owner_adds_a_planned_channel(app, uow, clock):
    owner = await app.owner()
    channel = await app.add_planned_channel(AddPlannedChannel(owner.actor, "mastodon", " @pw@example.social ", ""))
    stored = uow.state.channels[channel.id]
    assert stored.workspace_id == owner.actor.workspace_id and stored.platform is Platform.MASTODON
    assert (stored.handle, stored.display_name) == ("@pw@example.social", "@pw@example.social")
    assert stored.created_at == clock.now() and stored.connected is False
    listed = await app.list_channels(ListChannels(owner.actor))
    assert [(c.id, c.platform, c.handle, c.health) for c in listed] == [
        (str(channel.id), "mastodon", "@pw@example.social", TokenHealth.NOT_CONNECTED.value)]


async def test_a_handle_is_added_once_per_platform(app, uow):
    owner = await app.owner()
    await app.add_planned_channel(AddPlannedChannel(owner.actor, "bluesky", "pw.bsky.social", "PW"))
    with pytest.raises(RuleViolated) as info:
        await app.add_planned_channel(AddPlannedChannel(owner.actor, "bluesky", "PW.bsky.social"))
    assert info.value.rule == "channel_exists"
    await app.add_planned_channel(AddPlannedChannel(owner.actor, "threads", "pw.bsky.social"))
    other = await app.owner("Other")
    await app.add_planned_channel(AddPlannedChannel(other.actor, "bluesky", "pw.bsky.social"))
    assert len(uow.state.channels) == 3


@pytest.mark.parametrize(("platform", "handle", "field"), [("myspace", "pw", "platform"), ("x", " ", "handle")])
async def test_channel_input_is_validated(app, uow, platform, handle, field):
    owner = await app.owner()
    with pytest.raises(InvalidValue) as info:
        await app.add_planned_channel(AddPlannedChannel(owner.actor, platform, handle))
    assert info.value.field == field
    assert uow.state.channels == {}


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
async def test_only_owners_add_channels_but_everyone_lists_them(app, uow, role):
    owner = await app.owner()
    await app.channel(owner, "x")
    someone = await app.member(owner, role)
    with pytest.raises(Forbidden):
        await app.add_planned_channel(AddPlannedChannel(someone.actor, "x", "@another"))
    assert len(await app.list_channels(ListChannels(someone.actor))) == 1


async def test_channels_list_only_the_callers_workspace_with_health_now(app, uow, clock):
    a, b = await app.owner("A"), await app.owner("B")
    mine = await app.channel(a, "mastodon")
    await app.channel(b, "mastodon")
    connected = uow.state.channels[mine]
    connected.connected, connected.token_expires_at = True, clock.now() + timedelta(hours=2)
    listed = await app.list_channels(ListChannels(a.actor))
    assert [(c.id, c.health) for c in listed] == [(str(mine), "expiring")]
    clock.advance(timedelta(hours=2))
    assert (await app.list_channels(ListChannels(a.actor)))[0].health == "needs_reconnect"


async def test_channels_list_their_health_advice_and_text_limit(app, uow, clock):
    owner = await app.owner()
    mine = await app.channel(owner, "mastodon")
    stored = uow.state.channels[mine]
    stored.connected, stored.base_url, stored.max_characters = True, "https://example.social", 11000
    stored.max_image_bytes, stored.max_image_pixels = 300_000, 8_294_400
    stored.needs_reconnect("The instance refused our token (401).")
    [listed] = await app.list_channels(ListChannels(owner.actor))
    assert (listed.health, listed.health_reason) == ("needs_reconnect", "The instance refused our token (401).")
    assert "Reconnect this channel" in listed.health_fix
    assert (listed.base_url, listed.text_limit, listed.text_limit_reported) == ("https://example.social", 11000, True)
    assert (listed.image_max_bytes, listed.image_max_pixels) == (300_000, 8_294_400)
    stored.max_characters, stored.revoked = None, False
    [listed] = await app.list_channels(ListChannels(owner.actor))
    assert (listed.health, listed.health_reason, listed.health_fix) == ("ok", "", "")
    assert (listed.text_limit, listed.text_limit_reported) == (500, False)
