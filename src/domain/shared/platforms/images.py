"""The images each platform accepts, and the one rule for fitting an image to them.

Limits (platforms.md; tags as there):
- Bluesky: at most 1,000,000 bytes per image [v: BDOC lexicon embed/images.json]; its own app
  scales images to at most 2000 px a side before uploading [3p: bluesky-social/social-app
  POST_IMG_MAX; the lexicon said 2000x2000 in 2023], so we do the same.
- X: images up to 5 MB [v: XDOC media introduction]; read as 5,000,000 bytes, the stricter of
  the two meanings of "MB", so an image never lands between them.
- Mastodon: whatever the instance reports in `configuration.media_attachments`
  (`image_size_limit`, `image_matrix_limit` in pixels), stored with the channel; by default
  16 MB [v: MDOC user/posting.md] and 33,177,600 pixels (7680x4320, Mastodon's default matrix limit).
Other platforms have no publishing adapter yet, so no limits here.

Fitting (`next_encoding`): the original is sent as it is when it fits. Otherwise the image is
first brought within the dimension limits (never enlarged, aspect ratio kept); a PNG whose
pixel count shrinks enough is tried as PNG first (screenshots and graphics stay sharp), then
JPEG at falling quality, then smaller sizes chosen from how far the last try missed, until it
fits or it would be smaller than MIN_SIDE (then it cannot fit: the platform would show a smudge).
Animated images are never re-encoded (a still JPEG would silently drop the animation). The rule
is pure: an adapter does the encoding and reports each result back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from domain.shared.platforms.rules import Platform, parse_platform

BLUESKY_MAX_BYTES = 1_000_000
BLUESKY_MAX_SIDE = 2000
X_MAX_BYTES = 5_000_000
MASTODON_DEFAULT_BYTES = 16 * 1024 * 1024
MASTODON_DEFAULT_PIXELS = 33_177_600
# Alt text: X takes at most 1,000 characters [v: XDOC media metadata]; Mastodon 1,500
# [v: mastodon MediaAttachment::MAX_DESCRIPTION_LENGTH]; Bluesky documents no limit.
ALT_LIMITS: dict[Platform, int] = {Platform.X: 1000, Platform.MASTODON: 1500}

JPEG_QUALITIES = (85, 70)   # tried in turn at each size before going smaller
MIN_SIDE = 320              # a longest side below this is no longer worth publishing
MAX_TRIES = 12              # a safety net: the ladder normally ends in 2 to 5 encodings
_AIM = 0.9                  # aim a little under the limit, as encoded sizes vary


@dataclass(frozen=True)
class ImageLimits:
    """What one platform (or one Mastodon instance) accepts for an image."""

    max_bytes: int
    max_side: int | None = None     # longest edge in pixels
    max_pixels: int | None = None   # width x height


@dataclass(frozen=True)
class ImageFacts:
    """An image as stored: its format (Pillow's name: PNG, JPEG, GIF, WEBP), size and whether it moves."""

    format: str
    width: int
    height: int
    byte_size: int
    animated: bool = False


@dataclass(frozen=True)
class Encoding:
    """One way to encode an image: format (PNG or JPEG), dimensions and JPEG quality."""

    format: str
    width: int
    height: int
    quality: int | None = None


@dataclass(frozen=True)
class Encoded:
    """An encoding that was tried, and how many bytes it came to."""

    encoding: Encoding
    byte_size: int


def image_limits(platform: Platform | str, *, max_bytes: int | None = None,
                 max_pixels: int | None = None) -> ImageLimits | None:
    """The image limits of `platform`; `max_bytes`/`max_pixels` are what the platform reported for
    this channel (a Mastodon instance) and replace the defaults. None: no known limits."""
    platform = parse_platform(platform)
    if platform is Platform.BLUESKY:
        return ImageLimits(max_bytes=BLUESKY_MAX_BYTES, max_side=BLUESKY_MAX_SIDE)
    if platform is Platform.X:
        return ImageLimits(max_bytes=X_MAX_BYTES)
    if platform is Platform.MASTODON:
        return ImageLimits(max_bytes=max_bytes or MASTODON_DEFAULT_BYTES, max_pixels=max_pixels or MASTODON_DEFAULT_PIXELS)
    return None


def max_alt_length(platform: Platform | str) -> int | None:
    """The most characters of alt text the platform keeps; None: no documented limit."""
    return ALT_LIMITS.get(parse_platform(platform))


def within_dimensions(width: int, height: int, limits: ImageLimits) -> bool:
    if limits.max_side is not None and max(width, height) > limits.max_side:
        return False
    return limits.max_pixels is None or width * height <= limits.max_pixels


def fits(facts: ImageFacts, limits: ImageLimits) -> bool:
    """Whether the image can be sent as it is."""
    return facts.byte_size <= limits.max_bytes and within_dimensions(facts.width, facts.height, limits)


def bounded_size(width: int, height: int, limits: ImageLimits) -> tuple[int, int]:
    """The largest size with the same aspect ratio within the dimension limits (never larger than given)."""
    scale = 1.0
    if limits.max_side is not None:
        scale = min(scale, limits.max_side / max(width, height))
    if limits.max_pixels is not None:
        scale = min(scale, math.sqrt(limits.max_pixels / (width * height)))
    return _scaled(width, height, scale, limits)


def _scaled(width: int, height: int, scale: float, limits: ImageLimits) -> tuple[int, int]:
    if scale >= 1:
        return width, height
    w, h = max(1, math.floor(width * scale)), max(1, math.floor(height * scale))
    while not within_dimensions(w, h, limits):  # rounding may leave it one pixel over
        w, h = max(1, w - 1), max(1, math.floor((w - 1) * height / width))
    return w, h


def next_encoding(facts: ImageFacts, limits: ImageLimits, tried: Sequence[Encoded] = ()) -> Encoding | None:
    """The next encoding to try, given those `tried` so far (all too large); None when the image
    fits as it is (nothing to try) or cannot be made to fit (see the module's rule)."""
    if not tried:
        if fits(facts, limits) or facts.animated:
            return None
        width, height = bounded_size(facts.width, facts.height, limits)
        shrink = (width * height) / (facts.width * facts.height)
        if facts.format == "PNG" and facts.byte_size * shrink <= limits.max_bytes * _AIM:
            return Encoding("PNG", width, height)
        return Encoding("JPEG", width, height, JPEG_QUALITIES[0])
    if len(tried) >= MAX_TRIES:
        return None
    last = tried[-1]
    encoding = last.encoding
    if encoding.format == "PNG":
        return Encoding("JPEG", encoding.width, encoding.height, JPEG_QUALITIES[0])
    lower = [q for q in JPEG_QUALITIES if encoding.quality is not None and q < encoding.quality]
    if lower:
        return Encoding("JPEG", encoding.width, encoding.height, lower[0])
    # Smaller: encoded size follows the pixel count, so scale by the square root of how far it missed.
    scale = min(0.85, math.sqrt(limits.max_bytes * _AIM / max(last.byte_size, 1)))
    width, height = _scaled(encoding.width, encoding.height, scale, limits)
    if max(width, height) < MIN_SIDE:
        return None
    return Encoding("JPEG", width, height, JPEG_QUALITIES[0])
