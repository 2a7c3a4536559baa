"""Revoke one of the caller's own API tokens: refused from the very next request on.

Another user's token, or one already revoked, is not found (it does not exist for the caller)."""

from __future__ import annotations

from application.identity.commands import RevokeApiToken
from application.identity.unit_of_work import UnitOfWorkFactory
from application.shared.errors import NotFound
from application.shared.ports import Clock


class RevokeApiTokenHandler:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, cmd: RevokeApiToken) -> None:
        async with self.uow() as uow:
            token = next((t for t in await uow.api_tokens.of_user(cmd.user_id) if t.id == cmd.token_id), None)
            if token is None or token.revoked_at is not None:
                raise NotFound("API token", cmd.token_id)
            await uow.api_tokens.revoke(token.id, self.clock.now())
            await uow.commit()
