"""Identity commands and queries (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.shared.actor import Actor


@dataclass(frozen=True)
class SignUp:
    """`workspace_name` names the user's own first workspace; it may be left out when an
    invitation brings them into another. `by_operator`: created with `postwizard user create` on
    the server, which no sign-up mode refuses and which is told plainly when the email is taken."""

    email: str
    password: str
    name: str
    workspace_name: str | None = None
    invitation_token: str | None = None
    by_operator: bool = False


@dataclass(frozen=True)
class LogIn:
    email: str
    password: str
    client_address: str = ""


@dataclass(frozen=True)
class LogOut:
    session_token: str


@dataclass(frozen=True)
class Authenticate:
    """Exactly one of the two tokens is given. `workspace_id`: also read the caller's role in that
    workspace, in the same read (`Principal.role`), for requests that act in one."""

    session_token: str | None = None
    api_token: str | None = None
    workspace_id: UUID | None = None


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
    """`via_api_token`: asked for with an API token, which may not mint tokens (a leaked token
    could otherwise keep itself alive past its revocation)."""

    user_id: UUID
    name: str
    expires_in_days: int | None = None
    expires_at: datetime | None = None
    via_api_token: bool = False


@dataclass(frozen=True)
class ListApiTokens:
    user_id: UUID


@dataclass(frozen=True)
class RevokeApiToken:
    user_id: UUID
    token_id: UUID


@dataclass(frozen=True)
class GetMe:
    user_id: UUID


@dataclass(frozen=True)
class SetTimeZone:
    """Choose the zone the screens show times in; None goes back to the browser's zone."""

    user_id: UUID
    time_zone: str | None


@dataclass(frozen=True)
class ListMembers:
    actor: Actor


@dataclass(frozen=True)
class ListInvitations:
    actor: Actor


@dataclass(frozen=True)
class CancelInvitation:
    actor: Actor
    invitation_id: UUID
