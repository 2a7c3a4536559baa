"""SQL repository of channels."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Select, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.channels.tables import channels, oauth_clients, oauth_states
from application.channels.ports import OAuthState, StoredOAuthClient
from domain.channels.channel import Channel, same_handle
from domain.shared.platforms import Platform

_FIELDS = ("id", "workspace_id", "platform", "handle", "display_name", "created_at", "connected",
           "token_expires_at", "revoked", "base_url", "remote_account_id", "refreshable", "last_error", "max_characters",
           "max_image_bytes", "max_image_pixels")


# Read by every post command and publishing attempt: built once (building a statement costs more than running it).
_OF_WORKSPACE = select(channels).where(channels.c.workspace_id == bindparam("workspace_id")).order_by(channels.c.created_at)
_IN_WORKSPACE = select(channels).where(channels.c.workspace_id == bindparam("workspace_id"),
                                       channels.c.id == bindparam("channel_id"))


def _channel(row) -> Channel:
    data = {k: row._mapping[k] for k in _FIELDS}
    data["platform"] = Platform(data["platform"])
    return Channel(**data)


class SqlChannels:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, workspace_id: UUID, channel_id: UUID) -> Channel | None:
        row = (await self.conn.execute(select(channels).where(
            channels.c.workspace_id == workspace_id, channels.c.id == channel_id))).first()
        return _channel(row) if row else None

    async def of_workspace(self, workspace_id: UUID) -> list[Channel]:
        rows = await self.conn.execute(_OF_WORKSPACE, {"workspace_id": workspace_id})
        return [_channel(r) for r in rows]

    async def add(self, channel: Channel) -> None:
        await self.conn.execute(channels.insert().values({**vars(channel), "platform": channel.platform.value}))

    async def update(self, channel: Channel) -> None:
        values = {k: v for k, v in vars(channel).items() if k not in ("id", "workspace_id", "created_at")}
        await self.conn.execute(update(channels).where(channels.c.id == channel.id).values(
            {**values, "platform": channel.platform.value}))

    async def by_account(self, workspace_id: UUID, platform: str, remote_account_id: str, handle: str) -> Channel | None:
        """The workspace's channel for that account: connected before, or planned under the same handle."""
        rows = await self.conn.execute(select(channels).where(
            channels.c.workspace_id == workspace_id, channels.c.platform == platform))
        found = [_channel(r) for r in rows]
        return next((c for c in found if c.remote_account_id == remote_account_id), None) or next(
            (c for c in found if c.remote_account_id is None and same_handle(c.handle, handle)), None)

    async def due_for_refresh(self, before) -> list[Channel]:
        rows = await self.conn.execute(select(channels).where(
            channels.c.connected.is_(True), channels.c.refreshable.is_(True), channels.c.revoked.is_(False),
            channels.c.token_expires_at <= before))
        return [_channel(r) for r in rows]

    async def with_secret(self, workspace_id: UUID, channel_id: UUID) -> tuple[Channel, str | None] | None:
        row = (await self.conn.execute(_IN_WORKSPACE, {"workspace_id": workspace_id, "channel_id": channel_id})).first()
        return (_channel(row), row.credentials_encrypted) if row else None

    async def secret(self, channel_id: UUID) -> str | None:
        return await self.conn.scalar(select(channels.c.credentials_encrypted).where(channels.c.id == channel_id))

    async def store_secret(self, channel_id: UUID, ciphertext: str | None) -> None:
        await self.conn.execute(update(channels).where(channels.c.id == channel_id).values(
            credentials_encrypted=ciphertext))


def _client_at(platform: str, base_url: str, redirect_uri: str) -> Select:
    return select(oauth_clients).where(oauth_clients.c.platform == platform, oauth_clients.c.base_url == base_url,
                                       oauth_clients.c.redirect_uri == redirect_uri)


class SqlOAuthClients:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, platform: str, base_url: str, redirect_uri: str) -> StoredOAuthClient | None:
        row = (await self.conn.execute(_client_at(platform, base_url, redirect_uri))).first()
        return StoredOAuthClient(**row._mapping) if row else None

    async def add(self, client: StoredOAuthClient) -> StoredOAuthClient:
        await self.conn.execute(insert(oauth_clients).values(vars(client)).on_conflict_do_nothing())
        row = (await self.conn.execute(_client_at(client.platform, client.base_url, client.redirect_uri))).one()
        return StoredOAuthClient(**row._mapping)

    async def first(self, platform: str, base_url: str) -> StoredOAuthClient | None:
        row = (await self.conn.execute(select(oauth_clients).where(
            oauth_clients.c.platform == platform, oauth_clients.c.base_url == base_url)
            .order_by(oauth_clients.c.created_at).limit(1))).first()
        return StoredOAuthClient(**row._mapping) if row else None


class SqlOAuthStates:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, state: OAuthState) -> None:
        await self.conn.execute(oauth_states.insert().values(vars(state)))

    async def take(self, state_hash: str) -> OAuthState | None:
        row = (await self.conn.execute(delete(oauth_states).where(oauth_states.c.state_hash == state_hash)
                                       .returning(*oauth_states.c))).first()
        return OAuthState(**row._mapping) if row else None
