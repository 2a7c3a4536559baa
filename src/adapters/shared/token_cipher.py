"""AES-256-GCM encryption of secrets at rest (platform tokens, API keys).

The key comes from settings (base64url, 32 bytes) or from a key file created on first run
with 0600 permissions. The context (e.g. "channel:<id>") is bound as associated data, so a
ciphertext copied to another row fails to decrypt.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = "v1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_or_create_key(key: str | None, key_file: Path) -> bytes:
    if key:
        raw = _unb64(key)
        if len(raw) != 32:
            raise ValueError("POSTWIZARD_SECRET_KEY must be 32 bytes, base64url-encoded")
        return raw
    if key_file.exists():
        return _unb64(key_file.read_text().strip())
    key_file.parent.mkdir(parents=True, exist_ok=True)
    raw = AESGCM.generate_key(bit_length=256)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(_b64(raw))
    return raw


class AesGcmTokenCipher:
    def __init__(self, key: bytes) -> None:
        self.aead = AESGCM(key)

    def encrypt(self, plaintext: str, *, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self.aead.encrypt(nonce, plaintext.encode(), context.encode())
        return f"{_VERSION}.{_b64(nonce)}.{_b64(sealed)}"

    def decrypt(self, ciphertext: str, *, context: str) -> str:
        version, nonce, sealed = ciphertext.split(".")
        if version != _VERSION:
            raise ValueError(f"unknown ciphertext version {version}")
        return self.aead.decrypt(_unb64(nonce), _unb64(sealed), context.encode()).decode()

    def __repr__(self) -> str:  # never show key material
        return "AesGcmTokenCipher(<key hidden>)"
