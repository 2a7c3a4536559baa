"""What identity handlers return (DTOs, never domain objects with behaviour)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.shared.roles import Role


@dataclass(frozen=True)
class SessionStarted:
    user_id: UUID
    session_token: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class Principal:
    """An authenticated user; `csrf_token` is set for cookie sessions, which must echo it on writes.
    Authenticated for a workspace (`Authenticate.workspace_id`): also their role there, None if they
    are not a member (`Actor.member` turns both into the actor)."""

    user_id: UUID
    via: str  # "session" or "api_token"
    csrf_token: str | None = None
    workspace_id: UUID | None = None
    role: Role | None = None


@dataclass(frozen=True)
class WorkspaceView:
    id: UUID
    name: str
    role: str
    requires_approval: bool


@dataclass(frozen=True)
class MeView:
    id: UUID
    email: str
    name: str
    workspaces: list[WorkspaceView]
    time_zone: str | None = None


@dataclass(frozen=True)
class MemberView:
    user_id: UUID
    email: str
    name: str
    role: str


@dataclass(frozen=True)
class InvitationCreated:
    id: UUID
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class PendingInvitationView:
    """An invitation not yet accepted nor expired; never its token (only its hash is kept)."""

    id: UUID
    email: str
    role: str
    invited_by_name: str
    invited_by_email: str
    expires_at: datetime


@dataclass(frozen=True)
class SignUpOutcome:
    """What a sign-up did. `user_id` is None when the email already had an account and nothing
    changed; the API answers both the same way, so sign-up does not tell who has an account."""

    user_id: UUID | None
    workspace: WorkspaceView | None = None       # the user's own new workspace
    joined_workspace_id: UUID | None = None      # the workspace an invitation brought them into


@dataclass(frozen=True)
class ApiTokenCreated:
    id: UUID
    name: str
    token: str  # shown once; only its hash is kept
    expires_at: datetime | None = None


@dataclass(frozen=True)
class ApiTokenView:
    """A token as its owner sees it later: never the secret, only its first characters."""

    id: UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    expired: bool
