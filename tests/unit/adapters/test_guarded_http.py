"""The guarded transport over real loopback sockets: it connects to the address the policy checked (a
name no DNS knows reaches the test's server only through the policy's resolver) while Host, SNI and the
certificate check keep the name; a name that rebinds to loopback after its first check is refused at
the next connection; redirects are handed back, not followed. A trap listener on 127.0.0.1 at the same
port must never see a connection."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import ssl
from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from adapters.platforms.http import shared_client
from adapters.shared.address_policy import AddressPolicy
from adapters.shared.guarded_http import GuardedTransport

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


class Listener:
    """A loopback server that records each connection and request head, and answers `answer`."""

    def __init__(self, answer: bytes = OK) -> None:
        self.answer, self.connections, self.requests = answer, 0, []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            self.requests.append((await reader.readuntil(b"\r\n\r\n")).decode().lower())
            writer.write(self.answer)
            await writer.drain()
        writer.close()


def _certificate(tmp_path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for pinned.test and rebind.test: (server context, client context trusting it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pinned.test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("pinned.test"), x509.DNSName("rebind.test")]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    client = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
    return server, client


@contextlib.asynccontextmanager
async def _servers(tls: ssl.SSLContext) -> AsyncIterator[tuple[int, Listener, Listener, Listener]]:
    """(port, trap on 127.0.0.1:port, TLS server on 127.0.0.2:port, plain server on 127.0.0.2:another port)."""
    trap, secure, plain = Listener(), Listener(), Listener(b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1/\r\n"
                                                           b"Content-Length: 0\r\nConnection: close\r\n\r\n")
    trap_server = await asyncio.start_server(trap.handle, "127.0.0.1", 0)
    port = trap_server.sockets[0].getsockname()[1]
    secure_server = await asyncio.start_server(secure.handle, "127.0.0.2", port, ssl=tls)
    plain_server = await asyncio.start_server(plain.handle, "127.0.0.2", 0)
    plain.port = plain_server.sockets[0].getsockname()[1]
    plain.answer = plain.answer.replace(b"127.0.0.1/", f"127.0.0.1:{port}/".encode())
    try:
        yield port, trap, secure, plain
    finally:
        for server in (trap_server, secure_server, plain_server):
            server.close()


async def test_the_connection_goes_to_the_checked_address_under_the_name(tmp_path):
    server_tls, client_tls = _certificate(tmp_path)
    asked = []

    async def resolver(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return ["127.0.0.2"]

    policy = AddressPolicy.build(["127.0.0.2"], resolver=resolver)
    async with _servers(server_tls) as (port, trap, secure, _):
        async with httpx.AsyncClient(transport=GuardedTransport(policy, verify=client_tls)) as client:
            response = await client.get(f"https://pinned.test:{port}/hello")
            assert response.status_code == 200 and response.text == "ok"
            with pytest.raises(httpx.ConnectError, match="outbound address policy"):
                await client.get(f"http://pinned.test:{port}/hello")  # plain http to a host not listed by name
        assert asked == [("pinned.test", port)]  # resolved once, by the policy; the http try never resolved
        assert len(secure.requests) == 1 and f"host: pinned.test:{port}\r\n" in secure.requests[0]
        assert trap.connections == 0


async def test_a_name_that_rebinds_to_loopback_is_refused_at_the_next_connection(tmp_path):
    server_tls, client_tls = _certificate(tmp_path)
    answers = iter([["127.0.0.2"], ["127.0.0.1"], ["127.0.0.2", "127.0.0.1"]])

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    policy = AddressPolicy.build(["127.0.0.2"], resolver=rebinding)
    async with _servers(server_tls) as (port, trap, secure, _):
        async with httpx.AsyncClient(transport=GuardedTransport(policy, verify=client_tls)) as client:
            assert (await client.get(f"https://rebind.test:{port}/")).status_code == 200
            for _ in range(2):  # the server closes each connection, so each request connects (and resolves) again
                with pytest.raises(httpx.ConnectError, match="loopback"):
                    await client.get(f"https://rebind.test:{port}/")
        assert len(secure.requests) == 1 and trap.connections == 0


async def test_redirects_are_answered_not_followed(tmp_path):
    server_tls, _ = _certificate(tmp_path)
    async with _servers(server_tls) as (port, trap, _, plain):
        client = shared_client(policy=AddressPolicy.build(["127.0.0.2"]))
        try:
            response = await client.post(f"http://127.0.0.2:{plain.port}/api/v1/apps", data={"client_name": "x"})
            with pytest.raises(httpx.ConnectError, match="outbound address policy"):
                await client.get(response.headers["location"])  # and the target is refused if asked for
        finally:
            await client.aclose()
        assert response.status_code == 302 and response.headers["location"] == f"http://127.0.0.1:{port}/"
        assert trap.connections == 0


async def test_the_system_resolver_path_refuses_loopback_names_before_connecting(tmp_path):
    server_tls, _ = _certificate(tmp_path)
    async with _servers(server_tls) as (port, trap, _, _):
        client = shared_client(policy=AddressPolicy.build())
        try:
            for host in ("localhost", "127.1", "2130706433", "[::ffff:127.0.0.1]"):
                with pytest.raises(httpx.ConnectError, match="loopback"):
                    await client.get(f"https://{host}:{port}/")
            reader, writer = await asyncio.open_connection("127.0.0.1", port)  # the trap does count connections
            writer.close()
            await asyncio.sleep(0.05)
        finally:
            await client.aclose()
        assert trap.connections == 1


async def test_the_shared_client_never_sends_back_a_cookie_a_server_set():
    """One client serves every workspace's accounts: a cookie set in one account's call must not ride along on
    the next call to the same server, made for another account."""
    sets_cookie = Listener(b"HTTP/1.1 200 OK\r\nSet-Cookie: session=first-account; Path=/\r\n"
                           b"Content-Length: 2\r\nConnection: close\r\n\r\nok")
    server = await asyncio.start_server(sets_cookie.handle, "127.0.0.2", 0)
    port = server.sockets[0].getsockname()[1]
    client = shared_client(policy=AddressPolicy.build(["127.0.0.2"]))
    try:
        for _ in range(2):
            assert (await client.get(f"http://127.0.0.2:{port}/api/v1/statuses")).status_code == 200
    finally:
        await client.aclose()
        server.close()
    assert len(sets_cookie.requests) == 2 and not any("cookie:" in head for head in sets_cookie.requests)
