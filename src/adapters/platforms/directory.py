"""Which adapter serves each platform, and where each platform lives.

With a simulator URL (demo mode, tests, benchmarks) every platform is the simulator; otherwise
Mastodon is the instance the user names, Bluesky the configured PDS, X the configured API.
"""

from __future__ import annotations

from urllib.parse import urlparse

import httpx

from adapters.platforms.bluesky import BlueskyPlatform
from adapters.platforms.mastodon import MastodonPlatform
from adapters.platforms.x import XPlatform
from application.publishing.ports import SocialPlatform
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
        if self.simulator_url:
            return f"{self.simulator_url.rstrip('/')}/{platform}"
        if platform == "mastodon":
            return normalise_instance(instance)
        if instance:
            return normalise_instance(instance, field="service_url")
        return self.base_urls[platform]


def normalise_instance(value: str | None, field: str = "instance_url") -> str:
    """'mastodon.social' or 'https://mastodon.social/' -> 'https://mastodon.social'."""
    value = (value or "").strip()
    if not value:
        raise InvalidValue(field, "name your instance, e.g. mastodon.social")
    if "://" not in value:
        value = "https://" + value
    parsed = urlparse(value)
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        raise InvalidValue(field, f"'{value}' is not a server address")
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.hostname}{port}{parsed.path.rstrip('/')}"


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
