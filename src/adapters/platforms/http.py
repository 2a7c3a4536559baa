"""What every platform adapter shares: one httpx client with timeouts, and the mapping of transport
failures and rate-limit headers to typed errors."""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from adapters.shared.address_policy import AddressPolicy
from adapters.shared.guarded_http import GuardedTransport
from application.platforms.ports import OutcomeUnknown, PlatformError
from domain.publishing.states import FailureReason

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=15.0, write=15.0, pool=5.0)


LIMITS = httpx.Limits(max_connections=200, max_keepalive_connections=50)


def shared_client(timeout: httpx.Timeout = DEFAULT_TIMEOUT, policy: AddressPolicy | None = None) -> httpx.AsyncClient:
    """One client for all adapters (connection pooling); closed with the container. Redirects are never
    followed. With a policy (always, in the app) every connection passes the SSRF guard. Cookies are
    never kept: the client serves every workspace's accounts, so a cookie one account's server set would
    otherwise be sent with another account's calls to that server (and each answer's cookie parsing
    costs CPU at a publishing burst)."""
    return httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=policy is None, limits=LIMITS,
                             cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
                             transport=GuardedTransport(policy, limits=LIMITS) if policy else None,
                             headers={"User-Agent": "PostWizard/0.1 (+self-hosted social media manager)"})


def retry_at_from(headers: Mapping[str, str], *reset_headers: str, now: datetime | None = None) -> datetime | None:
    """When to retry: Retry-After (seconds or HTTP date), else the first reset header given (epoch
    seconds or an ISO/HTTP date, as Mastodon.py tolerates both)."""
    now = now or datetime.now(timezone.utc)
    value = headers.get("retry-after")
    if value:
        if value.strip().isdigit():
            return now + timedelta(seconds=int(value))
        try:
            return email.utils.parsedate_to_datetime(value).astimezone(timezone.utc)
        except (TypeError, ValueError):
            pass
    for name in reset_headers:
        value = headers.get(name)
        if not value:
            continue
        value = value.strip()
        try:
            return datetime.fromtimestamp(float(value), timezone.utc)
        except ValueError:
            pass
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    return None


async def send(client: httpx.AsyncClient, method: str, url: str, *, write: bool = False, **kwargs) -> httpx.Response:
    """Send a request; transport failures become typed: a write whose answer never came is OutcomeUnknown
    (it may have landed), anything that failed before the request left is platform_unavailable."""
    try:
        return await client.request(method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise PlatformError(FailureReason.PLATFORM_UNAVAILABLE, f"could not reach {url}: {type(exc).__name__}") from exc
    except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError) as exc:
        if write:
            raise OutcomeUnknown(f"no answer from {url} ({type(exc).__name__}); it may have been posted") from exc
        raise PlatformError(FailureReason.PLATFORM_UNAVAILABLE, f"{url} did not answer: {type(exc).__name__}") from exc


def server_error(response: httpx.Response) -> PlatformError:
    return PlatformError(FailureReason.PLATFORM_UNAVAILABLE,
                         f"the platform answered {response.status_code}; it is down or overloaded",
                         retry_at_from(response.headers))
