"""An httpx transport that enforces the AddressPolicy on every connection it opens.

The check sits in httpcore's network backend, the one place that turns a host name into a socket:
`connect_tcp` resolves the name through the policy, refuses it unless every address is allowed, and
connects to the checked address itself, so nothing resolves the name again between check and connect
(DNS rebinding). The URL, the Host header and TLS (SNI and certificate checks) keep the name; pooled
connections are keyed by it as usual. Redirects are never followed (the client is built with
`follow_redirects=False`, and a redirect's target would pass through here anyway).
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterable

import anyio
import httpcore
import httpx

from adapters.shared.address_policy import AddressPolicy, RefusedDestination

log = logging.getLogger(__name__)


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, policy: AddressPolicy, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._policy = policy
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.AsyncNetworkStream:
        deadline = anyio.current_time() + timeout if timeout is not None else None
        try:
            addresses = await self._policy.admit(host, port)
        except RefusedDestination as exc:
            log.info("refused to connect: %s", exc)
            raise httpcore.ConnectError(f"refused by the outbound address policy: {exc}") from None
        failure: Exception | None = None
        for address in addresses:  # every one was checked; try them in the resolver's order
            remaining = None if deadline is None else max(0.0, deadline - anyio.current_time())
            try:
                return await self._inner.connect_tcp(address, port, timeout=remaining, local_address=local_address,
                                                     socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not reachable through the outbound guard")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport with the guarded backend, plus the policy's scheme rule per request.
    Failures surface as httpx.ConnectError, like any unreachable server."""

    def __init__(self, policy: AddressPolicy, *, limits: httpx.Limits = httpx.Limits(),
                 verify: ssl.SSLContext | bool = True) -> None:
        super().__init__(verify=verify, limits=limits)
        self._policy = policy
        # httpx takes no network backend argument yet (encode/httpx#3749): rebuild its pool with the same
        # settings and ours. tests/unit/adapters/test_guarded_http.py fails if an httpx upgrade changes this.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify), max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedNetworkBackend(policy))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            self._policy.check_scheme(request.url.scheme, request.url.host)
        except RefusedDestination as exc:
            log.info("refused to connect: %s", exc)
            raise httpx.ConnectError(f"refused by the outbound address policy: {exc}", request=request) from None
        return await super().handle_async_request(request)
