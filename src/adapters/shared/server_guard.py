"""The ServerGuard port over the AddressPolicy: the same rules the HTTP transport enforces on every
connection, checked before a request is even built."""

from __future__ import annotations

import logging

import httpx

from adapters.shared.address_policy import AddressPolicy, RefusedDestination
from application.channels.ports import UnreachableServer

log = logging.getLogger(__name__)


class PolicyServerGuard:
    def __init__(self, policy: AddressPolicy) -> None:
        self._policy = policy

    async def check(self, url: str) -> None:
        try:
            parsed = httpx.URL(url)
            if not parsed.host:
                raise RefusedDestination("no host")
            self._policy.check_scheme(parsed.scheme, parsed.host)
            await self._policy.admit(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80))
        except (RefusedDestination, httpx.InvalidURL) as exc:
            log.info("refused to contact a server a user named: %s", exc)
            raise UnreachableServer() from None
