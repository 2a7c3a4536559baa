"""A channel's tokens: encrypted at rest, bound to the channel's row, never stored empty."""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

from application.channels.unit_of_work import UnitOfWork
from application.platforms.ports import Credentials
from application.shared.ports import TokenCipher
from domain.shared.errors import RuleViolated


def _context(channel_id: UUID) -> str:
    return f"channel:{channel_id}"


async def load_credentials(uow: UnitOfWork, cipher: TokenCipher, channel_id: UUID) -> Credentials | None:
    return unseal_credentials(cipher, channel_id, await uow.channels.secret(channel_id))


def unseal_credentials(cipher: TokenCipher, channel_id: UUID, sealed: str | None) -> Credentials | None:
    if not sealed:
        return None
    data = json.loads(cipher.decrypt(sealed, context=_context(channel_id)))
    expires = data.get("expires_at")
    return Credentials(access_token=data["access_token"], refresh_token=data.get("refresh_token"),
                       expires_at=datetime.fromisoformat(expires) if expires else None, extra=data.get("extra", {}))


async def store_credentials(uow: UnitOfWork, cipher: TokenCipher, channel_id: UUID, credentials: Credentials) -> None:
    """Rule: a good token is never overwritten by an empty one (a platform answer without a token)."""
    if not credentials.access_token:
        raise RuleViolated("empty_token", "the platform returned no access token; the channel keeps its current one")
    payload = {"access_token": credentials.access_token, "refresh_token": credentials.refresh_token,
               "expires_at": credentials.expires_at.isoformat() if credentials.expires_at else None,
               "extra": credentials.extra}
    await uow.channels.store_secret(channel_id, cipher.encrypt(json.dumps(payload), context=_context(channel_id)))


def merge_refreshed(old: Credentials, new: Credentials) -> Credentials:
    """A refresh answer without a refresh token keeps the old one (the caller refuses one without an access token)."""
    return Credentials(access_token=new.access_token,
                       refresh_token=new.refresh_token or old.refresh_token,
                       expires_at=new.expires_at, extra={**old.extra, **new.extra})
