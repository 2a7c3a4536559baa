"""The SSRF guard's place in connecting: a server the guard refuses is sent nothing (no registration,
no app password), and whatever goes wrong at a server reads as the one message on the field that
named it; only a login the server refused keeps its own words."""

from __future__ import annotations

import pytest

from application.channels.commands import ConnectWithAppPassword, StartOAuthConnect
from application.channels.ports import UNREACHABLE
from application.platforms.ports import PlatformError
from domain.shared.errors import InvalidValue, RuleViolated
from tests.unit.application.conftest import REDIRECT, account

FAILURES = [PlatformError("platform_unavailable", "could not reach https://pds.example: ConnectTimeout"),
            PlatformError("unknown", "Mastodon answered 404 with a body that is not JSON"),
            PlatformError("rate_limited", "slow down"), PlatformError("validation", "Bluesky refused the request")]


def _failing(error: Exception):
    async def fail(*args, **kwargs):
        raise error
    return fail


async def test_a_refused_pds_is_never_sent_the_app_password(app, kit, uow):
    owner = await app.owner()
    kit.servers.refused.add("pds.internal")
    tried = []
    kit.bluesky.log_in = lambda *args: tried.append(args)
    with pytest.raises(InvalidValue) as info:
        await kit.connect_password(ConnectWithAppPassword(owner.actor, "bluesky", "ann.example", "app-pass",
                                                          "https://pds.internal"))
    assert (info.value.field, info.value.message) == ("service_url", UNREACHABLE)
    assert tried == [] and kit.servers.asked == ["https://pds.internal"] and uow.state.channels == {}


async def test_a_refused_instance_is_not_even_registered_at(app, kit, uow):
    owner = await app.owner()
    kit.servers.refused.add("mastodon.internal")
    with pytest.raises(InvalidValue) as info:
        await kit.start_oauth(StartOAuthConnect(owner.actor, "mastodon", REDIRECT, "session", "https://mastodon.internal"))
    assert (info.value.field, info.value.message) == ("instance_url", UNREACHABLE)
    assert kit.mastodon.registrations == [] and uow.state.oauth_states == {} and uow.state.oauth_clients == {}


@pytest.mark.parametrize("failure", FAILURES)
async def test_whatever_goes_wrong_at_an_instance_reads_the_same(app, kit, uow, failure):
    owner = await app.owner()
    kit.mastodon.register_client = _failing(failure)
    with pytest.raises(InvalidValue) as info:
        await kit.start_oauth(StartOAuthConnect(owner.actor, "mastodon", REDIRECT, "session", "https://mastodon.example"))
    assert (info.value.field, info.value.message) == ("instance_url", UNREACHABLE)
    assert uow.state.oauth_states == {}


@pytest.mark.parametrize("step", ["log_in", "account", "limits"])
@pytest.mark.parametrize("failure", FAILURES)
async def test_whatever_goes_wrong_at_a_pds_reads_the_same(app, kit, uow, failure, step):
    owner = await app.owner()
    who = account("ann.example")
    kit.bluesky.add_app_password("ann.example", "app-pass", who)
    setattr(kit.bluesky, step, _failing(failure))
    with pytest.raises(InvalidValue) as info:
        await kit.connect_password(ConnectWithAppPassword(owner.actor, "bluesky", "ann.example", "app-pass"))
    assert (info.value.field, info.value.message) == ("service_url", UNREACHABLE)
    assert uow.state.channels == {}


async def test_a_login_the_server_refused_keeps_its_own_words(app, kit, uow):
    owner = await app.owner()
    with pytest.raises(RuleViolated) as info:
        await kit.connect_password(ConnectWithAppPassword(owner.actor, "bluesky", "ann.example", "wrong"))
    assert info.value.rule == "connect_auth_expired" and "Invalid identifier or password" in info.value.message
