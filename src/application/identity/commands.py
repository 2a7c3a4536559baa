"""Identity commands and queries (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.shared.actor import Actor


@dataclass(frozen=True)
class SignUp:
    email: str
    password: str
    name: str
    workspace_name: str


@dataclass(frozen=True)
class LogIn:
    email: str
    password: str


@dataclass(frozen=True)
class LogOut:
    session_token: str


@dataclass(frozen=True)
class Authenticate:
    """Exactly one of the two is given."""

    session_token: str | None = None
    api_token: str | None = None


@dataclass(frozen=True)
class ResolveActor:
    user_id: UUID
    workspace_id: UUID


@dataclass(frozen=True)
class CreateWorkspace:
    user_id: UUID
    name: str
    requires_approval: bool = False


@dataclass(frozen=True)
class UpdateWorkspaceSettings:
    actor: Actor
    name: str | None = None
    requires_approval: bool | None = None


@dataclass(frozen=True)
class InviteMember:
    actor: Actor
    email: str
    role: str


@dataclass(frozen=True)
class AcceptInvitation:
    user_id: UUID
    token: str


@dataclass(frozen=True)
class ChangeRole:
    actor: Actor
    user_id: UUID
    role: str


@dataclass(frozen=True)
class CreateApiToken:
    user_id: UUID
    name: str


@dataclass(frozen=True)
class GetMe:
    user_id: UUID


@dataclass(frozen=True)
class ListMembers:
    actor: Actor
