"""The caller's own API tokens that still exist (not revoked), newest first; never their secrets."""

from __future__ import annotations

from application.identity.commands import ListApiTokens
from application.identity.results import ApiTokenView
from application.identity.unit_of_work import UnitOfWorkFactory
from application.shared.ports import Clock
from domain.identity.api_tokens import has_expired


class ListApiTokensHandler:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, query: ListApiTokens) -> list[ApiTokenView]:
        now = self.clock.now()
        async with self.uow() as uow:
            tokens = await uow.api_tokens.of_user(query.user_id)
        live = sorted((t for t in tokens if t.revoked_at is None), key=lambda t: t.created_at, reverse=True)
        return [ApiTokenView(id=t.id, name=t.name, prefix=t.prefix, created_at=t.created_at,
                             last_used_at=t.last_used_at, expires_at=t.expires_at,
                             expired=has_expired(t.expires_at, now)) for t in live]
