"""Channels: token health, platform and handle validation."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from domain.channels.channel import Channel, TokenHealth, check_handle, parse_platform
from domain.shared.errors import InvalidValue
from domain.shared.platforms import Platform
from tests.unit.factories import NOW, WORKSPACE


def channel(**kwargs) -> Channel:
    return Channel(id=uuid4(), workspace_id=WORKSPACE, platform=Platform.MASTODON, handle="@pw@example.social",
                   display_name="PW", created_at=NOW, **kwargs)


@pytest.mark.parametrize(("kwargs", "health"), [
    ({}, TokenHealth.NOT_CONNECTED),
    ({"token_expires_at": NOW + timedelta(days=30)}, TokenHealth.NOT_CONNECTED),  # planned, never connected
    ({"connected": True}, TokenHealth.OK),  # a token that does not expire
    ({"connected": True, "token_expires_at": NOW + timedelta(days=2)}, TokenHealth.OK),
    ({"connected": True, "token_expires_at": NOW + timedelta(days=1)}, TokenHealth.OK),
    ({"connected": True, "token_expires_at": NOW + timedelta(hours=23, minutes=59)}, TokenHealth.EXPIRING),
    ({"connected": True, "token_expires_at": NOW + timedelta(seconds=1)}, TokenHealth.EXPIRING),
    ({"connected": True, "token_expires_at": NOW}, TokenHealth.NEEDS_RECONNECT),
    ({"connected": True, "token_expires_at": NOW - timedelta(days=1)}, TokenHealth.NEEDS_RECONNECT),
    ({"connected": True, "revoked": True}, TokenHealth.NEEDS_RECONNECT),
    ({"connected": True, "revoked": True, "token_expires_at": NOW + timedelta(days=9)}, TokenHealth.NEEDS_RECONNECT),
])
def test_token_health(kwargs, health):
    assert channel(**kwargs).health(NOW) is health


@pytest.mark.parametrize("platform", list(Platform))
def test_every_platform_parses(platform):
    assert parse_platform(platform.value) is platform


@pytest.mark.parametrize("value", ["myspace", "", "twitter"])
def test_unknown_platform_names_the_field(value):
    with pytest.raises(InvalidValue) as info:
        parse_platform(value)
    assert info.value.field == "platform"
    assert "mastodon" in info.value.message


def test_handles_are_trimmed_and_bounded():
    assert check_handle("  @pw@example.social ") == "@pw@example.social"
    assert check_handle("x" * 200) == "x" * 200
    for bad in ("", "   ", None, "x" * 201):
        with pytest.raises(InvalidValue) as info:
            check_handle(bad)
        assert info.value.field == "handle"


@pytest.mark.parametrize(("kwargs", "reason", "fix"), [
    ({"connected": True}, "", ""),
    ({}, "No account is connected", "Connect the account"),
    ({"connected": True, "revoked": True, "last_error": "The token was revoked."}, "The token was revoked.",
     "Reconnect this channel"),
    ({"connected": True, "revoked": True}, "The platform refused our access token.", "Reconnect this channel"),
    ({"connected": True, "token_expires_at": NOW - timedelta(minutes=1)}, "has ended", "Reconnect this channel"),
    ({"connected": True, "token_expires_at": NOW + timedelta(hours=3)}, "ends within a day", "before then"),
])
def test_health_advice_names_the_reason_and_the_fix(kwargs, reason, fix):
    got_reason, got_fix = channel(**kwargs).health_advice(NOW)
    assert (reason in got_reason if reason else got_reason == "") and (fix in got_fix if fix else got_fix == "")


def test_text_limit_is_the_reported_one_else_the_platforms_default():
    assert channel().text_limit() == 500
    assert channel(max_characters=11000).text_limit() == 11000
    assert Channel(id=uuid4(), workspace_id=WORKSPACE, platform=Platform.BLUESKY, handle="pw.bsky.social",
                   display_name="PW", created_at=NOW).text_limit() == 300
