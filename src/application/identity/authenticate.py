"""Authenticate a request by session cookie or personal API token; for a request that acts in a
workspace, also read the caller's role there, in the same read (`Credentials`: one statement per
request for both, outside a transaction).

Rules: a revoked or expired API token is refused at once; a token's last use is recorded at most
once a minute (a write per request would cost more than the request), in a unit of work of its own."""

from __future__ import annotations

from application.identity.commands import Authenticate
from application.identity.credentials import API_TOKEN_PREFIX
from application.identity.ports import Credentials
from application.identity.results import Principal
from application.identity.unit_of_work import UnitOfWorkFactory
from application.shared.bearer_secrets import digest
from application.shared.errors import Unauthenticated
from application.shared.ports import Clock
from domain.identity.api_tokens import has_expired


class AuthenticateHandler:
    def __init__(self, credentials: Credentials, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.credentials, self.uow, self.clock = credentials, uow, clock

    async def __call__(self, cmd: Authenticate) -> Principal:
        now = self.clock.now()
        if cmd.api_token:
            if not cmd.api_token.startswith(API_TOKEN_PREFIX):
                raise Unauthenticated("the API token is malformed; tokens start with 'pw_'")
            found = await self.credentials.api_token(digest(cmd.api_token), cmd.workspace_id)
            if found is None or found[0].revoked_at is not None:
                raise Unauthenticated("the API token is unknown or revoked; create a new one in settings")
            token, role = found
            if has_expired(token.expires_at, now):
                raise Unauthenticated(f"the API token expired at {token.expires_at.isoformat(timespec='seconds')}; "
                                      "create a new one in settings")
            if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
                async with self.uow() as uow:
                    await uow.api_tokens.record_use(token.id, now)
                    await uow.commit()
            return Principal(user_id=token.user_id, via="api_token", workspace_id=cmd.workspace_id, role=role)
        if cmd.session_token:
            found_session = await self.credentials.session(digest(cmd.session_token), cmd.workspace_id)
            if found_session is None or found_session[0].expires_at <= now:
                raise Unauthenticated("your session has expired; log in again")
            session, role = found_session
            return Principal(user_id=session.user_id, via="session", csrf_token=session.csrf_token,
                             workspace_id=cmd.workspace_id, role=role)
        raise Unauthenticated("log in, or send an API token as 'Authorization: Bearer pw_...'")
