"""Keeping tokens fresh: TokenKeeper refreshes ahead of expiry (keeping a refresh token the platform
does not repeat), marks a refused channel for reconnecting, never stores an empty token; the periodic
RefreshDueTokens job refreshes only what is due."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.channels.commands import DisconnectChannel, RefreshDueTokens
from application.channels.credentials import load_credentials, store_credentials
from application.channels.refresh_tokens import REFRESH_AHEAD
from application.platforms.ports import ChannelAccess, Credentials, PlatformError
from domain.channels.channel import TokenHealth
from domain.publishing.states import FailureReason
from domain.shared.errors import RuleViolated

TOKEN_LIFETIME = timedelta(hours=2)  # the fake X and Bluesky issue two-hour access tokens


async def access(kit, uow, channel_id) -> ChannelAccess:
    """What publishing gets before using the channel: it and its tokens, fresh, or why not."""
    got = await kit.keeper.access(uow.state.channels[channel_id].workspace_id, channel_id)
    assert got is not None
    return got


async def fresh(kit, uow, channel_id) -> Credentials:
    credentials = (await access(kit, uow, channel_id)).credentials
    if isinstance(credentials, PlatformError):
        raise credentials
    return credentials


async def credentials_of(uow, kit, channel_id):
    async with uow() as tx:
        return await load_credentials(tx, kit.cipher, channel_id)


async def test_tokens_ending_within_refresh_ahead_are_refreshed_and_the_refresh_token_kept(app, kit, uow, clock):
    owner = await app.owner()
    channel_id = await kit.connect_oauth(owner, platform="x", instance=None)  # X omits the refresh token on refresh
    old = await credentials_of(uow, kit, channel_id)
    assert old.refresh_token and old.expires_at == clock.now() + TOKEN_LIFETIME
    clock.advance(TOKEN_LIFETIME - REFRESH_AHEAD)
    got = await access(kit, uow, channel_id)
    new = got.credentials
    assert isinstance(new, Credentials)
    assert kit.x.refresh_calls == [old.refresh_token]
    assert new.access_token != old.access_token and new.access_token in kit.x.tokens
    assert old.access_token not in kit.x.tokens
    assert new.refresh_token == old.refresh_token  # the platform's answer had none
    assert new.expires_at == clock.now() + TOKEN_LIFETIME
    assert await credentials_of(uow, kit, channel_id) == new
    stored = uow.state.channels[channel_id]
    assert (stored.token_expires_at, stored.refreshable) == (new.expires_at, True)
    assert got.channel.token_expires_at == new.expires_at  # the copy handed out is up to date too
    # the kept refresh token still works next time
    clock.advance(TOKEN_LIFETIME - REFRESH_AHEAD)
    again = await fresh(kit, uow, channel_id)
    assert again.refresh_token == old.refresh_token and again.access_token in kit.x.tokens


async def test_a_rotated_refresh_token_replaces_the_old_one(app, kit, uow, clock):
    owner = await app.owner()
    channel_id = await kit.connect_bluesky(owner)
    old = await credentials_of(uow, kit, channel_id)
    clock.advance(TOKEN_LIFETIME - timedelta(minutes=1))
    new = await fresh(kit, uow, channel_id)
    assert new.refresh_token not in (None, old.refresh_token)
    assert new.refresh_token in kit.bluesky.refresh_tokens and old.refresh_token not in kit.bluesky.refresh_tokens
    assert (await credentials_of(uow, kit, channel_id)).refresh_token == new.refresh_token


async def test_tokens_not_yet_due_are_used_as_they_are(app, kit, uow, clock):
    owner = await app.owner()
    channel_id = await kit.connect_bluesky(owner)
    stored = await credentials_of(uow, kit, channel_id)
    clock.advance(TOKEN_LIFETIME - REFRESH_AHEAD - timedelta(seconds=1))
    assert await fresh(kit, uow, channel_id) == stored
    mastodon = await kit.connect_oauth(owner)  # no expiry: never refreshed
    clock.advance(timedelta(days=400))
    await fresh(kit, uow, mastodon)
    assert kit.bluesky.refresh_calls == [] and kit.mastodon.refresh_calls == []


async def test_a_refused_refresh_marks_the_channel_for_reconnecting(app, kit, uow, clock):
    owner = await app.owner()
    channel_id = await kit.connect_bluesky(owner)
    before = uow.state.secrets[channel_id]
    kit.bluesky.refresh_tokens.clear()  # the user revoked PostWizard at the platform
    clock.advance(TOKEN_LIFETIME - timedelta(minutes=5))
    got = await access(kit, uow, channel_id)
    assert isinstance(got.credentials, PlatformError) and got.credentials.reason is FailureReason.AUTH_EXPIRED
    stored = uow.state.channels[channel_id]
    assert stored.revoked and "refresh token" in stored.last_error
    assert stored.health(clock.now()) is TokenHealth.NEEDS_RECONNECT
    assert got.channel.revoked  # the copy handed out too
    assert uow.state.secrets[channel_id] == before
    with pytest.raises(PlatformError) as info:  # and it stays refused without calling the platform again
        await fresh(kit, uow, channel_id)
    assert info.value.reason is FailureReason.AUTH_EXPIRED and "reconnect" in info.value.message
    assert len(kit.bluesky.refresh_calls) == 1


async def test_a_transient_refresh_failure_does_not_ask_for_reconnecting(app, kit, uow, clock):
    owner = await app.owner()
    channel_id = await kit.connect_bluesky(owner)
    kit.bluesky.fail_next_refresh(PlatformError(FailureReason.PLATFORM_UNAVAILABLE, "503 Service Unavailable"))
    clock.advance(TOKEN_LIFETIME - timedelta(minutes=5))
    with pytest.raises(PlatformError) as info:
        await fresh(kit, uow, channel_id)
    assert info.value.reason is FailureReason.PLATFORM_UNAVAILABLE
    assert not uow.state.channels[channel_id].revoked
    assert (await fresh(kit, uow, channel_id)).access_token in kit.bluesky.tokens


async def test_a_channel_without_tokens_must_be_reconnected(app, kit, uow):
    owner = await app.owner()
    planned = await app.channel(owner, "bluesky", "planned.bsky.social")
    connected = await kit.connect_bluesky(owner)
    await kit.disconnect(DisconnectChannel(owner.actor, connected))
    for channel_id in (planned, connected):
        with pytest.raises(PlatformError) as info:
            await fresh(kit, uow, channel_id)
        assert info.value.reason is FailureReason.AUTH_EXPIRED and "reconnect" in info.value.message
    lost = await kit.connect_bluesky(owner)
    uow.state.secrets[lost] = None  # connected, but its tokens are gone
    with pytest.raises(PlatformError) as info:
        await fresh(kit, uow, lost)
    assert info.value.reason is FailureReason.AUTH_EXPIRED and "no tokens" in info.value.message


async def test_an_empty_access_token_is_never_stored(app, kit, uow, clock):
    owner = await app.owner()
    channel_id = await kit.connect_bluesky(owner)
    good = await credentials_of(uow, kit, channel_id)
    async with uow() as tx:
        with pytest.raises(RuleViolated) as info:
            await store_credentials(tx, kit.cipher, channel_id, Credentials(access_token="", refresh_token="r"))
        assert info.value.rule == "empty_token"
        await tx.commit()
    assert await credentials_of(uow, kit, channel_id) == good


# ----- the periodic job ----------------------------------------------------------------------

async def test_the_job_refreshes_only_channels_that_are_due(app, kit, uow, clock):
    owner = await app.owner()
    due = await kit.connect_bluesky(owner)
    revoked = await kit.connect_bluesky(owner)
    clock.advance(timedelta(minutes=30))
    later = await kit.connect_bluesky(owner)              # ends 30 minutes after the others
    mastodon = await kit.connect_oauth(owner)             # never ends
    await kit.keeper.needs_reconnect(uow.state.channels[revoked], "refused")
    expiries = {c: uow.state.channels[c].token_expires_at for c in (due, revoked, later)}
    clock.advance(TOKEN_LIFETIME - REFRESH_AHEAD - timedelta(minutes=30) + timedelta(seconds=1))
    assert await kit.refresh_due(RefreshDueTokens()) == 1
    assert len(kit.bluesky.refresh_calls) == 1 and kit.mastodon.refresh_calls == []
    assert uow.state.channels[due].token_expires_at == clock.now() + TOKEN_LIFETIME
    assert uow.state.channels[revoked].token_expires_at == expiries[revoked]
    assert uow.state.channels[later].token_expires_at == expiries[later]
    assert uow.state.channels[mastodon].token_expires_at is None
    # a wider window picks up the later one too
    assert await kit.refresh_due(RefreshDueTokens(ahead_seconds=3600)) == 1
    assert uow.state.channels[later].token_expires_at == clock.now() + TOKEN_LIFETIME


async def test_one_refused_channel_does_not_stop_the_job(app, kit, uow, clock):
    owner = await app.owner()
    first, second = await kit.connect_bluesky(owner), await kit.connect_bluesky(owner)
    kit.bluesky.fail_next_refresh(PlatformError(FailureReason.AUTH_EXPIRED, "the session was revoked"))
    clock.advance(TOKEN_LIFETIME - timedelta(minutes=1))
    assert await kit.refresh_due(RefreshDueTokens()) == 1
    assert uow.state.channels[first].revoked and uow.state.channels[first].last_error == "the session was revoked"
    assert not uow.state.channels[second].revoked
    assert uow.state.channels[second].token_expires_at == clock.now() + TOKEN_LIFETIME
    assert await kit.refresh_due(RefreshDueTokens()) == 0  # the revoked one waits for the user
