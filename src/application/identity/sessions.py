"""Starting a browser session: a random cookie secret plus a CSRF token, hashed at rest."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from application.identity.ports import SessionRecord
from application.identity.results import SessionStarted
from application.identity.unit_of_work import UnitOfWork
from application.shared.bearer_secrets import digest, new_secret
from application.shared.ports import Clock

SESSION_LIFETIME = timedelta(days=14)


async def start_session(uow: UnitOfWork, clock: Clock, user_id: UUID) -> SessionStarted:
    token, csrf = new_secret(), new_secret()
    now = clock.now()
    record = SessionRecord(token_hash=digest(token), user_id=user_id, csrf_token=csrf,
                           created_at=now, expires_at=now + SESSION_LIFETIME)
    await uow.sessions.add(record)
    return SessionStarted(user_id=user_id, session_token=token, csrf_token=csrf, expires_at=record.expires_at)
