"""Channels' unit of work: channel records and secrets, OAuth clients and states, and the member
roles a returning OAuth consent is checked against."""

from __future__ import annotations

from typing import Protocol

from application.channels.ports import Channels, MemberRoles, OAuthClients, OAuthStates
from application.shared.unit_of_work import UnitOfWork as Transaction


class UnitOfWork(Transaction, Protocol):
    channels: Channels
    oauth_clients: OAuthClients
    oauth_states: OAuthStates
    memberships: MemberRoles


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
    def reads(self) -> UnitOfWork: ...
