"""Identity ports: repositories of the relational write model, password hashing, login throttling."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.identity.model import Invitation, Membership, User, Workspace
from domain.shared.roles import Role


@dataclass
class SessionRecord:
    token_hash: str
    user_id: UUID
    csrf_token: str
    created_at: datetime
    expires_at: datetime


@dataclass
class ApiTokenRecord:
    id: UUID
    user_id: UUID
    name: str
    token_hash: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    expires_at: datetime | None = None


class Users(Protocol):
    async def get(self, user_id: UUID) -> User | None: ...
    async def by_email(self, email: str) -> User | None: ...
    async def add(self, user: User) -> None: ...
    async def set_time_zone(self, user_id: UUID, time_zone: str | None) -> None: ...

    async def none_yet(self) -> bool:
        """True while the installation has no user; serialises sign-ups until the transaction ends,
        so two first sign-ups cannot both be taken for the first."""

    async def lock(self, user_id: UUID) -> None:
        """Serialise this user's changes that count their belongings (workspaces) until the transaction ends."""


class Workspaces(Protocol):
    async def get(self, workspace_id: UUID) -> Workspace | None: ...
    async def add(self, workspace: Workspace) -> None: ...
    async def update(self, workspace: Workspace) -> None: ...


class Memberships(Protocol):
    async def get(self, workspace_id: UUID, user_id: UUID) -> Membership | None: ...
    async def of_user(self, user_id: UUID) -> list[tuple[Workspace, Role]]: ...
    async def of_workspace(self, workspace_id: UUID) -> list[Membership]: ...
    async def add(self, membership: Membership) -> None: ...
    async def update(self, membership: Membership) -> None: ...


class Invitations(Protocol):
    async def add(self, invitation: Invitation) -> None: ...
    async def by_token_hash(self, token_hash: str) -> Invitation | None: ...
    async def update(self, invitation: Invitation) -> None: ...

    async def pending_of_workspace(self, workspace_id: UUID, now: datetime) -> list[Invitation]:
        """The workspace's invitations neither accepted nor expired at `now`, soonest to expire first."""

    async def delete(self, workspace_id: UUID, invitation_id: UUID) -> bool:
        """Delete a pending invitation of this workspace; False when there is none by that id."""


class Sessions(Protocol):
    async def add(self, session: SessionRecord) -> None: ...
    async def get(self, token_hash: str) -> SessionRecord | None: ...
    async def delete(self, token_hash: str) -> None: ...


class ApiTokens(Protocol):
    """Use and revocation are written column by column, so a use recorded concurrently with a
    revocation can never write the token back as unrevoked."""

    async def add(self, token: ApiTokenRecord) -> None: ...
    async def by_hash(self, token_hash: str) -> ApiTokenRecord | None: ...
    async def of_user(self, user_id: UUID) -> list[ApiTokenRecord]: ...
    async def record_use(self, token_id: UUID, at: datetime) -> None: ...
    async def revoke(self, token_id: UUID, at: datetime) -> None: ...


class Credentials(Protocol):
    """Authentication's read, which every request makes: a session or an API token by its hash, with
    its holder's role in a workspace (None when they are not a member there, or none was asked), in one
    statement outside any transaction (it sees what is committed when it runs, as each statement of a
    READ COMMITTED transaction would). Nothing is cached: a revoked token or ended session is refused
    by the very next request."""

    async def session(self, token_hash: str, workspace_id: UUID | None) -> tuple[SessionRecord, Role | None] | None: ...

    async def api_token(self, token_hash: str, workspace_id: UUID | None) -> tuple[ApiTokenRecord, Role | None] | None: ...


class CommonPasswords(Protocol):
    """The most common passwords, in lower case."""

    def __contains__(self, password: object) -> bool: ...


class LoginThrottled(Exception):
    """Too many login attempts for this account from this address, or from this address at all."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many login attempts; try again in {max(1, math.ceil(retry_after))} s")
        self.retry_after = retry_after


class LoginThrottle(Protocol):
    """Attempt counters per (account, client address) and per address, shared by every API process
    (rules in `domain.identity.login_throttle`)."""

    async def admit(self, account: str, address: str, at: datetime) -> None:
        """Count one attempt, or raise LoginThrottled without counting it. Concurrent callers are serialised."""

    async def succeeded(self, account: str, address: str, at: datetime) -> None:
        """The attempt was right: forget the pair's failures and give the address its attempt back."""


class PasswordHasher(Protocol):
    """Slow, salted password hashing (argon2id); async because it is deliberately CPU-heavy."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...
