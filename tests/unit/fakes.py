"""In-memory fakes of the platform ports (no network): a SocialPlatform that behaves like a small
Mastodon/Bluesky/X server, and a PlatformDirectory in front of a few of them; and a JobQueue.

The fake keeps its own accounts, OAuth clients, authorization codes (with their PKCE challenge),
access and refresh tokens and published posts, so the handlers are tested against the same
contract the real adapters honour: unknown tokens are refused with `auth_expired`, a code works
once and only with the verifier of its challenge, an idempotency key already used returns the post
it made instead of posting again, and `find_recent` answers from what was really published.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlparse

from authlib.oauth2.rfc7636 import create_s256_code_challenge

from application.channels.ports import UnreachableServer
from application.platforms.ports import (
    Account,
    Credentials,
    OAuthClient,
    OutcomeUnknown,
    OutgoingPost,
    PlatformError,
    PlatformLimits,
    PublishedPost,
    RecentPost,
)
from application.publishing.jobs import PublishJob
from domain.engagement.engagement import Counters
from domain.publishing.states import FailureReason
from domain.shared.errors import InvalidValue


@dataclass
class FakeStatus:
    """A post the fake platform holds."""

    remote_id: str
    account_id: str
    base_url: str
    text: str
    idempotency_key: str
    created_at: datetime
    url: str


@dataclass
class _Failure:
    error: Exception
    landed: bool  # OutcomeUnknown only: the post was made before the answer was lost


@dataclass
class _Grant:
    base_url: str
    client_id: str
    redirect_uri: str
    code_challenge: str
    account: Account


@dataclass
class _Token:
    account: Account
    base_url: str
    expires_at: datetime | None


@dataclass
class FakePlatform:
    """A faithful in-memory SocialPlatform. `auth` is "oauth" (Mastodon, X) or "app_password" (Bluesky).

    `token_lifetime` None issues tokens that never expire (Mastodon); with `refreshable` a refresh token
    comes along (X, Bluesky). `rotate_refresh_tokens` False answers refreshes without a refresh token
    (the caller must keep the old one)."""

    clock: object
    platform: str = "mastodon"
    auth: str = "oauth"
    token_lifetime: timedelta | None = None
    refreshable: bool = False
    rotate_refresh_tokens: bool = True
    limits_answer: PlatformLimits = field(default_factory=lambda: PlatformLimits(500, 4, 23))

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self.statuses: list[FakeStatus] = []                 # what is really on the platform
        self.publish_calls: list[OutgoingPost] = []          # every publish request received
        self.registrations: list[tuple[str, str]] = []       # (base_url, redirect_uri) of register_client
        self.refresh_calls: list[str | None] = []            # refresh tokens presented
        self.clients: dict[str, tuple[str, OAuthClient]] = {}     # client_id -> (base_url, client)
        self.authorizations: dict[str, _Grant] = {}          # state -> pending consent
        self.codes: dict[str, _Grant] = {}                   # authorization code -> grant (single use)
        self.tokens: dict[str, _Token] = {}                  # live access tokens
        self.refresh_tokens: dict[str, _Token] = {}          # live refresh tokens
        self.app_passwords: dict[tuple[str, str], Account] = {}
        self._publish_failures: deque[_Failure] = deque()
        self._refresh_failures: deque[Exception] = deque()
        self._find_failures: deque[Exception] = deque()
        self.refresh_answer_without_access_token = False

    # ----- test controls ---------------------------------------------------------------------

    def fail_next_publishes(self, error: Exception, times: int = 1, *, landed: bool = False) -> None:
        """The next `times` publishes raise `error` (a PlatformError, or OutcomeUnknown; `landed` makes the
        OutcomeUnknown happen after the post was made, as a lost answer)."""
        self._publish_failures.extend(_Failure(error, landed) for _ in range(times))

    def fail_next_finds(self, error: Exception, times: int = 1) -> None:
        """The next `times` listings of recent posts raise `error` (the platform cannot be asked)."""
        self._find_failures.extend(error for _ in range(times))

    def fail_next_refresh(self, error: Exception) -> None:
        self._refresh_failures.append(error)

    def add_app_password(self, identifier: str, password: str, account: Account) -> None:
        self.app_passwords[(identifier, password)] = account

    def consent(self, authorization_url: str, account: Account) -> tuple[str, str]:
        """The user approves PostWizard at the platform: returns (state, code) as the redirect carries them."""
        query = parse_qs(urlparse(authorization_url).query)
        state = query["state"][0]
        grant = self.authorizations.pop(state)
        code = f"code-{next(self._ids)}"
        self.codes[code] = _Grant(grant.base_url, grant.client_id, grant.redirect_uri, grant.code_challenge, account)
        return state, code

    def revoke(self, access_token: str) -> None:
        self.tokens.pop(access_token, None)

    def post_directly(self, account_id: str, base_url: str, text: str) -> FakeStatus:
        """A post made outside PostWizard (or by a worker whose answer never came back)."""
        return self._store(account_id, base_url, text, key=f"direct-{next(self._ids)}")

    def texts(self) -> list[str]:
        return [s.text for s in self.statuses]

    # ----- connecting ------------------------------------------------------------------------

    async def register_client(self, base_url: str, redirect_uri: str) -> OAuthClient:
        n = next(self._ids)
        client = OAuthClient(client_id=f"client-{n}", client_secret=f"client-secret-{n}", redirect_uri=redirect_uri)
        self.clients[client.client_id] = (base_url, client)
        self.registrations.append((base_url, redirect_uri))
        return client

    def authorization_url(self, base_url: str, client: OAuthClient, *, state: str, code_challenge: str) -> str:
        if client.client_id not in self.clients:
            raise PlatformError(FailureReason.AUTH_EXPIRED, "unknown client")
        self.authorizations[state] = _Grant(base_url, client.client_id, client.redirect_uri, code_challenge,
                                            Account("", "", ""))
        query = urlencode({"response_type": "code", "client_id": client.client_id, "redirect_uri": client.redirect_uri,
                           "state": state, "code_challenge": code_challenge, "code_challenge_method": "S256"})
        return f"{base_url}/oauth/authorize?{query}"

    async def exchange_code(self, base_url: str, client: OAuthClient, *, code: str, code_verifier: str) -> Credentials:
        grant = self.codes.pop(code, None)
        if grant is None or grant.base_url != base_url:
            raise PlatformError(FailureReason.AUTH_EXPIRED, "invalid_grant: the code is unknown or used")
        registered = self.clients.get(client.client_id)
        if (grant.client_id != client.client_id or registered is None
                or registered[1].client_secret != client.client_secret or grant.redirect_uri != client.redirect_uri):
            raise PlatformError(FailureReason.AUTH_EXPIRED, "invalid_client")
        if create_s256_code_challenge(code_verifier) != grant.code_challenge:
            raise PlatformError(FailureReason.AUTH_EXPIRED, "invalid_grant: PKCE verification failed")
        return self._issue(grant.account, base_url)

    async def log_in(self, base_url: str, identifier: str, password: str) -> Credentials:
        if self.auth != "app_password":
            raise PlatformError(FailureReason.VALIDATION, f"{self.platform} connects through OAuth")
        account = self.app_passwords.get((identifier, password))
        if account is None:
            raise PlatformError(FailureReason.AUTH_EXPIRED, "Invalid identifier or password")
        return self._issue(account, base_url)

    async def refresh(self, base_url: str, client: OAuthClient | None, credentials: Credentials) -> Credentials:
        self.refresh_calls.append(credentials.refresh_token)
        if self._refresh_failures:
            raise self._refresh_failures.popleft()
        if not self.refreshable:
            return credentials  # Mastodon: nothing to refresh
        old = self.refresh_tokens.get(credentials.refresh_token or "")
        if old is None or old.base_url != base_url:
            raise PlatformError(FailureReason.AUTH_EXPIRED, "invalid_grant: the refresh token is unknown or revoked")
        if self.auth == "oauth" and (client is None or client.client_id not in self.clients):
            raise PlatformError(FailureReason.AUTH_EXPIRED, "invalid_client")
        self.tokens.pop(credentials.access_token, None)
        fresh = self._issue(old.account, base_url, rotate=self.rotate_refresh_tokens)
        if self.rotate_refresh_tokens:
            self.refresh_tokens.pop(credentials.refresh_token, None)
        if self.refresh_answer_without_access_token:
            return Credentials(access_token="", refresh_token=fresh.refresh_token, expires_at=fresh.expires_at)
        return fresh

    async def account(self, base_url: str, credentials: Credentials) -> Account:
        return self._authorised(base_url, credentials).account

    async def limits(self, base_url: str, credentials: Credentials) -> PlatformLimits:
        self._authorised(base_url, credentials)
        return self.limits_answer

    # ----- publishing ------------------------------------------------------------------------

    async def publish(self, base_url: str, credentials: Credentials, post: OutgoingPost) -> PublishedPost:
        self.publish_calls.append(post)
        token = self._authorised(base_url, credentials)
        failure = self._publish_failures.popleft() if self._publish_failures else None
        if failure is not None and not (isinstance(failure.error, OutcomeUnknown) and failure.landed):
            raise failure.error
        status = next((s for s in self.statuses if s.idempotency_key == post.idempotency_key
                       and s.account_id == token.account.remote_id), None)  # Idempotency-Key: the same post again
        if status is None:
            status = self._store(token.account.remote_id, base_url, post.text, key=post.idempotency_key)
        if failure is not None:
            raise failure.error  # it landed, but the answer was lost
        return PublishedPost(remote_id=status.remote_id, url=status.url)

    async def fetch_metrics(self, base_url: str, credentials: Credentials, remote_id: str) -> Counters:
        self._authorised(base_url, credentials)
        if not any(s.remote_id == remote_id for s in self.statuses):
            raise PlatformError(FailureReason.UNKNOWN, f"no post {remote_id}")
        return Counters(likes=0, reposts=0, replies=0)

    async def find_recent(self, base_url: str, credentials: Credentials, since: datetime) -> list[RecentPost]:
        account = self._authorised(base_url, credentials).account
        if self._find_failures:
            raise self._find_failures.popleft()
        mine = [s for s in self.statuses if s.account_id == account.remote_id and s.base_url == base_url
                and s.created_at >= since]
        return [RecentPost(s.remote_id, s.url, s.text, s.created_at) for s in reversed(mine)]

    # ----- helpers ---------------------------------------------------------------------------

    def _issue(self, account: Account, base_url: str, rotate: bool = True) -> Credentials:
        n = next(self._ids)
        expires_at = self.clock.now() + self.token_lifetime if self.token_lifetime else None
        token = _Token(account, base_url, expires_at)
        access = f"{self.platform}-access-{n}"
        self.tokens[access] = token
        refresh = None
        if self.refreshable and rotate:
            refresh = f"{self.platform}-refresh-{n}"
            self.refresh_tokens[refresh] = token
        return Credentials(access_token=access, refresh_token=refresh, expires_at=expires_at,
                           extra={"account_id": account.remote_id})

    def _authorised(self, base_url: str, credentials: Credentials) -> _Token:
        token = self.tokens.get(credentials.access_token)
        if token is None or token.base_url != base_url:
            raise PlatformError(FailureReason.AUTH_EXPIRED, "The access token is invalid")
        if token.expires_at is not None and token.expires_at <= self.clock.now():
            raise PlatformError(FailureReason.AUTH_EXPIRED, "The access token expired")
        return token

    def _store(self, account_id: str, base_url: str, text: str, key: str) -> FakeStatus:
        remote_id = str(next(self._ids))
        status = FakeStatus(remote_id, account_id, base_url, text, key, self.clock.now(),
                            f"{base_url}/@{account_id}/{remote_id}")
        self.statuses.append(status)
        return status


class FakeDirectory:
    """A PlatformDirectory over fake platforms; base URLs resolve like the real directory's."""

    def __init__(self, *platforms: FakePlatform, defaults: dict[str, str] | None = None) -> None:
        self.adapters = {p.platform: p for p in platforms}
        self.defaults = defaults or {"bluesky": "https://bsky.example", "x": "https://api.x.example"}

    def get(self, platform: str) -> FakePlatform:
        try:
            return self.adapters[platform]
        except KeyError:
            raise InvalidValue("platform", f"publishing to {platform} is not available yet") from None

    def base_url(self, platform: str, instance: str | None = None) -> str:
        if instance:
            instance = instance.strip().rstrip("/")
            return instance if "://" in instance else f"https://{instance}"
        if platform == "mastodon":
            raise InvalidValue("instance_url", "name your instance, e.g. mastodon.social")
        return self.defaults[platform]


class FakeServerGuard:
    """The ServerGuard port: allows every server except the hosts in `refused`; records what it was asked."""

    def __init__(self) -> None:
        self.refused: set[str] = set()
        self.asked: list[str] = []

    async def check(self, url: str) -> None:
        self.asked.append(url)
        if urlparse(url).hostname in self.refused:
            raise UnreachableServer()


class MemoryJobQueue:
    """The JobQueue port as a list: `waiting` holds the jobs deferred, each once."""

    def __init__(self) -> None:
        self.waiting: list[PublishJob] = []

    async def defer(self, job: PublishJob) -> bool:
        if job in self.waiting:
            return False
        self.waiting.append(job)
        return True
