"""Create a personal API token for scripts and the CLI; only its hash is stored."""

from __future__ import annotations

from application.identity.commands import CreateApiToken
from application.identity.credentials import API_TOKEN_PREFIX, digest, new_secret
from application.identity.ports import ApiTokenRecord
from application.identity.results import ApiTokenCreated
from application.shared.ports import Clock, IdGenerator
from application.shared.unit_of_work import UnitOfWorkFactory
from domain.identity.model import check_name


class CreateApiTokenHandler:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self.uow, self.clock, self.ids = uow, clock, ids

    async def __call__(self, cmd: CreateApiToken) -> ApiTokenCreated:
        name = check_name(cmd.name, "name", limit=80)
        token = new_secret(API_TOKEN_PREFIX)
        record = ApiTokenRecord(id=self.ids.new(), user_id=cmd.user_id, name=name, token_hash=digest(token),
                                prefix=token[:8], created_at=self.clock.now())
        async with self.uow() as uow:
            await uow.api_tokens.add(record)
            await uow.commit()
        return ApiTokenCreated(id=record.id, name=name, token=token)
