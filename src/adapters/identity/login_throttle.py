"""LoginThrottle on PostgreSQL, so every API process shares the counts (rules in
`domain.identity.login_throttle`).

A quick read refuses a throttled attempt without writing anything. An attempt that may pass gets
one short transaction: insert the two counter rows if missing, lock them (in key order, so
concurrent attempts cannot deadlock), decide again, write. Rows quiet for a day are deleted on the
way, through the index on `last_attempt_at`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.identity.tables import login_attempts as t
from application.identity.ports import LoginThrottled
from domain.identity.login_throttle import AttemptCount, LoginThrottlePolicy, address_bucket

FORGET_AFTER = timedelta(days=1)


def pair_key(account: str, address: str) -> str:
    return hashlib.sha256(f"pair\0{account}\0{address_bucket(address)}".encode()).hexdigest()


def address_key(address: str) -> str:
    return hashlib.sha256(f"address\0{address_bucket(address)}".encode()).hexdigest()


class SqlLoginThrottle:
    def __init__(self, engine: AsyncEngine, policy: LoginThrottlePolicy = LoginThrottlePolicy()) -> None:
        self.engine, self.policy = engine, policy

    async def admit(self, account: str, address: str, at: datetime) -> None:
        pair, addr = pair_key(account, address), address_key(address)
        async with self.engine.connect() as conn:
            # A flood is mostly refused attempts: they cost one read and no write.
            self._refuse_if_waiting(await self._counts(conn, pair, addr, lock=False), pair, addr, at)
            await conn.rollback()
            async with conn.begin():
                await conn.execute(delete(t).where(t.c.last_attempt_at < at - FORGET_AFTER))
                await conn.execute(insert(t).values([dict(key=k, attempts=0, window_start=at, last_attempt_at=at)
                                                     for k in sorted((pair, addr))]).on_conflict_do_nothing())
                counts = await self._counts(conn, pair, addr, lock=True)
                self._refuse_if_waiting(counts, pair, addr, at)
                for key, count in zip((pair, addr), self.policy.counted(counts.get(pair), counts.get(addr), at)):
                    await conn.execute(update(t).where(t.c.key == key).values(
                        attempts=count.attempts, window_start=count.window_start, last_attempt_at=count.last_attempt_at))

    @staticmethod
    async def _counts(conn, pair: str, addr: str, *, lock: bool) -> dict[str, AttemptCount]:
        """The two counters that exist and have attempts; with `lock`, held (in key order) until commit."""
        query = select(t).where(t.c.key.in_((pair, addr))).order_by(t.c.key)
        rows = await conn.execute(query.with_for_update() if lock else query)
        return {r.key: AttemptCount(r.attempts, r.window_start, r.last_attempt_at) for r in rows if r.attempts}

    def _refuse_if_waiting(self, counts: dict[str, AttemptCount], pair: str, addr: str, at: datetime) -> None:
        wait = self.policy.wait(counts.get(pair), counts.get(addr), at)
        if wait > 0:
            raise LoginThrottled(wait)

    async def succeeded(self, account: str, address: str, at: datetime) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(delete(t).where(t.c.key == pair_key(account, address)))
            await conn.execute(update(t).where(t.c.key == address_key(address), t.c.attempts > 0)
                               .values(attempts=t.c.attempts - 1))
