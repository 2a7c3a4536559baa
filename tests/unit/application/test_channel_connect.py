"""Connecting channels against a fake platform: OAuth (client registered once, PKCE, a single-use
state bound to the browser session), app passwords, disconnecting, tokens encrypted at rest, roles."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlparse
from uuid import UUID, uuid4

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from cryptography.exceptions import InvalidTag

from application.channels.commands import (
    CompleteOAuthConnect,
    ConnectWithAppPassword,
    DisconnectChannel,
    ListChannels,
    StartOAuthConnect,
)
from application.channels.credentials import load_credentials
from application.channels.start_oauth_connect import STATE_LIFETIME
from application.shared.bearer_secrets import digest
from application.shared.errors import Forbidden, NotFound
from domain.channels.channel import TokenHealth
from domain.shared.errors import InvalidValue, RuleViolated
from domain.shared.platforms import Platform
from tests.unit.application.conftest import INSTANCE, REDIRECT, account

SESSION = "browser-session"


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


async def start(kit, member, session: str = SESSION, instance: str | None = INSTANCE, redirect: str = REDIRECT,
                platform: str = "mastodon") -> str:
    return await kit.start_oauth(StartOAuthConnect(member.actor, platform, redirect, session, instance))


async def stored_credentials(uow, kit, channel_id: UUID):
    async with uow() as tx:
        return await load_credentials(tx, kit.cipher, channel_id)


# ----- starting an OAuth connection ----------------------------------------------------------

async def test_the_oauth_client_is_registered_once_per_platform_instance_and_redirect(app, kit, uow):
    owner = await app.owner()
    await start(kit, owner)
    await start(kit, owner, instance="mastodon.example/")  # same instance, spelled differently
    assert kit.mastodon.registrations == [(INSTANCE, REDIRECT)]
    await start(kit, owner, redirect="https://other.example/callback")
    await start(kit, owner, instance="https://another.example")
    other = await app.owner("Other")
    await start(kit, other)  # clients are PostWizard's, not the workspace's
    assert kit.mastodon.registrations == [(INSTANCE, REDIRECT), (INSTANCE, "https://other.example/callback"),
                                          ("https://another.example", REDIRECT)]
    stored = uow.state.oauth_clients[("mastodon", INSTANCE, REDIRECT)]
    _, registered = kit.mastodon.clients[stored.client_id]
    assert registered.client_secret not in stored.client_secret_encrypted
    assert kit.cipher.decrypt(stored.client_secret_encrypted, context="oauth-client") == registered.client_secret


async def test_start_stores_a_single_use_state_bound_to_the_session_with_a_pkce_verifier(app, kit, uow, clock):
    owner = await app.owner()
    url = await start(kit, owner)
    params = query(url)
    assert url.startswith(f"{INSTANCE}/oauth/authorize?")
    assert params["code_challenge_method"] == "S256" and params["redirect_uri"] == REDIRECT
    [(state_hash, state)] = uow.state.oauth_states.items()
    assert state_hash == digest(params["state"]) != params["state"]  # only the hash is kept
    assert state.session_hash == digest(SESSION)
    assert (state.user_id, state.workspace_id) == (owner.actor.user_id, owner.actor.workspace_id)
    assert (state.platform, state.base_url, state.redirect_uri) == ("mastodon", INSTANCE, REDIRECT)
    assert state.expires_at == clock.now() + STATE_LIFETIME
    verifier = kit.cipher.decrypt(state.code_verifier_encrypted, context="oauth")
    assert verifier not in state.code_verifier_encrypted
    assert create_s256_code_challenge(verifier) == params["code_challenge"]
    second = query(await start(kit, owner))
    assert second["state"] != params["state"] and second["code_challenge"] != params["code_challenge"]
    assert len(uow.state.oauth_states) == 2


@pytest.mark.parametrize(("platform", "instance", "field"), [
    ("bluesky", None, "platform"),         # app password platform
    ("myspace", INSTANCE, "platform"),     # not a platform
    ("threads", INSTANCE, "platform"),     # a platform with no adapter
    ("mastodon", None, "instance_url"),    # Mastodon needs the instance
])
async def test_start_refuses_what_cannot_connect_through_oauth(app, kit, uow, platform, instance, field):
    owner = await app.owner()
    with pytest.raises(InvalidValue) as info:
        await start(kit, owner, platform=platform, instance=instance)
    assert info.value.field == field
    assert uow.state.oauth_states == {} and kit.mastodon.registrations == []


# ----- completing it -------------------------------------------------------------------------

async def test_completing_creates_a_connected_channel_with_encrypted_tokens(app, kit, uow, clock):
    owner = await app.owner()
    alice = account("alice")
    url = await start(kit, owner)
    state, code = kit.mastodon.consent(url, alice)
    connected = await kit.complete_oauth(CompleteOAuthConnect(session=SESSION, state=state, code=code))
    assert connected.workspace_id == owner.actor.workspace_id
    assert (connected.channel.platform, connected.channel.handle, connected.channel.display_name,
            connected.channel.health) == ("mastodon", "alice", alice.display_name, TokenHealth.OK.value)
    channel_id = UUID(connected.channel.id)
    channel = uow.state.channels[channel_id]
    assert channel.workspace_id == owner.actor.workspace_id and channel.platform is Platform.MASTODON
    assert (channel.connected, channel.revoked, channel.base_url, channel.remote_account_id) == (
        True, False, INSTANCE, alice.remote_id)
    assert channel.created_at == clock.now() and channel.token_expires_at is None and channel.refreshable is False
    # tokens: encrypted, bound to the channel, and the ones the platform issued
    credentials = await stored_credentials(uow, kit, channel_id)
    assert credentials.access_token in kit.mastodon.tokens
    sealed = uow.state.secrets[channel_id]
    assert credentials.access_token not in sealed and "access_token" not in sealed
    with pytest.raises(InvalidTag):
        kit.cipher.decrypt(sealed, context=f"channel:{uuid4()}")
    assert await kit.mastodon.account(INSTANCE, credentials) == alice
    assert uow.state.oauth_states == {}  # used up
    listed = await app.list_channels(ListChannels(owner.actor))
    assert [(c.id, c.health) for c in listed] == [(str(channel_id), "ok")]


async def test_an_unknown_state_is_refused(app, kit, uow):
    owner = await app.owner()
    await start(kit, owner)
    with pytest.raises(RuleViolated) as info:
        await kit.complete_oauth(CompleteOAuthConnect(session=SESSION, state="made-up", code="code"))
    assert info.value.rule == "oauth_state"
    assert uow.state.channels == {} and len(uow.state.oauth_states) == 1


async def test_an_expired_state_is_refused(app, kit, uow, clock):
    owner = await app.owner()
    state, code = kit.mastodon.consent(await start(kit, owner), account())
    clock.advance(STATE_LIFETIME + timedelta(seconds=1))
    with pytest.raises(RuleViolated) as info:
        await kit.complete_oauth(CompleteOAuthConnect(session=SESSION, state=state, code=code))
    assert info.value.rule == "oauth_state" and "expired" in info.value.message
    assert uow.state.channels == {}


async def test_a_state_started_in_another_session_is_refused_and_used_up(app, kit, uow):
    owner = await app.owner()
    state, code = kit.mastodon.consent(await start(kit, owner), account())
    with pytest.raises(RuleViolated) as info:
        await kit.complete_oauth(CompleteOAuthConnect(session="attacker-session", state=state, code=code))
    assert info.value.rule == "oauth_state" and "another browser session" in info.value.message
    with pytest.raises(RuleViolated) as info:  # nor can the right session use it afterwards
        await kit.complete_oauth(CompleteOAuthConnect(session=SESSION, state=state, code=code))
    assert info.value.rule == "oauth_state"
    assert uow.state.channels == {}


async def test_a_state_works_once(app, kit, uow):
    owner = await app.owner()
    state, code = kit.mastodon.consent(await start(kit, owner), account())
    await kit.complete_oauth(CompleteOAuthConnect(session=SESSION, state=state, code=code))
    with pytest.raises(RuleViolated) as info:
        await kit.complete_oauth(CompleteOAuthConnect(session=SESSION, state=state, code=code))
    assert info.value.rule == "oauth_state"
    assert len(uow.state.channels) == 1


@pytest.mark.parametrize(("code", "error"), [(None, "access_denied"), (None, None), ("code-1", "access_denied")])
async def test_a_denied_consent_is_refused(app, kit, uow, code, error):
    owner = await app.owner()
    state = query(await start(kit, owner))["state"]
    with pytest.raises(RuleViolated) as info:
        await kit.complete_oauth(CompleteOAuthConnect(session=SESSION, state=state, code=code, error=error))
    assert info.value.rule == "oauth_denied"
    assert uow.state.channels == {} and uow.state.oauth_states == {}


async def test_a_code_the_platform_refuses_names_the_reason(app, kit, uow):
    owner = await app.owner()
    state, _ = kit.mastodon.consent(await start(kit, owner), account())
    with pytest.raises(RuleViolated) as info:
        await kit.complete_oauth(CompleteOAuthConnect(session=SESSION, state=state, code="not-the-code"))
    assert info.value.rule == "connect_auth_expired" and "mastodon refused" in info.value.message
    assert uow.state.channels == {} and uow.state.secrets == {}


async def test_reconnecting_the_same_account_updates_the_same_channel(app, kit, uow, clock):
    owner = await app.owner()
    alice = account("alice")
    channel_id = await kit.connect_oauth(owner, alice)
    first = (await stored_credentials(uow, kit, channel_id)).access_token
    await kit.keeper.needs_reconnect(uow.state.channels[channel_id], "token revoked")
    assert uow.state.channels[channel_id].health(clock.now()) is TokenHealth.NEEDS_RECONNECT
    renamed = type(alice)(alice.remote_id, "alice_renamed", "Alice R.")
    clock.advance(timedelta(hours=1))
    again = await kit.connect_oauth(owner, renamed)
    assert again == channel_id and len(uow.state.channels) == 1
    channel = uow.state.channels[channel_id]
    assert (channel.handle, channel.display_name, channel.revoked, channel.last_error) == (
        "alice_renamed", "Alice R.", False, None)
    assert channel.health(clock.now()) is TokenHealth.OK
    assert (await stored_credentials(uow, kit, channel_id)).access_token not in (first, None)


async def test_a_planned_channel_with_the_same_handle_is_connected_in_place(app, kit, uow):
    owner = await app.owner()
    planned = await app.channel(owner, "mastodon", "@Alice")
    other_platform = await app.channel(owner, "bluesky", "alice")
    channel_id = await kit.connect_oauth(owner, account("alice"))
    assert channel_id == planned
    assert set(uow.state.channels) == {planned, other_platform}
    assert uow.state.channels[planned].connected and not uow.state.channels[other_platform].connected


async def test_the_same_account_in_another_workspace_is_another_channel(app, kit, uow):
    alice = account("alice")
    a, b = await app.owner("A"), await app.owner("B")
    in_a, in_b = await kit.connect_oauth(a, alice), await kit.connect_oauth(b, alice, session="b-session")
    assert in_a != in_b
    assert {uow.state.channels[c].workspace_id for c in (in_a, in_b)} == {a.actor.workspace_id, b.actor.workspace_id}


# ----- app passwords -------------------------------------------------------------------------

async def test_bluesky_connects_with_an_app_password_that_is_never_stored(app, kit, uow, clock):
    owner = await app.owner()
    who = account("pw.bsky.social")
    kit.bluesky.add_app_password("pw.bsky.social", "abcd-efgh-ijkl-mnop", who)
    view = await kit.connect_password(ConnectWithAppPassword(owner.actor, "bluesky", "  pw.bsky.social ",
                                                             "abcd-efgh-ijkl-mnop"))
    channel = uow.state.channels[UUID(view.id)]
    assert (view.platform, view.handle, view.health) == ("bluesky", "pw.bsky.social", "ok")
    assert (channel.connected, channel.base_url, channel.remote_account_id, channel.refreshable) == (
        True, "https://bsky.example", who.remote_id, True)
    assert channel.token_expires_at == clock.now() + timedelta(hours=2)
    payload = kit.cipher.decrypt(uow.state.secrets[channel.id], context=f"channel:{channel.id}")
    assert "abcd-efgh-ijkl-mnop" not in payload
    assert json.loads(payload)["access_token"] in kit.bluesky.tokens


async def test_an_app_password_for_an_oauth_platform_is_refused(app, kit, uow):
    owner = await app.owner()
    with pytest.raises(InvalidValue) as info:
        await kit.connect_password(ConnectWithAppPassword(owner.actor, "mastodon", "alice", "secret",
                                                          service_url=INSTANCE))
    assert info.value.field == "platform"
    assert uow.state.channels == {}


async def test_a_refused_app_password_names_the_reason(app, kit, uow):
    owner = await app.owner()
    kit.bluesky.add_app_password("pw.bsky.social", "right-password", account("pw.bsky.social"))
    with pytest.raises(RuleViolated) as info:
        await kit.connect_password(ConnectWithAppPassword(owner.actor, "bluesky", "pw.bsky.social", "wrong-password"))
    assert info.value.rule == "connect_auth_expired" and "Invalid identifier or password" in info.value.message
    assert uow.state.channels == {} and uow.state.secrets == {}


@pytest.mark.parametrize(("identifier", "password", "field"), [(" ", "secret", "identifier"), ("pw", "", "app_password")])
async def test_app_password_input_is_validated(app, kit, uow, identifier, password, field):
    owner = await app.owner()
    with pytest.raises(InvalidValue) as info:
        await kit.connect_password(ConnectWithAppPassword(owner.actor, "bluesky", identifier, password))
    assert info.value.field == field
    assert uow.state.channels == {}


# ----- disconnecting -------------------------------------------------------------------------

async def test_disconnecting_removes_the_tokens_and_keeps_the_channel(app, kit, uow, clock):
    owner = await app.owner()
    who = account("pw.bsky.social")
    channel_id = await kit.connect_bluesky(owner, who)
    view = await kit.disconnect(DisconnectChannel(owner.actor, channel_id))
    assert view.health == TokenHealth.NOT_CONNECTED.value
    channel = uow.state.channels[channel_id]
    assert (channel.connected, channel.token_expires_at, channel.refreshable) == (False, None, False)
    assert uow.state.secrets[channel_id] is None
    assert await stored_credentials(uow, kit, channel_id) is None
    # connecting the same account again brings the same channel back
    again = await kit.connect_bluesky(owner, who, password="another-app-password")
    assert again == channel_id and uow.state.channels[channel_id].connected
    assert (await stored_credentials(uow, kit, channel_id)).access_token in kit.bluesky.tokens


async def test_disconnecting_another_workspaces_channel_is_not_found(app, kit, uow):
    a, b = await app.owner("A"), await app.owner("B")
    channel_id = await kit.connect_bluesky(a)
    for cid in (channel_id, uuid4()):
        with pytest.raises(NotFound):
            await kit.disconnect(DisconnectChannel(b.actor, cid))
    assert uow.state.channels[channel_id].connected and uow.state.secrets[channel_id]


# ----- roles ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["viewer", "editor", "reviewer"])
async def test_only_owners_connect_and_disconnect(app, kit, uow, role):
    owner = await app.owner()
    channel_id = await kit.connect_bluesky(owner)
    someone = await app.member(owner, role)
    kit.bluesky.add_app_password("new.bsky.social", "pw", account("new.bsky.social"))
    with pytest.raises(Forbidden):
        await start(kit, someone)
    with pytest.raises(Forbidden):
        await kit.connect_password(ConnectWithAppPassword(someone.actor, "bluesky", "new.bsky.social", "pw"))
    with pytest.raises(Forbidden):
        await kit.disconnect(DisconnectChannel(someone.actor, channel_id))
    assert uow.state.oauth_states == {} and kit.mastodon.registrations == []
    assert list(uow.state.channels) == [channel_id] and uow.state.channels[channel_id].connected
