"""Keep tokens fresh: refresh ahead of expiry, and mark a channel for reconnecting when the platform
refuses. `access` is what publishing calls before using a channel (the channel and its tokens, refreshed
first when they end within REFRESH_AHEAD, in one read)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from application.channels.commands import RefreshDueTokens
from application.channels.credentials import load_credentials, merge_refreshed, store_credentials, unseal_credentials
from application.channels.start_oauth_connect import stored_client
from application.channels.unit_of_work import UnitOfWorkFactory
from application.platforms.ports import ChannelAccess, Credentials, PlatformDirectory, PlatformError
from application.shared.ports import Clock, TokenCipher
from domain.channels.channel import Channel
from domain.publishing.states import FailureReason

REFRESH_AHEAD = timedelta(minutes=15)


class TokenKeeper:
    def __init__(self, uow: UnitOfWorkFactory, platforms: PlatformDirectory, cipher: TokenCipher, clock: Clock) -> None:
        self.uow, self.platforms, self.cipher, self.clock = uow, platforms, cipher, clock

    async def access(self, workspace_id: UUID, channel_id: UUID) -> ChannelAccess | None:
        """The channel and its fresh tokens, read together (one read per publishing attempt), or why it
        cannot be used now; None when the channel no longer exists."""
        async with self.uow.reads() as uow:
            found = await uow.channels.with_secret(workspace_id, channel_id)
        if found is None:
            return None
        channel, sealed = found
        try:
            self._check_connected(channel)
            return ChannelAccess(channel, await self._fresh(channel, unseal_credentials(self.cipher, channel.id, sealed)))
        except PlatformError as refused:
            return ChannelAccess(channel, refused)

    @staticmethod
    def _check_connected(channel: Channel) -> None:
        if not channel.connected or channel.revoked:
            raise PlatformError(FailureReason.AUTH_EXPIRED,
                                f"the {channel.platform.value} channel {channel.handle} is not connected; reconnect it")

    async def _fresh(self, channel: Channel, stored: Credentials | None) -> Credentials:
        if stored is None:
            raise PlatformError(FailureReason.AUTH_EXPIRED, f"no tokens for {channel.handle}; reconnect it")
        if channel.needs_refresh(self.clock.now(), REFRESH_AHEAD):
            return await self.refresh(channel, stored)
        return stored

    async def refresh(self, channel: Channel, credentials: Credentials) -> Credentials:
        adapter = self.platforms.get(channel.platform.value)
        client = None
        if adapter.auth == "oauth":
            async with self.uow() as uow:
                stored = await uow.oauth_clients.first(channel.platform.value, channel.base_url)
            client = stored_client(stored, self.cipher) if stored else None
        try:
            answer = await adapter.refresh(channel.base_url, client, credentials)
            if not answer.access_token:
                raise PlatformError(FailureReason.UNKNOWN,
                                    f"{channel.platform.value} answered a refresh without a token; the old one is kept")
            fresh = merge_refreshed(credentials, answer)
        except PlatformError as exc:
            if exc.reason is FailureReason.AUTH_EXPIRED:
                await self.needs_reconnect(channel, exc.message)
            raise
        async with self.uow() as uow:
            current = await uow.channels.get(channel.workspace_id, channel.id)
            if current is not None:
                current.refreshed(fresh.expires_at, bool(fresh.refresh_token))
                await uow.channels.update(current)
                await store_credentials(uow, self.cipher, channel.id, fresh)
                await uow.commit()
        channel.refreshed(fresh.expires_at, bool(fresh.refresh_token))
        return fresh

    async def needs_reconnect(self, channel: Channel, reason: str) -> None:
        async with self.uow() as uow:
            current = await uow.channels.get(channel.workspace_id, channel.id)
            if current is not None:
                current.needs_reconnect(reason)
                await uow.channels.update(current)
                await uow.commit()
        channel.needs_reconnect(reason)


class RefreshDueTokensHandler:
    """The periodic job: refresh every channel whose tokens end soon; returns how many were refreshed."""

    def __init__(self, uow: UnitOfWorkFactory, keeper: TokenKeeper, clock: Clock) -> None:
        self.uow, self.keeper, self.clock = uow, keeper, clock

    async def __call__(self, cmd: RefreshDueTokens) -> int:
        async with self.uow() as uow:
            due = await uow.channels.due_for_refresh(self.clock.now() + timedelta(seconds=cmd.ahead_seconds))
        refreshed = 0
        for channel in due:
            try:
                async with self.uow() as uow:
                    credentials = await load_credentials(uow, self.keeper.cipher, channel.id)
                if credentials:
                    await self.keeper.refresh(channel, credentials)
                    refreshed += 1
            except PlatformError:
                continue  # recorded on the channel (needs_reconnect) or retried next run
        return refreshed
