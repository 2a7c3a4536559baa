"""Create a personal API token for scripts and the CLI; only its hash is stored.

Rules:
- the token is shown once; it may be given a lifetime (`domain.identity.api_tokens`);
- a token is created from a browser session or on the server's command line, never with
  another API token: a leaked token must not be able to mint a successor that outlives its
  revocation.
"""

from __future__ import annotations

from application.identity.commands import CreateApiToken
from application.identity.credentials import API_TOKEN_PREFIX
from application.identity.ports import ApiTokenRecord
from application.identity.results import ApiTokenCreated
from application.identity.unit_of_work import UnitOfWorkFactory
from application.shared.bearer_secrets import digest, new_secret
from application.shared.errors import Forbidden
from application.shared.ports import Clock, IdGenerator
from domain.identity.api_tokens import token_expiry
from domain.identity.model import check_name


class CreateApiTokenHandler:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self.uow, self.clock, self.ids = uow, clock, ids

    async def __call__(self, cmd: CreateApiToken) -> ApiTokenCreated:
        if cmd.via_api_token:
            raise Forbidden("API tokens cannot create API tokens; create one while logged in, or with "
                            "`postwizard token create` on the server")
        name = check_name(cmd.name, "name", limit=80)
        now = self.clock.now()
        expires_at = token_expiry(now, cmd.expires_in_days, cmd.expires_at)
        token = new_secret(API_TOKEN_PREFIX)
        record = ApiTokenRecord(id=self.ids.new(), user_id=cmd.user_id, name=name, token_hash=digest(token),
                                prefix=token[:8], created_at=now, expires_at=expires_at)
        async with self.uow() as uow:
            await uow.api_tokens.add(record)
            await uow.commit()
        return ApiTokenCreated(id=record.id, name=name, token=token, expires_at=expires_at)
