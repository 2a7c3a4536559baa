"""Channels ports: channel records with their encrypted secrets, OAuth clients and states, the SSRF guard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.channels.channel import Channel
from domain.identity.model import Membership


class Channels(Protocol):
    async def get(self, workspace_id: UUID, channel_id: UUID) -> Channel | None: ...
    async def of_workspace(self, workspace_id: UUID) -> list[Channel]: ...
    async def add(self, channel: Channel) -> None: ...
    async def update(self, channel: Channel) -> None: ...
    async def by_account(self, workspace_id: UUID, platform: str, remote_account_id: str, handle: str) -> Channel | None: ...
    async def due_for_refresh(self, before: datetime) -> list[Channel]: ...
    async def secret(self, channel_id: UUID) -> str | None: ...
    async def with_secret(self, workspace_id: UUID, channel_id: UUID) -> tuple[Channel, str | None] | None:
        """The channel and its sealed credentials, in one read."""
    async def store_secret(self, channel_id: UUID, ciphertext: str | None) -> None: ...


@dataclass
class StoredOAuthClient:
    platform: str
    base_url: str
    redirect_uri: str
    client_id: str
    client_secret_encrypted: str | None
    created_at: datetime


@dataclass
class OAuthState:
    """A pending OAuth authorization, bound to the browser session that started it; used once."""

    state_hash: str
    session_hash: str
    user_id: UUID
    workspace_id: UUID
    platform: str
    base_url: str
    redirect_uri: str
    code_verifier_encrypted: str
    expires_at: datetime


class MemberRoles(Protocol):
    """Who may connect a channel to a workspace (identity's memberships, read only)."""

    async def get(self, workspace_id: UUID, user_id: UUID) -> Membership | None: ...


class OAuthClients(Protocol):
    async def get(self, platform: str, base_url: str, redirect_uri: str) -> StoredOAuthClient | None: ...
    async def add(self, client: StoredOAuthClient) -> StoredOAuthClient:
        """The client stored for its platform, base URL and redirect URI: this one, or the one a concurrent
        registration stored first (which is then kept)."""
    async def first(self, platform: str, base_url: str) -> StoredOAuthClient | None:
        """Any of PostWizard's clients at that platform and base URL (refresh needs the client id)."""


class OAuthStates(Protocol):
    async def add(self, state: OAuthState) -> None: ...
    async def take(self, state_hash: str) -> OAuthState | None:
        """Remove and return: a state works once."""


UNREACHABLE = "could not reach that server"


class UnreachableServer(Exception):
    """A server a user named may not or cannot be contacted."""


class ServerGuard(Protocol):
    """The SSRF guard, asked before PostWizard sends anything (a credential above all) to a server a user named.

    Rule: a refused address, a name that does not resolve, a refused connection, a timeout, bad TLS and an
    answer that is not the platform's protocol all look the same to the user (UNREACHABLE, on the field
    that named the server), so the answers cannot be used to map what lies behind this server."""

    async def check(self, url: str) -> None:
        """Raise UnreachableServer unless `url` may be contacted."""
