"""Login throttling: how many password guesses an account and a client address get.

The scheme is OWASP's for online guessing: exponential backoff per (account, client address)
pair plus a broad cap per client address. There is deliberately no lock per account alone,
because then anyone could lock anyone out by typing wrong passwords for them.

Rules:
- a pair (account, address) has 5 attempts free; after that each attempt must wait 1 s, 2 s,
  4 s ... since the previous one, up to 15 minutes. A pair quiet for an hour starts afresh,
  and a successful login clears it;
- an address has 100 failed attempts per 15 minutes across all accounts (credential stuffing
  from one host); a successful login does not count;
- an attempt is counted when it is admitted, before the password is checked, so concurrent
  guesses cannot slip past the count; a refused attempt is not counted and costs no hashing;
- IPv6 addresses count by their /64 (one subscriber usually holds a whole /64).
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class AttemptCount:
    attempts: int
    window_start: datetime
    last_attempt_at: datetime


@dataclass(frozen=True)
class LoginThrottlePolicy:
    free_attempts: int = 5
    max_delay: timedelta = timedelta(minutes=15)
    pair_memory: timedelta = timedelta(hours=1)
    address_limit: int = 100
    address_window: timedelta = timedelta(minutes=15)

    def wait(self, pair: AttemptCount | None, address: AttemptCount | None, now: datetime) -> float:
        """Seconds before the next attempt of this pair from this address is admitted (0: now)."""
        return max(self._pair_wait(self._pair_now(pair, now), now), self._address_wait(self._address_now(address, now), now))

    def counted(self, pair: AttemptCount | None, address: AttemptCount | None,
                now: datetime) -> tuple[AttemptCount, AttemptCount]:
        """Both counts after admitting one attempt at `now`."""
        pair, address = self._pair_now(pair, now), self._address_now(address, now)
        return (AttemptCount((pair.attempts if pair else 0) + 1, pair.window_start if pair else now, now),
                AttemptCount((address.attempts if address else 0) + 1, address.window_start if address else now, now))

    def _pair_now(self, pair: AttemptCount | None, now: datetime) -> AttemptCount | None:
        return pair if pair and now - pair.last_attempt_at < self.pair_memory else None

    def _address_now(self, address: AttemptCount | None, now: datetime) -> AttemptCount | None:
        return address if address and now - address.window_start < self.address_window else None

    def _pair_wait(self, pair: AttemptCount | None, now: datetime) -> float:
        if pair is None or pair.attempts < self.free_attempts:
            return 0.0
        delay = min(2.0 ** min(pair.attempts - self.free_attempts, 30), self.max_delay.total_seconds())
        return max(0.0, (pair.last_attempt_at + timedelta(seconds=delay) - now).total_seconds())

    def _address_wait(self, address: AttemptCount | None, now: datetime) -> float:
        if address is None or address.attempts < self.address_limit:
            return 0.0
        return max(0.0, (address.window_start + self.address_window - now).total_seconds())


def retry_after_header(seconds: float) -> str:
    """Whole seconds, at least 1, as the Retry-After header wants them."""
    return str(max(1, math.ceil(seconds)))


def address_bucket(address: str) -> str:
    """The unit an address is counted in: IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by its /64."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
