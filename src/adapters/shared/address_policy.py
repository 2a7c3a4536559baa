"""Where PostWizard may open a connection on a user's behalf: the one policy of the SSRF guard.

Users name servers (a Mastodon instance, a Bluesky PDS) that this server then calls, so a user could
otherwise make it call its own loopback, the LAN or a cloud metadata endpoint. Rules:

- Only https, and only to hosts whose every address is a public unicast address. Refused: loopback,
  unspecified, private, link-local (169.254.169.254 and the other cloud metadata endpoints),
  multicast, CGNAT shared space (Alibaba's 100.100.100.200), reserved, documentation and benchmark
  ranges, and IPv6 forms that embed such an IPv4 address (IPv4-mapped, NAT64, 6to4). The host is
  resolved first, so decimal and short forms (`2130706433`, `127.1`, `0x7f000001`) and names that
  point inward are judged by the address they really reach.
- A host the operator listed (POSTWIZARD_ALLOWED_PRIVATE_HOSTS: names or CIDR networks, for a
  self-hosted instance on the LAN) is allowed whatever it resolves to, and may use plain http when
  it is listed by name or is an IP literal inside a listed network. In demo and test mode the
  simulator's host is listed the same way.
- A name that resolves to several addresses is refused when any one of them is refused.

`admit` returns the checked addresses; the HTTP transport connects to exactly those (the address is
pinned for the connection, so DNS rebinding between check and connect gains nothing).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import anyio

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

_N = ipaddress.ip_network
# (why, networks), checked in order; anything else must also be globally routable by Python's own table.
_REFUSED: tuple[tuple[str, tuple[Network, ...]], ...] = (
    ("loopback", (_N("127.0.0.0/8"), _N("::1/128"))),
    ("unspecified", (_N("0.0.0.0/8"), _N("::/128"))),
    ("link-local (cloud metadata)", (_N("169.254.0.0/16"), _N("fe80::/10"))),
    ("multicast", (_N("224.0.0.0/4"), _N("ff00::/8"))),
    ("shared address space (CGNAT)", (_N("100.64.0.0/10"),)),
    ("private", (_N("10.0.0.0/8"), _N("172.16.0.0/12"), _N("192.168.0.0/16"), _N("fc00::/7"), _N("fec0::/10"))),
    ("reserved", (_N("192.0.0.0/24"), _N("192.0.2.0/24"), _N("192.88.99.0/24"), _N("198.18.0.0/15"),
                  _N("198.51.100.0/24"), _N("203.0.113.0/24"), _N("240.0.0.0/4"), _N("::/96"), _N("64:ff9b:1::/48"),
                  _N("100::/64"), _N("2001::/23"), _N("2001:db8::/32"), _N("3fff::/20"))),
)
_NAT64 = _N("64:ff9b::/96")
_HOST_NAME = re.compile(r"(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*")


class RefusedDestination(Exception):
    """The policy refuses this destination; the message says why (for the server's log, never for users)."""


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address reaches through: IPv4-mapped, NAT64 (64:ff9b::/96) or 6to4."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(address.packed[-4:])
    return address.sixtofour


def refusal(address: Address) -> str | None:
    """Why this address may not be contacted, or None for a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        address = ipaddress.IPv6Address(str(address).split("%")[0])
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return refusal(embedded)
    for why, networks in _REFUSED:
        if any(address.version == n.version and address in n for n in networks):
            return why
    return None if address.is_global else "not globally routable"


def canonical_host(host: str) -> str:
    """Lower case, no trailing dot, no IPv6 brackets: the form hosts are compared in."""
    return host.strip().lower().rstrip(".").removeprefix("[").removesuffix("]")


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


async def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's resolver (getaddrinfo: /etc/hosts, DNS, and the legacy numeric forms)."""
    answers = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(sockaddr[0]) for *_, sockaddr in answers))


@dataclass(frozen=True)
class AddressPolicy:
    names: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()
    resolver: Resolver = field(default=system_resolver, compare=False)
    resolve_timeout: float = 5.0

    @classmethod
    def build(cls, allowed: Iterable[str] = (), *, trusted_urls: Iterable[str | None] = (),
              resolver: Resolver = system_resolver) -> AddressPolicy:
        """From the operator's list (host names, IP addresses, CIDR networks) plus the hosts of trusted
        URLs (the simulator's). Raises ValueError naming an entry that is neither a name nor a network."""
        names: set[str] = set()
        networks: list[Network] = []
        hosts = [*allowed, *(urlsplit(url).hostname or "" for url in trusted_urls if url)]
        for entry in (canonical_host(h) for h in hosts):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                if not _HOST_NAME.fullmatch(entry) or entry.replace(".", "").isdigit():
                    raise ValueError(f"'{entry}' is neither a host name nor an IP address or CIDR network") from None
                names.add(entry)
        return cls(frozenset(names), tuple(networks), resolver)

    def _listed(self, host: str) -> bool:
        """Listed by name, or an IP literal inside a listed network."""
        literal = _literal(host)
        return host in self.names or (literal is not None and self._in_networks(literal))

    def _in_networks(self, address: Address) -> bool:
        return any(address.version == n.version and address in n for n in self.networks)

    def check_scheme(self, scheme: str, host: str) -> None:
        """https anywhere; http only to a listed host."""
        scheme = scheme.lower()
        if scheme == "https" or (scheme == "http" and self._listed(canonical_host(host))):
            return
        raise RefusedDestination(f"{scheme} to {host} (only https, or http to an allowed private host)")

    async def admit(self, host: str, port: int) -> list[str]:
        """Resolve `host` and return its addresses when every one may be contacted; else RefusedDestination
        (also when it does not resolve in time)."""
        host = canonical_host(host)
        try:
            with anyio.fail_after(self.resolve_timeout):
                addresses = [host] if _literal(host) else list(await self.resolver(host, port))
        except (OSError, UnicodeError, TimeoutError) as exc:
            raise RefusedDestination(f"{host} does not resolve ({type(exc).__name__})") from None
        if not addresses:
            raise RefusedDestination(f"{host} has no address")
        if host in self.names:
            return addresses
        for text in addresses:
            address = _literal(text)
            why = "not an IP address" if address is None else None if self._in_networks(address) else refusal(address)
            if why:
                raise RefusedDestination(f"{host} resolves to {text}: {why}")
        return addresses
