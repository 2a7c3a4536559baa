"""Identity ports: repositories of the relational write model, password hashing."""

from __future__ import annotations

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


class Users(Protocol):
    async def get(self, user_id: UUID) -> User | None: ...
    async def by_email(self, email: str) -> User | None: ...
    async def add(self, user: User) -> None: ...


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


class Sessions(Protocol):
    async def add(self, session: SessionRecord) -> None: ...
    async def get(self, token_hash: str) -> SessionRecord | None: ...
    async def delete(self, token_hash: str) -> None: ...


class ApiTokens(Protocol):
    async def add(self, token: ApiTokenRecord) -> None: ...
    async def by_hash(self, token_hash: str) -> ApiTokenRecord | None: ...
    async def of_user(self, user_id: UUID) -> list[ApiTokenRecord]: ...
    async def update(self, token: ApiTokenRecord) -> None: ...


class PasswordHasher(Protocol):
    """Slow, salted password hashing (argon2id); async because it is deliberately CPU-heavy."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...
