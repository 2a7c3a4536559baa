"""AES-GCM secrets at rest: round trip, tamper and context binding, key file created 0600 once."""

import base64
import os

import pytest
from cryptography.exceptions import InvalidTag

from adapters.shared.token_cipher import AesGcmTokenCipher, load_or_create_key


def test_round_trip_and_fresh_nonce_each_time(tmp_path):
    cipher = AesGcmTokenCipher(load_or_create_key(None, tmp_path / "k"))
    a = cipher.encrypt("access-token-123", context="channel:1")
    b = cipher.encrypt("access-token-123", context="channel:1")
    assert a != b and "access-token-123" not in a
    assert cipher.decrypt(a, context="channel:1") == "access-token-123"


def test_ciphertext_bound_to_its_row_and_tamper_evident(tmp_path):
    cipher = AesGcmTokenCipher(load_or_create_key(None, tmp_path / "k"))
    sealed = cipher.encrypt("secret", context="channel:1")
    with pytest.raises(InvalidTag):
        cipher.decrypt(sealed, context="channel:2")
    version, nonce, body = sealed.split(".")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(InvalidTag):
        cipher.decrypt(".".join([version, nonce, flipped]), context="channel:1")


def test_key_file_is_created_once_with_owner_only_permissions(tmp_path):
    path = tmp_path / "sub" / "secret.key"
    key = load_or_create_key(None, path)
    assert len(key) == 32 and path.stat().st_mode & 0o777 == 0o600
    assert load_or_create_key(None, path) == key  # reused on the next start
    other = AesGcmTokenCipher(load_or_create_key(None, tmp_path / "other.key"))
    with pytest.raises(InvalidTag):
        other.decrypt(AesGcmTokenCipher(key).encrypt("x", context="c"), context="c")


def test_key_from_settings_must_be_32_bytes(tmp_path):
    good = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    assert len(load_or_create_key(good, tmp_path / "unused")) == 32
    assert not (tmp_path / "unused").exists()
    with pytest.raises(ValueError, match="32 bytes"):
        load_or_create_key(base64.urlsafe_b64encode(b"short").decode(), tmp_path / "unused")


def test_repr_never_shows_the_key(tmp_path):
    assert "hidden" in repr(AesGcmTokenCipher(load_or_create_key(None, tmp_path / "k")))
