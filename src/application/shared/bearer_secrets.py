"""Bearer secrets (session cookies, API tokens, invitations, OAuth states): random, and only their hash is stored."""

from __future__ import annotations

import hashlib
import secrets


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret; enough for lookup and safe to store (no password stretching needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()
