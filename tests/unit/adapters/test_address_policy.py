"""The SSRF guard's policy: which addresses are refused and why, the operator's allow list, the scheme
rule, and names judged by what they resolve to (through the system resolver for the numeric forms and
/etc/hosts, through a fake one for names of the tests' own). Nothing here opens a connection."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from adapters.shared.address_policy import AddressPolicy, RefusedDestination, refusal


@pytest.mark.parametrize(("address", "why"), [
    ("127.0.0.1", "loopback"), ("127.255.255.254", "loopback"), ("::1", "loopback"),
    ("0.0.0.0", "unspecified"), ("0.1.2.3", "unspecified"), ("::", "unspecified"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("172.31.255.255", "private"), ("192.168.1.1", "private"),
    ("fd00:ec2::254", "private"),                       # AWS metadata over IPv6
    ("169.254.169.254", "link-local (cloud metadata)"), ("fe80::1", "link-local (cloud metadata)"),
    ("fe80::1%2", "link-local (cloud metadata)"),
    ("100.64.0.1", "shared address space (CGNAT)"), ("100.100.100.200", "shared address space (CGNAT)"),  # Alibaba
    ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"), ("ff02::1", "multicast"),
    ("192.0.0.192", "reserved"),                        # Oracle Cloud metadata
    ("192.0.2.1", "reserved"), ("198.18.0.1", "reserved"), ("203.0.113.9", "reserved"), ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"), ("2001:db8::1", "reserved"), ("::7f00:1", "reserved"),  # IPv4-compatible
    # IPv6 forms that reach an IPv4 address are judged by that address
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"), ("::ffff:169.254.169.254", "link-local (cloud metadata)"),
    ("64:ff9b::7f00:1", "loopback"), ("64:ff9b::a9fe:a9fe", "link-local (cloud metadata)"), ("2002:7f00:1::1", "loopback"),
])
def test_inward_addresses_are_refused_with_the_reason(address, why):
    assert refusal(ipaddress.ip_address(address)) == why


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "151.101.1.69", "2606:4700::1111", "2a00:1450:4001::1",
                                     "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"])
def test_public_unicast_addresses_pass(address):
    assert refusal(ipaddress.ip_address(address)) is None


def _resolver(table: dict[str, list[str]]):
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]
    return resolve


async def test_a_name_is_judged_by_every_address_it_resolves_to():
    policy = AddressPolicy.build(resolver=_resolver({
        "public.test": ["8.8.8.8", "2606:4700::1111"], "inward.test": ["127.0.0.1"],
        "mixed.test": ["8.8.8.8", "10.0.0.5"], "empty.test": [], "garbage.test": ["not-an-ip"]}))
    assert await policy.admit("public.test", 443) == ["8.8.8.8", "2606:4700::1111"]
    assert await policy.admit("PUBLIC.test.", 443) == ["8.8.8.8", "2606:4700::1111"]  # case and trailing dot
    for host, why in [("inward.test", "127.0.0.1: loopback"), ("mixed.test", "10.0.0.5: private"),
                      ("empty.test", "no address"), ("garbage.test", "not an IP address"),
                      ("nowhere.test", "does not resolve")]:
        with pytest.raises(RefusedDestination, match=why):
            await policy.admit(host, 443)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.1", "2130706433", "0x7f000001", "017700000001",
                                  "::1", "[::1]", "::ffff:127.0.0.1", "0"])
async def test_loopback_in_every_spelling_is_refused_by_what_the_system_resolver_makes_of_it(host):
    with pytest.raises(RefusedDestination, match="loopback|unspecified"):
        await AddressPolicy.build().admit(host, 443)


async def test_a_resolver_that_hangs_is_a_refusal_not_a_wait():
    async def hang(host: str, port: int) -> list[str]:
        import anyio
        await anyio.sleep(10)
        return ["8.8.8.8"]

    with pytest.raises(RefusedDestination, match="does not resolve"):
        await AddressPolicy(resolver=hang, resolve_timeout=0.05).admit("slow.test", 443)


async def test_the_operators_list_allows_named_hosts_anywhere_and_networks_by_address():
    policy = AddressPolicy.build(["Mastodon.LAN", "10.0.0.0/8", "[fd00::1]", "192.168.5.7"], resolver=_resolver({
        "mastodon.lan": ["192.168.1.20"], "pds.test": ["10.9.8.7"], "other.test": ["172.16.0.3"]}))
    assert policy.names == {"mastodon.lan"}
    assert set(map(str, policy.networks)) == {"10.0.0.0/8", "fd00::1/128", "192.168.5.7/32"}
    assert await policy.admit("mastodon.lan", 443) == ["192.168.1.20"]   # listed by name: any address
    assert await policy.admit("pds.test", 443) == ["10.9.8.7"]           # resolves into a listed network
    assert await policy.admit("10.1.1.1", 80) == ["10.1.1.1"]
    with pytest.raises(RefusedDestination, match="private"):
        await policy.admit("other.test", 443)                            # private, and not listed


def test_https_anywhere_http_only_to_listed_hosts():
    policy = AddressPolicy.build(["mastodon.lan", "10.0.0.0/8"], trusted_urls=["http://127.0.0.1:8000/simulator", None])
    for scheme, host in [("https", "example.social"), ("https", "127.0.0.1"), ("http", "mastodon.lan"),
                         ("HTTP", "Mastodon.LAN."), ("http", "10.2.3.4"), ("http", "127.0.0.1")]:
        policy.check_scheme(scheme, host)
    for scheme, host in [("http", "example.social"), ("http", "pds.test"), ("http", "127.0.0.2"), ("http", "localhost"),
                         ("http", "2130706433"), ("ftp", "mastodon.lan"), ("file", "")]:
        with pytest.raises(RefusedDestination):
            policy.check_scheme(scheme, host)


@pytest.mark.parametrize("entry", ["bad host", "exa mple.org", "2130706433", "-x.org", "a..b", "10.0.0.0/33"])
def test_an_entry_that_is_neither_a_host_nor_a_network_is_refused_at_startup(entry):
    with pytest.raises(ValueError, match="neither a host name"):
        AddressPolicy.build([entry])
