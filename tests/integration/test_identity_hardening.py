"""Identity hardening on the real app over a socket and PostgreSQL: API token lifecycle, login
throttling (an attacker flooding from one address, the real user from another), sign-up modes
and enumeration, common passwords, the workspace cap and the per-user caption limit."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from dependency_injector import providers

from adapters.captions.usage_ledger import SqlUsageLedger
from adapters.identity.login_throttle import SqlLoginThrottle
from adapters.identity.password_hasher import Argon2PasswordHasher
from application.captions.ports import GenerationRateLimited
from application.identity.ports import LoginThrottled
from domain.identity.login_throttle import LoginThrottlePolicy
from entrypoints.api.app import create_app
from entrypoints.container import build_container
from entrypoints.settings import Settings
from tests.integration.conftest import _free_port, _served
from tests.integration.test_cli import _cli
from tests.integration.users import ApiUser, sign_up

PASSWORD = "correct horse battery"


def client_at(base_url: str, address: str, **kw) -> httpx.AsyncClient:
    """A client whose connections come from `address` (any 127.x.y.z reaches the loopback server)."""
    return httpx.AsyncClient(base_url=base_url, timeout=30, transport=httpx.AsyncHTTPTransport(local_address=address),
                             **kw)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ----- API tokens ------------------------------------------------------------------------

async def test_tokens_are_listed_without_secrets_revoked_at_once_and_only_by_their_owner(base_url, http):
    ann, bob = await sign_up(base_url, "Ann"), await sign_up(base_url, "Bob")
    made = [(await ann.client.post("/api/auth/tokens", json={"name": name, **extra})).json()
            for name, extra in (("ci", {"expires_in_days": 30}), ("laptop", {}))]
    ci, laptop = made
    assert ci["expires_at"] and laptop["expires_at"] is None

    assert (await http.get("/api/auth/me", headers=bearer(laptop["token"]))).json()["email"] == ann.email
    listed = await ann.client.get("/api/auth/tokens")
    assert listed.status_code == 200
    assert [t["name"] for t in listed.json()] == ["laptop", "ci"]
    assert ci["token"] not in listed.text and laptop["token"] not in listed.text
    assert set(listed.json()[0]) == {"id", "name", "prefix", "created_at", "last_used_at", "expires_at", "expired"}
    assert listed.json()[0]["last_used_at"] and listed.json()[1]["last_used_at"] is None
    assert listed.json()[0]["prefix"] == laptop["token"][:8]

    # Another user cannot see or revoke Ann's tokens; an API token cannot mint tokens.
    assert (await bob.client.get("/api/auth/tokens")).json() == []
    r = await bob.client.delete(f"/api/auth/tokens/{laptop['id']}")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    r = await http.post("/api/auth/tokens", json={"name": "child"}, headers=bearer(laptop["token"]))
    assert r.status_code == 403

    # Revoked: the very next request is refused; the other token is untouched.
    assert (await http.delete(f"/api/auth/tokens/{laptop['id']}", headers=bearer(laptop["token"]))).status_code == 204
    r = await http.get("/api/auth/me", headers=bearer(laptop["token"]))
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    assert (await ann.client.delete(f"/api/auth/tokens/{laptop['id']}")).status_code == 404
    assert [t["name"] for t in (await ann.client.get("/api/auth/tokens")).json()] == ["ci"]

    # Logging out ends the browser session, not the tokens.
    assert (await ann.client.post("/api/auth/logout")).status_code == 204
    assert (await ann.client.get("/api/auth/tokens")).status_code == 401
    assert (await http.get("/api/auth/tokens", headers=bearer(ci["token"]))).status_code == 200


async def test_an_expired_token_is_refused_with_a_clear_401(base_url, http):
    ann = await sign_up(base_url)
    soon = datetime.now(UTC) + timedelta(seconds=1.5)
    r = await ann.client.post("/api/auth/tokens", json={"name": "short", "expires_at": soon.isoformat()})
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    assert (await http.get("/api/auth/me", headers=bearer(token))).status_code == 200
    await asyncio.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.1)
    r = await http.get("/api/auth/me", headers=bearer(token))
    assert r.status_code == 401 and "expired" in r.json()["detail"]
    assert (await ann.client.get("/api/auth/tokens")).json()[0]["expired"] is True


@pytest.mark.parametrize(("body", "field"), [
    ({"expires_in_days": 0}, "expires_in_days"),
    ({"expires_in_days": 100_000}, "expires_in_days"),
    ({"expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
    ({"expires_at": "2030-01-01T00:00:00"}, "expires_at"),
    ({"expires_in_days": 5, "expires_at": "2030-01-01T00:00:00Z"}, "expires_at"),
])
async def test_a_bad_token_lifetime_is_a_422_naming_its_field(base_url, body, field):
    ann = await sign_up(base_url)
    r = await ann.client.post("/api/auth/tokens", json={"name": "x", **body})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, r.text
    assert (await ann.client.get("/api/auth/tokens")).json() == []


async def test_the_cli_creates_lists_and_revokes_tokens_with_the_same_handlers(settings, base_url, http):
    ann = await sign_up(base_url)
    r = await _cli(settings, "token", "create", "-u", ann.email, "--name", "shell", "--expires-in-days", "7")
    assert r.returncode == 0, r.stdout + r.stderr
    token = next(word for word in r.stdout.split() if word.startswith("pw_"))
    assert (await http.get("/api/auth/me", headers=bearer(token))).json()["email"] == ann.email
    token_id = (await ann.client.get("/api/auth/tokens")).json()[0]["id"]

    r = await _cli(settings, "token", "list", "-u", ann.email)
    assert r.returncode == 0 and token_id in r.stdout and "shell" in r.stdout and token not in r.stdout

    r = await _cli(settings, "token", "revoke", token_id, "-u", ann.email)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (await http.get("/api/auth/me", headers=bearer(token))).status_code == 401


# ----- login throttling ------------------------------------------------------------------

async def test_a_flood_of_guesses_gets_429_while_the_real_user_logs_in_from_elsewhere(base_url):
    victim = await sign_up(base_url, "Victim")
    attempt = {"email": victim.email, "password": "not the password"}
    async with client_at(base_url, "127.0.0.2") as attacker, client_at(base_url, "127.0.0.3") as real_user:
        async def flood() -> list[httpx.Response]:
            return await asyncio.gather(*[attacker.post("/api/auth/login", json=attempt,
                                                        headers={"X-Forwarded-For": f"198.51.100.{i}"})
                                          for i in range(60)])

        flooding = asyncio.create_task(flood())
        during = await real_user.post("/api/auth/login", json={"email": victim.email, "password": PASSWORD})
        answers = await flooding
        assert during.status_code == 200, during.text

        statuses = [r.status_code for r in answers]
        assert 5 <= statuses.count(401) <= 7 and statuses.count(429) >= 53, statuses
        throttled = next(r for r in answers if r.status_code == 429)
        assert throttled.headers["content-type"] == "application/problem+json"
        assert throttled.json()["rule"] == "login_throttled" and int(throttled.headers["retry-after"]) >= 1

        # Right password from the flooding address: still refused (a guess cannot be confirmed)...
        r = await attacker.post("/api/auth/login", json={"email": victim.email, "password": PASSWORD})
        assert r.status_code == 429
        # ... while the real user keeps logging in.
        after = await real_user.post("/api/auth/login", json={"email": victim.email, "password": PASSWORD})
        assert after.status_code == 200


async def test_unknown_emails_are_throttled_alike_so_429_reveals_nothing(base_url):
    async with client_at(base_url, "127.0.0.4") as attacker:
        answers = await asyncio.gather(*[attacker.post("/api/auth/login", json={"email": "nobody@example.com",
                                                                                "password": "guess"}) for _ in range(10)])
    assert sorted(r.status_code for r in answers) == [401] * 5 + [429] * 5


async def test_an_address_is_capped_across_accounts_in_postgresql(container):
    """The per-address cap (100 per 15 min by default) with a small policy, on the real table."""
    throttle = SqlLoginThrottle(container.engine(), LoginThrottlePolicy(address_limit=4))
    now, address = datetime.now(UTC), f"10.{uuid.uuid4().int % 250}.0.1"
    for i in range(4):
        await throttle.admit(f"user{i}@example.com", address, now)
    with pytest.raises(LoginThrottled) as info:
        await throttle.admit("user9@example.com", address, now)
    assert 899 <= info.value.retry_after <= 900
    await throttle.admit("user9@example.com", "10.251.0.2", now)  # another address is free
    # A success gives its attempt back; racing attempts cannot pass the cap together.
    await throttle.succeeded("user0@example.com", address, now)
    outcomes = await asyncio.gather(*[throttle.admit(f"race{i}@example.com", address, now) for i in range(5)],
                                    return_exceptions=True)
    assert sum(o is None for o in outcomes) == 1
    assert all(isinstance(o, LoginThrottled) for o in outcomes if o is not None)


# ----- sign-up ---------------------------------------------------------------------------

async def test_sign_up_answers_the_same_for_a_taken_email_and_changes_nothing(base_url, http):
    ann = await sign_up(base_url)
    fresh = await http.post("/api/auth/signup", json={"email": f"new-{uuid.uuid4().hex[:8]}@example.com",
                                                      "password": PASSWORD, "name": "New", "workspace_name": "N"})
    taken = await http.post("/api/auth/signup", json={"email": ann.email.upper(), "password": "another passphrase here",
                                                      "name": "Mallory", "workspace_name": "M"})
    assert (fresh.status_code, fresh.json()) == (taken.status_code, taken.json()) == (202, fresh.json())
    assert "set-cookie" not in fresh.headers and "set-cookie" not in taken.headers
    async with httpx.AsyncClient(base_url=base_url) as other:
        assert (await other.post("/api/auth/login", json={"email": ann.email, "password": "another passphrase here"})
                ).status_code == 401
        assert (await other.post("/api/auth/login", json={"email": ann.email, "password": PASSWORD})).status_code == 200


@pytest.mark.parametrize(("password", "why"), [
    ("aaaaaaaaaa", "repeats"),
    ("password12", "most commonly used passwords"),
    ("Summer2024!", "most commonly used passwords"),
    ("{local} rocks", "email address's name"),
])
async def test_weak_passwords_are_refused_with_422_naming_password_and_saying_why(http, password, why):
    local = f"quinn{uuid.uuid4().hex[:6]}"
    r = await http.post("/api/auth/signup", json={"email": f"{local}@example.com", "password": password.format(local=local),
                                                  "name": "Q", "workspace_name": "Q"})
    assert r.status_code == 422, r.text
    error = r.json()["errors"][0]
    assert error["field"] == "password" and why in error["message"]


@pytest.fixture
async def served_with(fresh_database, tmp_path) -> AsyncIterator:
    """Serve the real app on a database of its own, with the given settings (a fresh installation)."""
    async def serve(**overrides) -> AsyncIterator[str]:
        settings = Settings(database_url=fresh_database.libpq_url(), data_dir=tmp_path / "data",
                            frontend_dir=tmp_path / "no-ui", **overrides)
        container = build_container(settings, fresh_database)
        container.hasher.override(providers.Singleton(Argon2PasswordHasher, time_cost=1, memory_cost=1024, parallelism=1))
        return _served(create_app(container, settings, background=False), _free_port())
    yield serve


async def _user(base_url: str, email: str, **signup) -> ApiUser:
    client = httpx.AsyncClient(base_url=base_url, timeout=30)
    r = await client.post("/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "U", **signup})
    assert r.status_code == 202, r.text
    body = (await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})).json()
    client.headers["X-CSRF-Token"] = body["csrf_token"]
    return ApiUser(client, body["workspaces"][0]["id"], body["user"]["id"], email)


async def test_by_invitation_only_the_first_user_and_the_invited_sign_up(served_with):
    async with await served_with() as url:  # no POSTWIZARD_SIGNUP and no simulator: invite
        owner = await _user(url, "owner@example.com", workspace_name="Agency")
        async with httpx.AsyncClient(base_url=url) as anyone:
            r = await anyone.post("/api/auth/signup", json={"email": "eve@example.com", "password": PASSWORD,
                                                            "name": "Eve", "workspace_name": "E"})
            assert r.status_code == 409 and r.json()["rule"] == "invitation_required"
            invitation = (await owner.post("/invitations", {"email": "bob@example.com", "role": "editor"})).json()
            r = await anyone.post("/api/auth/signup", json={"email": "eve@example.com", "password": PASSWORD,
                                                            "name": "Eve", "invitation_token": invitation["token"]})
            assert r.status_code == 409 and r.json()["rule"] == "invitation_email"
            r = await anyone.post("/api/auth/signup", json={"email": "bob@example.com", "password": PASSWORD,
                                                            "name": "Eve", "invitation_token": "made-up"})
            assert r.status_code == 422 and r.json()["errors"][0]["field"] == "invitation_token"
        bob = await _user(url, "bob@example.com", invitation_token=invitation["token"])
        assert bob.workspace_id == owner.workspace_id
        assert {m["email"]: m["role"] for m in (await bob.get("/members")).json()} == {
            "owner@example.com": "owner", "bob@example.com": "editor"}
        await owner.client.aclose()
        await bob.client.aclose()


async def test_closed_sign_up_admits_the_first_user_only(served_with):
    async with await served_with(signup="closed") as url:
        first = await _user(url, "first@example.com", workspace_name="Mine")
        async with httpx.AsyncClient(base_url=url) as anyone:
            r = await anyone.post("/api/auth/signup", json={"email": "second@example.com", "password": PASSWORD,
                                                            "name": "S", "workspace_name": "S"})
        assert r.status_code == 409 and r.json()["rule"] == "sign_up_closed"
        await first.client.aclose()


async def test_open_sign_up_in_demo_mode(served_with, simulator_url):
    async with await served_with(simulator_url=simulator_url) as url:
        users = [await _user(url, f"u{i}@example.com", workspace_name="W") for i in range(2)]
        assert len({u.workspace_id for u in users}) == 2
        for u in users:
            await u.client.aclose()


# ----- caps ------------------------------------------------------------------------------

async def test_one_person_owns_at_most_the_cap_of_workspaces(base_url, settings):
    ann = await sign_up(base_url)
    cap = settings.max_workspaces_per_user
    for i in range(cap - 1):
        assert (await ann.client.post("/api/workspaces", json={"name": f"W{i}"})).status_code == 201
    r = await ann.client.post("/api/workspaces", json={"name": "One too many"})
    assert r.status_code == 409 and r.json()["rule"] == "workspace_limit", r.text
    assert len((await ann.client.get("/api/auth/me")).json()["workspaces"]) == cap


async def test_caption_generations_are_limited_per_user_across_workspaces(base_url, container, settings, fake_llm):
    ann = await sign_up(base_url)
    second = (await ann.client.post("/api/workspaces", json={"name": "Second"})).json()["id"]
    ledger, now = SqlUsageLedger(container.engine()), datetime.now(UTC)
    user_limit, workspace_limit = settings.caption_limit_per_user_per_hour, settings.caption_limit_per_hour
    for i in range(user_limit):  # spread over two workspaces, each under its own limit
        workspace = ann.workspace_id if i % 2 else second
        await ledger.begin(uuid.UUID(workspace), now, workspace_limit, user_id=uuid.UUID(ann.user_id),
                           user_limit_per_hour=user_limit)
    r = await ann.post("/captions", {"brief": {"topic": "bread"}, "platforms": ["x"]})
    assert r.status_code == 429 and r.json()["rule"] == "caption_rate_limit", r.text
    assert "you generated captions" in r.json()["detail"] and int(r.headers["retry-after"]) > 3000
    assert fake_llm.requests == []

    # A colleague in the same workspace still has their own allowance.
    bob = await sign_up(base_url, "Bob")
    invitation = (await ann.post("/invitations", {"email": bob.email, "role": "editor"})).json()
    assert (await bob.client.post("/api/invitations/accept", json={"token": invitation["token"]})).status_code == 200
    fake_llm.answer("Fresh bread on Saturday")
    r = await bob.client.post(ann.url("/captions"), json={"brief": {"topic": "bread"}, "platforms": ["x"]})
    assert r.status_code == 200, r.text


async def test_the_per_user_limit_holds_when_requests_race(container):
    ledger, now, user = SqlUsageLedger(container.engine()), datetime.now(UTC), uuid.uuid4()
    outcomes = await asyncio.gather(*[ledger.begin(uuid.uuid4(), now, 100, user_id=user, user_limit_per_hour=3)
                                      for _ in range(8)], return_exceptions=True)
    refused = [o for o in outcomes if isinstance(o, GenerationRateLimited)]
    assert len(refused) == 5 and {o.scope for o in refused} == {"user"}
