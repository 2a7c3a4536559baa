"""The relational unit of work: identity and channel records in one transaction."""

from __future__ import annotations

from typing import Protocol

from application.channels.ports import Channels, OAuthClients, OAuthStates
from application.identity.ports import ApiTokens, Invitations, Memberships, Sessions, Users, Workspaces
from application.publishing.ports import MediaLibrary


class UnitOfWork(Protocol):
    """One transaction over the relational write model. Nothing is written without `commit()`."""

    users: Users
    workspaces: Workspaces
    memberships: Memberships
    invitations: Invitations
    sessions: Sessions
    api_tokens: ApiTokens
    channels: Channels
    oauth_clients: OAuthClients
    oauth_states: OAuthStates
    media: MediaLibrary

    async def __aenter__(self) -> "UnitOfWork": ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
