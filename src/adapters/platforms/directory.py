"""Which adapter serves each platform, and where each platform lives.

With a simulator URL (demo mode, tests, benchmarks) every platform is the simulator; otherwise
Mastodon is the instance the user names, Bluesky the configured PDS (or one the user names), X the
configured API. A server a user names is checked by the SSRF guard before anything is sent to it.
"""

from __future__ import annotations

from urllib.parse import urlparse

import httpx

from adapters.platforms.bluesky import BlueskyPlatform
from adapters.platforms.mastodon import MastodonPlatform
from adapters.platforms.x import XPlatform
from application.platforms.ports import SocialPlatform
from domain.shared.errors import InvalidValue


class StaticPlatformDirectory:
    def __init__(self, adapters: dict[str, SocialPlatform], base_urls: dict[str, str],
                 simulator_url: str | None = None) -> None:
        self.adapters, self.base_urls, self.simulator_url = adapters, base_urls, simulator_url

    def get(self, platform: str) -> SocialPlatform:
        try:
            return self.adapters[platform]
        except KeyError:
            raise InvalidValue("platform", f"publishing to {platform} is not available yet; "
                                           f"available: {', '.join(sorted(self.adapters))}") from None

    def base_url(self, platform: str, instance: str | None = None) -> str:
        """Only Mastodon and Bluesky live on servers users name; X has one API, and PostWizard's client
        secret must never go anywhere else."""
        if platform not in USER_NAMED_SERVERS and instance:
            raise InvalidValue("instance_url", f"{platform} has a single server; leave instance_url out")
        if self.simulator_url:
            return f"{self.simulator_url.rstrip('/')}/{platform}"
        if platform == "mastodon":
            return normalise_instance(instance)
        if instance:
            return normalise_instance(instance, field="service_url")
        return self.base_urls[platform]


USER_NAMED_SERVERS = frozenset({"mastodon", "bluesky"})


def normalise_instance(value: str | None, field: str = "instance_url") -> str:
    """'mastodon.social' or 'https://mastodon.social/' -> 'https://mastodon.social' (no user info, query
    or fragment). Whether the server may be contacted is the SSRF guard's question, not this one."""
    value = (value or "").strip()
    if not value:
        raise InvalidValue(field, "name your instance, e.g. mastodon.social")
    if "://" not in value:
        value = "https://" + value
    try:
        parsed = urlparse(value)
        port = f":{parsed.port}" if parsed.port else ""
    except ValueError:  # a bad port or IPv6 literal
        parsed, port = None, ""
    if parsed is None or parsed.scheme not in ("https", "http") or not parsed.hostname:
        raise InvalidValue(field, f"'{value[:100]}' is not a server address")
    host = f"[{parsed.hostname}]" if ":" in parsed.hostname else parsed.hostname
    return f"{parsed.scheme}://{host}{port}{parsed.path.rstrip('/')}"


def build_directory(client: httpx.AsyncClient, *, bluesky_pds_url: str, x_api_url: str, x_authorize_url: str,
                    x_client_id: str | None, x_client_secret: str | None, simulator_url: str | None) -> StaticPlatformDirectory:
    if simulator_url:
        x_client_id, x_client_secret = x_client_id or "postwizard-sandbox", x_client_secret or "sandbox-secret"
        x_authorize_url = f"{simulator_url.rstrip('/')}/x"
    adapters: dict[str, SocialPlatform] = {"mastodon": MastodonPlatform(client), "bluesky": BlueskyPlatform(client)}
    if x_client_id:
        adapters["x"] = XPlatform(client, client_id=x_client_id, client_secret=x_client_secret,
                                  authorize_base=x_authorize_url)
    return StaticPlatformDirectory(adapters, {"bluesky": bluesky_pds_url.rstrip("/"), "x": x_api_url.rstrip("/")},
                                   simulator_url)
