"""LoginThrottle in memory, for unit tests: the same policy as the SQL one, in one process."""

from __future__ import annotations

from datetime import datetime

from adapters.identity.login_throttle import address_key, pair_key
from application.identity.ports import LoginThrottled
from domain.identity.login_throttle import AttemptCount, LoginThrottlePolicy


class MemoryLoginThrottle:
    def __init__(self, policy: LoginThrottlePolicy = LoginThrottlePolicy()) -> None:
        self.policy = policy
        self.counts: dict[str, AttemptCount] = {}

    async def admit(self, account: str, address: str, at: datetime) -> None:
        pair, addr = pair_key(account, address), address_key(address)
        wait = self.policy.wait(self.counts.get(pair), self.counts.get(addr), at)
        if wait > 0:
            raise LoginThrottled(wait)
        self.counts[pair], self.counts[addr] = self.policy.counted(self.counts.get(pair), self.counts.get(addr), at)

    async def succeeded(self, account: str, address: str, at: datetime) -> None:
        self.counts.pop(pair_key(account, address), None)
        addr = address_key(address)
        if addr in self.counts:
            count = self.counts[addr]
            self.counts[addr] = AttemptCount(max(0, count.attempts - 1), count.window_start, count.last_attempt_at)
