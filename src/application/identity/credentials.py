"""Identity's bearer secrets: API tokens are recognisable by their prefix (hashing: application.shared.bearer_secrets)."""

from __future__ import annotations

API_TOKEN_PREFIX = "pw_"
