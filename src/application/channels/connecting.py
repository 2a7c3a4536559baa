"""Shared steps of connecting a channel: check the server the user named, find or create the
workspace's channel for the account, store its tokens encrypted, report it."""

from __future__ import annotations

import logging
from uuid import UUID

from application.channels.commands import ChannelView
from application.channels.credentials import store_credentials
from application.channels.ports import UNREACHABLE, ServerGuard, UnreachableServer
from application.channels.unit_of_work import UnitOfWork
from application.platforms.ports import Account, Credentials, PlatformDirectory, PlatformError, PlatformLimits
from application.shared.ports import Clock, IdGenerator, TokenCipher
from domain.channels.channel import Channel
from domain.shared.errors import InvalidValue
from domain.shared.platforms import Platform

log = logging.getLogger(__name__)


async def checked_base_url(platforms: PlatformDirectory, servers: ServerGuard, platform: str, given: str | None,
                           field: str) -> str:
    """Where to connect, once the SSRF guard has allowed it: nothing is sent to a server before this."""
    base_url = platforms.base_url(platform, given)
    try:
        await servers.check(base_url)
    except UnreachableServer:
        raise InvalidValue(field, UNREACHABLE) from None
    return base_url


def unreachable(field: str, platform: str, base_url: str, exc: PlatformError) -> InvalidValue:
    """A server that let us connect but failed or did not answer as the platform does is told the same way
    as one the guard refused (the cause goes to the log for the operator)."""
    log.info("connecting %s at %s failed: %s (%s)", platform, base_url, exc.message, exc.reason)
    return InvalidValue(field, UNREACHABLE)


async def attach_account(uow: UnitOfWork, cipher: TokenCipher, clock: Clock, ids: IdGenerator, *,
                         workspace_id: UUID, platform: str, base_url: str, account: Account,
                         credentials: Credentials, limits: PlatformLimits | None = None) -> Channel:
    """Reconnecting the same account (or connecting a planned channel of that handle) updates it in place."""
    channel = await uow.channels.by_account(workspace_id, platform, account.remote_id, account.handle)
    is_new = channel is None
    if channel is None:
        channel = Channel(id=ids.new(), workspace_id=workspace_id, platform=Platform(platform), handle=account.handle,
                          display_name=account.display_name, created_at=clock.now())
    channel.connect(base_url=base_url, remote_account_id=account.remote_id, handle=account.handle,
                    display_name=account.display_name, expires_at=credentials.expires_at,
                    refreshable=bool(credentials.refresh_token))
    channel.max_characters = limits.max_characters if limits else None
    channel.max_image_bytes = limits.max_image_bytes if limits else None
    channel.max_image_pixels = limits.max_image_pixels if limits else None
    await (uow.channels.add(channel) if is_new else uow.channels.update(channel))
    await store_credentials(uow, cipher, channel.id, credentials)
    return channel


def view(channel: Channel, clock: Clock) -> ChannelView:
    now = clock.now()
    reason, fix = channel.health_advice(now)
    return ChannelView(id=str(channel.id), platform=channel.platform.value, handle=channel.handle,
                       display_name=channel.display_name, health=channel.health(now).value, health_reason=reason,
                       health_fix=fix, token_expires_at=channel.token_expires_at if channel.connected and not channel.refreshable else None,
                       base_url=channel.base_url, text_limit=channel.text_limit(),
                       text_limit_reported=channel.max_characters is not None,
                       image_max_bytes=channel.max_image_bytes, image_max_pixels=channel.max_image_pixels)
