"""Login throttling policy: exponential backoff per (account, address), a cap per address, IPv6 by /64."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.identity.login_throttle import AttemptCount, LoginThrottlePolicy, address_bucket, retry_after_header
from tests.unit.factories import NOW

POLICY = LoginThrottlePolicy()


def attempts(n: int):
    """Admit n attempts at once (each must be admitted); returns the counts and the time."""
    pair = address = None
    for _ in range(n):
        assert POLICY.wait(pair, address, NOW) == 0
        pair, address = POLICY.counted(pair, address, NOW)
    return pair, address, NOW


def test_five_attempts_are_free_then_the_wait_doubles_up_to_fifteen_minutes():
    pair, address, now = attempts(5)
    assert POLICY.wait(pair, address, now) == 1.0
    waits = []
    for _ in range(12):
        wait = POLICY.wait(pair, address, now)
        waits.append(wait)
        now += timedelta(seconds=wait)
        assert POLICY.wait(pair, address, now) == 0
        pair, address = POLICY.counted(pair, address, now)
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]


def test_a_pair_quiet_for_an_hour_starts_afresh():
    pair = AttemptCount(9, NOW, NOW)
    still, _ = POLICY.counted(pair, None, NOW + timedelta(minutes=59))
    fresh, _ = POLICY.counted(pair, None, NOW + timedelta(hours=1))
    assert (still.attempts, fresh.attempts) == (10, 1)


def test_an_address_has_100_attempts_per_15_minutes_across_accounts():
    address = None
    for i in range(100):
        assert POLICY.wait(None, address, NOW + timedelta(seconds=i)) == 0
        _, address = POLICY.counted(None, address, NOW + timedelta(seconds=i))
    assert POLICY.wait(None, address, NOW + timedelta(seconds=100)) == pytest.approx(800)
    assert POLICY.wait(None, address, NOW + timedelta(minutes=15)) == 0
    _, renewed = POLICY.counted(None, address, NOW + timedelta(minutes=15))
    assert renewed.attempts == 1 and renewed.window_start == NOW + timedelta(minutes=15)


def test_the_longer_wait_of_pair_and_address_applies():
    pair = AttemptCount(5, NOW, NOW)             # 1 s to wait
    address = AttemptCount(100, NOW, NOW)        # 15 min to wait
    assert POLICY.wait(pair, address, NOW) == 900
    assert POLICY.wait(AttemptCount(60, NOW, NOW), None, NOW) == 900  # no overflow, however many


@pytest.mark.parametrize(("address", "bucket"), [
    ("203.0.113.7", "203.0.113.7"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
    ("fe80::1%eth0", "fe80::/64"),
    ("", "unknown"),
    ("not-an-ip", "not-an-ip"),
])
def test_addresses_count_by_host_and_ipv6_by_its_64(address, bucket):
    assert address_bucket(address) == bucket


def test_retry_after_is_whole_seconds_rounded_up():
    assert [retry_after_header(s) for s in (0.01, 1.0, 1.2, 899.5)] == ["1", "1", "2", "900"]
