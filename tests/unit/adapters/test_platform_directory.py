"""Where each platform lives: the named Mastodon instance, the configured services, or the simulator."""

import httpx
import pytest

from adapters.platforms.directory import build_directory, normalise_instance
from domain.shared.errors import InvalidValue


@pytest.mark.parametrize(("given", "expected"), [
    ("mastodon.social", "https://mastodon.social"),
    ("https://fosstodon.org/", "https://fosstodon.org"),
    ("  HTTPS://Example.Social:8443/ ", "https://example.social:8443"),
    ("[::1]:8080", "https://[::1]:8080"),                       # IPv6 keeps its brackets
    ("https://user:pass@pds.example/x/?q=1#f", "https://pds.example/x"),
])
def test_instance_urls_are_normalised(given, expected):
    assert normalise_instance(given) == expected


@pytest.mark.parametrize("given", ["", "ftp://x", "https://", "https://[::1", "https://a.example:99999"])
def test_a_missing_or_foreign_instance_is_refused_by_field(given):
    with pytest.raises(InvalidValue) as refused:
        normalise_instance(given)
    assert refused.value.field == "instance_url"


def test_settings_choose_real_services_unless_a_simulator_is_set():
    client = httpx.AsyncClient()
    real = build_directory(client, bluesky_pds_url="https://bsky.social/", x_api_url="https://api.x.com",
                           x_authorize_url="https://x.com", x_client_id=None, x_client_secret=None, simulator_url=None)
    assert real.base_url("bluesky") == "https://bsky.social"
    assert real.base_url("mastodon", "mastodon.social") == "https://mastodon.social"
    with pytest.raises(InvalidValue, match="not available"):  # no X app configured: say so
        real.get("x")
    demo = build_directory(client, bluesky_pds_url="https://bsky.social", x_api_url="https://api.x.com",
                           x_authorize_url="https://x.com", x_client_id=None, x_client_secret=None,
                           simulator_url="http://127.0.0.1:9/simulator")
    assert demo.base_url("mastodon") == "http://127.0.0.1:9/simulator/mastodon"
    assert demo.get("x").platform == "x"


def test_x_takes_no_server_from_the_user():
    """PostWizard's X client secret goes to X's API only, never to an address a user typed."""
    client = httpx.AsyncClient()
    for simulator in (None, "http://127.0.0.1:9/simulator"):
        directory = build_directory(client, bluesky_pds_url="https://bsky.social", x_api_url="https://api.x.com",
                                    x_authorize_url="https://x.com", x_client_id="id", x_client_secret="secret",
                                    simulator_url=simulator)
        with pytest.raises(InvalidValue) as refused:
            directory.base_url("x", "https://attacker.example")
        assert refused.value.field == "instance_url"
        assert directory.base_url("x").startswith(("https://api.x.com", "http://127.0.0.1:9/simulator/x"))
