"""A user chooses the time zone every screen shows times in (or goes back to the browser's).

The choice is the user's own, the same in every workspace they belong to; schedules keep the zone
they were made in, so changing it later moves no post.
"""

from __future__ import annotations

from application.identity.commands import SetTimeZone
from application.identity.unit_of_work import UnitOfWorkFactory
from application.shared.errors import Unauthenticated
from domain.identity.model import check_time_zone


class SetTimeZoneHandler:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    async def __call__(self, cmd: SetTimeZone) -> str | None:
        time_zone = check_time_zone(cmd.time_zone)
        async with self.uow() as uow:
            if await uow.users.get(cmd.user_id) is None:
                raise Unauthenticated("this account no longer exists")
            await uow.users.set_time_zone(cmd.user_id, time_zone)
            await uow.commit()
        return time_zone
