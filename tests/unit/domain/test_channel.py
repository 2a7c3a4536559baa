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
