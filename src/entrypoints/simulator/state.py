"""What the platform simulator remembers: accounts, OAuth clients and codes, posts, media, faults.

Everything lives in memory, in one process. Each platform module keeps its own shapes in
`SimulatorState.data[platform]`; the shared parts (accounts, posts, faults) are here so the
control API can list what was posted and inject faults the same way for every platform.
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any


def now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class SandboxAccount:
    platform: str
    handle: str
    display_name: str
    remote_id: str
    password: str = "sandbox-app-password"  # Bluesky app password / consent page login
    email: str = ""


@dataclass
class Token:
    token: str
    platform: str
    handle: str
    kind: str  # "access" or "refresh"
    expires_at: datetime | None
    scopes: str = ""
    client_id: str | None = None
    revoked: bool = False

    def expired(self) -> bool:
        return self.revoked or (self.expires_at is not None and self.expires_at <= now())


@dataclass
class RemotePost:
    platform: str
    handle: str
    remote_id: str
    text: str
    created_at: datetime
    url: str
    reply_to: str | None = None
    media_ids: list[str] = field(default_factory=list)
    idempotency_key: str | None = None
    counters: dict[str, int] = field(default_factory=dict)  # activity of people outside the simulator
    extra: dict[str, Any] = field(default_factory=dict)
    # Activity through the platform's own endpoints: metric -> who or what (a liker, a reply's id).
    activity: dict[str, set[str]] = field(default_factory=dict)
    deleted_at: datetime | None = None

    def count(self, metric: str) -> int:
        """What the platform shows: the control API's share plus the real likes, reposts, replies, quotes."""
        return self.counters.get(metric, 0) + len(self.activity.get(metric, ()))

    def add(self, metric: str, who: str) -> bool:
        """Record one act (a like by `who`, a reply `who`); False when it was already there."""
        acts = self.activity.setdefault(metric, set())
        if who in acts:
            return False
        acts.add(who)
        return True

    def remove(self, metric: str, who: str) -> bool:
        acts = self.activity.get(metric, set())
        if who not in acts:
            return False
        acts.discard(who)
        return True


@dataclass
class Faults:
    """Injected misbehaviour for a platform, or for one account of it (account faults win)."""

    latency_ms: int = 0
    error_rate: float = 0.0     # share of requests answered 5xx
    timeout_rate: float = 0.0   # share of writes accepted (the post exists) whose answer never comes in time
    timeout_seconds: float = 30.0
    burst_429: int = 0          # the next N requests answer 429
    retry_after: int = 30       # seconds, in Retry-After / reset headers of injected 429s
    down: bool = False          # every request answers 503
    auth_fail: bool = False     # every authenticated request answers the platform's expired-token error

    def merge(self, other: "Faults | None") -> "Faults":
        return other if other is not None else self


@dataclass
class SimulatorState:
    accounts: dict[tuple[str, str], SandboxAccount] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    posts: list[RemotePost] = field(default_factory=list)
    faults: dict[tuple[str, str | None], Faults] = field(default_factory=dict)
    data: dict[str, dict[str, Any]] = field(default_factory=dict)  # per-platform extras
    # Metrics a platform no longer gives (`/_control/retired`): its read answers leave the field out.
    retired: dict[str, set[str]] = field(default_factory=dict)
    access_ttl: dict[str, timedelta | None] = field(default_factory=lambda: {  # None: tokens never expire
        "mastodon": None, "bluesky": timedelta(hours=2), "x": timedelta(hours=2)})
    _ids: itertools.count = field(default_factory=lambda: itertools.count(110_000_000_000_000_000))

    def next_id(self) -> str:
        return str(next(self._ids))

    def platform_data(self, platform: str) -> dict[str, Any]:
        return self.data.setdefault(platform, {})

    def add_account(self, platform: str, handle: str, display_name: str | None = None, **kw) -> SandboxAccount:
        account = SandboxAccount(platform=platform, handle=handle, display_name=display_name or handle,
                                 remote_id=kw.pop("remote_id", None) or self.next_id(), **kw)
        self.accounts[(platform, handle)] = account
        return account

    def account(self, platform: str, handle: str) -> SandboxAccount | None:
        return self.accounts.get((platform, handle))

    def issue_token(self, platform: str, handle: str, kind: str = "access", ttl: timedelta | None = None,
                    scopes: str = "", client_id: str | None = None, prefix: str = "") -> Token:
        token = Token(token=prefix + secrets.token_urlsafe(24), platform=platform, handle=handle, kind=kind,
                      expires_at=now() + ttl if ttl else None, scopes=scopes, client_id=client_id)
        self.tokens[token.token] = token
        return token

    def faults_for(self, platform: str, handle: str | None) -> Faults:
        return self.faults.get((platform, handle)) or self.faults.get((platform, None)) or Faults()

    def posts_of(self, platform: str, handle: str | None = None) -> list[RemotePost]:
        """The platform's posts that still exist (a deleted one stays in `posts`, the record of what was sent)."""
        return [p for p in self.posts if p.platform == platform and (handle is None or p.handle == handle)
                and p.deleted_at is None]

    def find_post(self, platform: str, remote_id: str) -> RemotePost | None:
        return next((p for p in self.posts if p.platform == platform and p.remote_id == remote_id
                     and p.deleted_at is None), None)

    def is_retired(self, platform: str, metric: str) -> bool:
        return metric in self.retired.get(platform, ())


SANDBOX_ACCOUNTS = [
    ("mastodon", "sandbox", "Sandbox on Mastodon"),
    ("bluesky", "sandbox.bsky.social", "Sandbox on Bluesky"),
    ("x", "sandbox_x", "Sandbox on X"),
]


def seeded_state() -> SimulatorState:
    """A state with one sandbox account per platform (demo mode offers these)."""
    state = SimulatorState()
    for platform, handle, name in SANDBOX_ACCOUNTS:
        state.add_account(platform, handle, name, email=f"{handle.split('.')[0]}@sandbox.test")
    return state
