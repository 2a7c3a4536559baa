"""What an uploaded image must be before a post may use it.

Rules:
- a PNG, JPEG, GIF or WebP that decodes completely (the type is read from the bytes, never
  trusted from the upload);
- at most MAX_PIXELS pixels (40 megapixels, above any phone camera; a larger declared size is a
  decompression bomb: a few KB that would decode to gigabytes);
- not empty, and at most the configured upload size (16 MB by default, Mastodon's own limit);
- a post refers to an image by `media:<sha256 of its bytes>`, and only to images of its own workspace.
"""

from __future__ import annotations

from domain.shared.errors import InvalidValue

MAX_PIXELS = 40_000_000
MIME_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
REF_PREFIX = "media:"


def check_upload_size(byte_size: int, max_bytes: int) -> None:
    if byte_size <= 0:
        raise InvalidValue("file", "is empty; choose an image file")
    if byte_size > max_bytes:
        raise InvalidValue("file", f"is {_megabytes(byte_size)}; images may be at most {_megabytes(max_bytes)}: "
                                   "export it smaller or as JPEG")


def check_pixels(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise InvalidValue("file", "has no pixels; choose another image")
    if width * height > MAX_PIXELS:
        raise InvalidValue("file", f"is {width}x{height} pixels; images may have at most "
                                   f"{MAX_PIXELS // 1_000_000} megapixels: scale it down and upload it again")


def mime_type(image_format: str) -> str:
    """The MIME type of an accepted format (Pillow's format names); InvalidValue for any other."""
    try:
        return MIME_TYPES[image_format]
    except KeyError:
        raise InvalidValue("file", f"is a {image_format} image; upload a PNG, JPEG, GIF or WebP") from None


def media_ref(sha256_hex: str) -> str:
    return REF_PREFIX + sha256_hex


def is_media_ref(ref: str) -> bool:
    digest = ref[len(REF_PREFIX):]
    return ref.startswith(REF_PREFIX) and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)


def _megabytes(byte_size: int) -> str:
    return f"{byte_size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
