"""Authenticate a request by session cookie or personal API token; for a request that acts in a
workspace, also read the caller's role there, in the same unit of work (one database connection
per request for both, not two).

Rules: a revoked or expired API token is refused at once; a token's last use is recorded at most
once a minute (a write per request would cost more than the request)."""

from __future__ import annotations

from dataclasses import replace

from application.identity.commands import Authenticate
from application.identity.credentials import API_TOKEN_PREFIX
from application.identity.results import Principal
from application.identity.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.shared.bearer_secrets import digest
from application.shared.errors import Unauthenticated
from application.shared.ports import Clock
from domain.identity.api_tokens import has_expired


class AuthenticateHandler:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, cmd: Authenticate) -> Principal:
        async with self.uow() as uow:
            principal = await self._principal(uow, cmd)
            if cmd.workspace_id is None:
                return principal
            membership = await uow.memberships.get(cmd.workspace_id, principal.user_id)
        return replace(principal, workspace_id=cmd.workspace_id, role=membership.role if membership else None)

    async def _principal(self, uow: UnitOfWork, cmd: Authenticate) -> Principal:
        now = self.clock.now()
        if cmd.api_token:
            if not cmd.api_token.startswith(API_TOKEN_PREFIX):
                raise Unauthenticated("the API token is malformed; tokens start with 'pw_'")
            token = await uow.api_tokens.by_hash(digest(cmd.api_token))
            if token is None or token.revoked_at is not None:
                raise Unauthenticated("the API token is unknown or revoked; create a new one in settings")
            if has_expired(token.expires_at, now):
                raise Unauthenticated(f"the API token expired at {token.expires_at.isoformat(timespec='seconds')}; "
                                      "create a new one in settings")
            if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
                await uow.api_tokens.record_use(token.id, now)
                await uow.commit()
            return Principal(user_id=token.user_id, via="api_token")
        if cmd.session_token:
            session = await uow.sessions.get(digest(cmd.session_token))
            if session is None or session.expires_at <= now:
                raise Unauthenticated("your session has expired; log in again")
            return Principal(user_id=session.user_id, via="session", csrf_token=session.csrf_token)
        raise Unauthenticated("log in, or send an API token as 'Authorization: Bearer pw_...'")
