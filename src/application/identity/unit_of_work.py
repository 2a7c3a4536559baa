"""Identity's unit of work: users, workspaces, memberships, invitations, sessions and API tokens."""

from __future__ import annotations

from typing import Protocol

from application.identity.ports import ApiTokens, Invitations, Memberships, Sessions, Users, Workspaces
from application.shared.unit_of_work import UnitOfWork as Transaction


class UnitOfWork(Transaction, Protocol):
    users: Users
    workspaces: Workspaces
    memberships: Memberships
    invitations: Invitations
    sessions: Sessions
    api_tokens: ApiTokens


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
