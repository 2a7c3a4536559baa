"""Log out: the session is deleted server-side, so a stolen cookie stops working too."""

from __future__ import annotations

from application.identity.commands import LogOut
from application.identity.unit_of_work import UnitOfWorkFactory
from application.shared.bearer_secrets import digest


class LogOutHandler:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    async def __call__(self, cmd: LogOut) -> None:
        async with self.uow() as uow:
            await uow.sessions.delete(digest(cmd.session_token))
            await uow.commit()
