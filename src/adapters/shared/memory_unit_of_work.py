"""In-memory unit of work for unit tests: same contract as the SQL one (nothing kept without commit)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from application.channels.ports import OAuthState, StoredOAuthClient
from application.identity.ports import ApiTokenRecord, SessionRecord
from application.publishing.ports import MediaRecord
from domain.channels.channel import Channel, same_handle
from domain.identity.model import Invitation, Membership, User, Workspace
from domain.shared.errors import RuleViolated
from domain.shared.roles import Role


@dataclass
class MemoryState:
    users: dict[UUID, User] = field(default_factory=dict)
    workspaces: dict[UUID, Workspace] = field(default_factory=dict)
    memberships: dict[tuple[UUID, UUID], Membership] = field(default_factory=dict)
    invitations: dict[UUID, Invitation] = field(default_factory=dict)
    sessions: dict[str, SessionRecord] = field(default_factory=dict)
    api_tokens: dict[UUID, ApiTokenRecord] = field(default_factory=dict)
    channels: dict[UUID, Channel] = field(default_factory=dict)
    secrets: dict[UUID, str | None] = field(default_factory=dict)
    oauth_clients: dict[tuple[str, str, str], StoredOAuthClient] = field(default_factory=dict)
    oauth_states: dict[str, OAuthState] = field(default_factory=dict)
    media: dict[tuple[UUID, str], MediaRecord] = field(default_factory=dict)


class _Users:
    def __init__(self, s: MemoryState) -> None:
        self.s = s

    async def get(self, user_id: UUID) -> User | None:
        return copy.copy(self.s.users.get(user_id))

    async def by_email(self, email: str) -> User | None:
        return next((copy.copy(u) for u in self.s.users.values() if u.email == email), None)

    async def add(self, user: User) -> None:
        if any(u.email == user.email for u in self.s.users.values()):
            raise RuleViolated("email_taken", "an account with this email exists")
        self.s.users[user.id] = copy.copy(user)

    async def set_time_zone(self, user_id: UUID, time_zone: str | None) -> None:
        if user_id in self.s.users:
            self.s.users[user_id].time_zone = time_zone

    async def none_yet(self) -> bool:
        return not self.s.users

    async def lock(self, user_id: UUID) -> None:
        return None  # one unit of work at a time in memory


class _Workspaces:
    def __init__(self, s: MemoryState) -> None:
        self.s = s

    async def get(self, workspace_id: UUID) -> Workspace | None:
        return copy.copy(self.s.workspaces.get(workspace_id))

    async def add(self, workspace: Workspace) -> None:
        self.s.workspaces[workspace.id] = copy.copy(workspace)

    update = add


class _Memberships:
    def __init__(self, s: MemoryState) -> None:
        self.s = s

    async def get(self, workspace_id: UUID, user_id: UUID) -> Membership | None:
        return copy.copy(self.s.memberships.get((workspace_id, user_id)))

    async def of_user(self, user_id: UUID) -> list[tuple[Workspace, Role]]:
        return [(copy.copy(self.s.workspaces[w]), m.role) for (w, u), m in self.s.memberships.items() if u == user_id]

    async def of_workspace(self, workspace_id: UUID) -> list[Membership]:
        return [copy.copy(m) for (w, _), m in self.s.memberships.items() if w == workspace_id]

    async def add(self, membership: Membership) -> None:
        self.s.memberships[(membership.workspace_id, membership.user_id)] = copy.copy(membership)

    update = add


class _Invitations:
    def __init__(self, s: MemoryState) -> None:
        self.s = s

    async def add(self, invitation: Invitation) -> None:
        self.s.invitations[invitation.id] = copy.copy(invitation)

    update = add

    async def by_token_hash(self, token_hash: str) -> Invitation | None:
        return next((copy.copy(i) for i in self.s.invitations.values() if i.token_hash == token_hash), None)

    async def pending_of_workspace(self, workspace_id: UUID, now: datetime) -> list[Invitation]:
        pending = [copy.copy(i) for i in self.s.invitations.values()
                   if i.workspace_id == workspace_id and i.accepted_at is None and i.expires_at >= now]
        return sorted(pending, key=lambda i: (i.expires_at, i.email))

    async def delete(self, workspace_id: UUID, invitation_id: UUID) -> bool:
        found = self.s.invitations.get(invitation_id)
        if found is None or found.workspace_id != workspace_id or found.accepted_at is not None:
            return False
        del self.s.invitations[invitation_id]
        return True


class _Sessions:
    def __init__(self, s: MemoryState) -> None:
        self.s = s

    async def add(self, session: SessionRecord) -> None:
        self.s.sessions[session.token_hash] = copy.copy(session)

    async def get(self, token_hash: str) -> SessionRecord | None:
        return copy.copy(self.s.sessions.get(token_hash))

    async def delete(self, token_hash: str) -> None:
        self.s.sessions.pop(token_hash, None)


class _ApiTokens:
    def __init__(self, s: MemoryState) -> None:
        self.s = s

    async def add(self, token: ApiTokenRecord) -> None:
        self.s.api_tokens[token.id] = copy.copy(token)

    async def record_use(self, token_id: UUID, at: datetime) -> None:
        self.s.api_tokens[token_id].last_used_at = at

    async def revoke(self, token_id: UUID, at: datetime) -> None:
        token = self.s.api_tokens[token_id]
        token.revoked_at = token.revoked_at or at

    async def by_hash(self, token_hash: str) -> ApiTokenRecord | None:
        return next((copy.copy(t) for t in self.s.api_tokens.values() if t.token_hash == token_hash), None)

    async def of_user(self, user_id: UUID) -> list[ApiTokenRecord]:
        return [copy.copy(t) for t in self.s.api_tokens.values() if t.user_id == user_id]


class _Channels:
    def __init__(self, s: MemoryState) -> None:
        self.s = s

    async def get(self, workspace_id: UUID, channel_id: UUID) -> Channel | None:
        c = self.s.channels.get(channel_id)
        return copy.copy(c) if c and c.workspace_id == workspace_id else None

    async def of_workspace(self, workspace_id: UUID) -> list[Channel]:
        return [copy.copy(c) for c in self.s.channels.values() if c.workspace_id == workspace_id]

    async def add(self, channel: Channel) -> None:
        self.s.channels[channel.id] = copy.copy(channel)

    update = add

    async def by_account(self, workspace_id: UUID, platform: str, remote_account_id: str, handle: str) -> Channel | None:
        mine = [c for c in self.s.channels.values() if c.workspace_id == workspace_id and c.platform == platform]
        found = next((c for c in mine if c.remote_account_id == remote_account_id), None) or next(
            (c for c in mine if c.remote_account_id is None and same_handle(c.handle, handle)), None)
        return copy.copy(found)

    async def due_for_refresh(self, before) -> list[Channel]:
        return [copy.copy(c) for c in self.s.channels.values() if c.connected and c.refreshable and not c.revoked
                and c.token_expires_at is not None and c.token_expires_at <= before]

    async def secret(self, channel_id: UUID) -> str | None:
        return self.s.secrets.get(channel_id)

    async def with_secret(self, workspace_id: UUID, channel_id: UUID) -> tuple[Channel, str | None] | None:
        channel = await self.get(workspace_id, channel_id)
        return (channel, self.s.secrets.get(channel_id)) if channel else None

    async def store_secret(self, channel_id: UUID, ciphertext: str | None) -> None:
        self.s.secrets[channel_id] = ciphertext


class _OAuthClients:
    def __init__(self, s: MemoryState) -> None:
        self.s = s

    async def get(self, platform: str, base_url: str, redirect_uri: str) -> StoredOAuthClient | None:
        return copy.copy(self.s.oauth_clients.get((platform, base_url, redirect_uri)))

    async def add(self, client: StoredOAuthClient) -> StoredOAuthClient:
        return copy.copy(self.s.oauth_clients.setdefault((client.platform, client.base_url, client.redirect_uri),
                                                         copy.copy(client)))

    async def first(self, platform: str, base_url: str) -> StoredOAuthClient | None:
        return next((copy.copy(c) for (p, b, _), c in self.s.oauth_clients.items() if (p, b) == (platform, base_url)),
                    None)


class _OAuthStates:
    def __init__(self, s: MemoryState) -> None:
        self.s = s

    async def add(self, state: OAuthState) -> None:
        self.s.oauth_states[state.state_hash] = copy.copy(state)

    async def take(self, state_hash: str) -> OAuthState | None:
        return self.s.oauth_states.pop(state_hash, None)


class _Media:
    def __init__(self, s: MemoryState) -> None:
        self.s = s

    async def add(self, record: MediaRecord) -> None:
        first = self.s.media.get((record.workspace_id, record.ref))
        self.s.media[(record.workspace_id, record.ref)] = replace(first, alt=record.alt) if first else record

    async def get(self, workspace_id: UUID, ref: str) -> MediaRecord | None:
        return self.s.media.get((workspace_id, ref))

    async def missing(self, workspace_id: UUID, refs: list[str]) -> list[str]:
        return [ref for ref in refs if (workspace_id, ref) not in self.s.media]


class MemoryUnitOfWork:
    def __init__(self, committed: MemoryState, *, reads_only: bool = False) -> None:
        self.committed, self.reads_only = committed, reads_only

    async def __aenter__(self) -> "MemoryUnitOfWork":
        self.state = copy.deepcopy(self.committed)
        s = self.state
        self.users, self.workspaces, self.memberships = _Users(s), _Workspaces(s), _Memberships(s)
        self.invitations, self.sessions, self.api_tokens, self.channels = (
            _Invitations(s), _Sessions(s), _ApiTokens(s), _Channels(s))
        self.oauth_clients, self.oauth_states = _OAuthClients(s), _OAuthStates(s)
        self.media = _Media(s)
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        if self.reads_only:
            raise RuntimeError("a unit of work for reads commits nothing; open one with the factory's call")
        for name in vars(self.committed):
            setattr(self.committed, name, getattr(self.state, name))
        self.state = copy.deepcopy(self.committed)


class MemoryUnitOfWorkFactory:
    def __init__(self) -> None:
        self.state = MemoryState()

    def __call__(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.state)

    def reads(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.state, reads_only=True)


class MemoryCredentials:
    """`Credentials` on what the factory's units of work committed."""

    def __init__(self, uow: MemoryUnitOfWorkFactory) -> None:
        self.s = uow.state

    async def session(self, token_hash: str, workspace_id: UUID | None) -> tuple[SessionRecord, Role | None] | None:
        session = self.s.sessions.get(token_hash)
        return (copy.copy(session), self._role(workspace_id, session.user_id)) if session else None

    async def api_token(self, token_hash: str, workspace_id: UUID | None) -> tuple[ApiTokenRecord, Role | None] | None:
        token = next((t for t in self.s.api_tokens.values() if t.token_hash == token_hash), None)
        return (copy.copy(token), self._role(workspace_id, token.user_id)) if token else None

    def _role(self, workspace_id: UUID | None, user_id: UUID) -> Role | None:
        membership = self.s.memberships.get((workspace_id, user_id)) if workspace_id else None
        return membership.role if membership else None
