"""Log in with email and password.

Rules:
- a wrong email and a wrong password answer the same, in the same time;
- attempts are throttled per (account, client address) and per address before the password is
  hashed (`domain.identity.login_throttle`), so a flood of guesses costs the server almost nothing
  and never slows the real user, who logs in from another address.
"""

from __future__ import annotations

from application.identity.commands import LogIn
from application.identity.ports import LoginThrottle, PasswordHasher
from application.identity.results import SessionStarted
from application.identity.sessions import start_session
from application.identity.unit_of_work import UnitOfWorkFactory
from application.shared.errors import Unauthenticated
from application.shared.ports import Clock
from domain.identity.model import normalise_email
from domain.shared.errors import DomainError

# Verifying against a dummy hash keeps the time of "no such user" equal to "wrong password".
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$PLG5mWpLV8iaRJDn+2RQYQ6ykjnI57Tm6WDz3IAkqf4"


class LogInHandler:
    def __init__(self, uow: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock, throttle: LoginThrottle) -> None:
        self.uow, self.hasher, self.clock, self.throttle = uow, hasher, clock, throttle

    async def __call__(self, cmd: LogIn) -> SessionStarted:
        account = (cmd.email or "").strip().lower()[:254]
        await self.throttle.admit(account, cmd.client_address, self.clock.now())
        try:
            email = normalise_email(cmd.email)
        except DomainError:
            raise Unauthenticated("the email or password is wrong") from None
        async with self.uow() as uow:
            user = await uow.users.by_email(email)
            ok = await self.hasher.verify(user.password_hash if user else _DUMMY_HASH, cmd.password or "")
            if not user or not ok:
                raise Unauthenticated("the email or password is wrong")
            session = await start_session(uow, self.clock, user.id)
            await uow.commit()
        await self.throttle.succeeded(account, cmd.client_address, self.clock.now())
        return session
