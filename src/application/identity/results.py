"""What identity handlers return (DTOs, never domain objects with behaviour)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class SessionStarted:
    user_id: UUID
    session_token: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class Principal:
    """An authenticated user; `csrf_token` is set for cookie sessions, which must echo it on writes."""

    user_id: UUID
    via: str  # "session" or "api_token"
    csrf_token: str | None = None


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
class ApiTokenCreated:
    id: UUID
    name: str
    token: str  # shown once; only its hash is kept
