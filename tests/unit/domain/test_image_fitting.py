"""The image fitting rule (domain.shared.platforms.images): which limits apply, and which encodings
are tried in which order until an image fits."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.shared.platforms.images import (
    BLUESKY_MAX_BYTES,
    JPEG_QUALITIES,
    MASTODON_DEFAULT_BYTES,
    MASTODON_DEFAULT_PIXELS,
    MAX_TRIES,
    MIN_SIDE,
    X_MAX_BYTES,
    Encoded,
    Encoding,
    ImageFacts,
    ImageLimits,
    bounded_size,
    fits,
    image_limits,
    next_encoding,
    within_dimensions,
)

BLUESKY = image_limits("bluesky")


def test_each_platform_has_its_limits_and_mastodon_takes_what_the_instance_reports():
    assert BLUESKY == ImageLimits(max_bytes=1_000_000, max_side=2000)
    assert image_limits("x") == ImageLimits(max_bytes=5_000_000)
    assert image_limits("mastodon") == ImageLimits(max_bytes=MASTODON_DEFAULT_BYTES, max_pixels=MASTODON_DEFAULT_PIXELS)
    assert image_limits("mastodon", max_bytes=8_000_000, max_pixels=4_000_000) == ImageLimits(8_000_000, max_pixels=4_000_000)
    assert image_limits("x", max_bytes=1) == ImageLimits(max_bytes=X_MAX_BYTES)  # only Mastodon reports its own
    assert image_limits("linkedin") is None
    with pytest.raises(ValueError):
        image_limits("myspace")


def test_an_image_that_fits_is_sent_as_it_is():
    facts = ImageFacts("PNG", 1200, 800, BLUESKY_MAX_BYTES)
    assert fits(facts, BLUESKY)
    assert next_encoding(facts, BLUESKY) is None


def test_too_many_bytes_is_re_encoded_as_jpeg_at_falling_quality_then_scaled_by_how_far_it_missed():
    facts = ImageFacts("JPEG", 1600, 1200, 3_000_000)
    first = next_encoding(facts, BLUESKY)
    assert first == Encoding("JPEG", 1600, 1200, JPEG_QUALITIES[0])
    second = next_encoding(facts, BLUESKY, [Encoded(first, 1_400_000)])
    assert second == Encoding("JPEG", 1600, 1200, JPEG_QUALITIES[1])
    third = next_encoding(facts, BLUESKY, [Encoded(first, 1_400_000), Encoded(second, 1_200_000)])
    assert third == Encoding("JPEG", 1360, 1020, JPEG_QUALITIES[0])  # at least 15% smaller each step
    far = next_encoding(facts, BLUESKY, [Encoded(first, 1_400_000), Encoded(second, 4_000_000)])
    scale = math.sqrt(BLUESKY_MAX_BYTES * 0.9 / 4_000_000)  # the size follows the pixel count: aim just under
    assert (far.width, far.height) == (math.floor(1600 * scale), math.floor(1200 * scale))


def test_a_png_that_shrinks_enough_stays_png_first_then_becomes_jpeg():
    facts = ImageFacts("PNG", 4000, 3000, 2_000_000)  # over 2000 px: scaled to a quarter of the pixels
    first = next_encoding(facts, BLUESKY)
    assert first == Encoding("PNG", 2000, 1500)
    assert next_encoding(facts, BLUESKY, [Encoded(first, 1_100_000)]) == Encoding("JPEG", 2000, 1500, JPEG_QUALITIES[0])
    noisy = ImageFacts("PNG", 700, 700, 1_470_000)  # no smaller in pixels: PNG cannot get there
    assert next_encoding(noisy, BLUESKY) == Encoding("JPEG", 700, 700, JPEG_QUALITIES[0])


def test_dimensions_are_fitted_even_when_the_bytes_fit():
    facts = ImageFacts("JPEG", 8000, 5000, 4_000_000)
    mastodon = image_limits("mastodon", max_pixels=8_294_400)  # a 4K-limited instance
    encoding = next_encoding(facts, mastodon)
    assert encoding.width * encoding.height <= 8_294_400 and encoding.width / encoding.height == pytest.approx(1.6, rel=0.01)
    assert next_encoding(ImageFacts("JPEG", 3000, 1000, 500_000), BLUESKY).width == 2000


def test_an_animated_image_is_never_re_encoded():
    assert next_encoding(ImageFacts("GIF", 400, 400, 2_000_000, animated=True), BLUESKY) is None


def test_the_ladder_gives_up_below_the_smallest_useful_size_and_after_max_tries():
    facts = ImageFacts("JPEG", 400, 400, 5_000_000)
    tiny = Encoding("JPEG", 400, 400, JPEG_QUALITIES[-1])
    assert next_encoding(facts, BLUESKY, [Encoded(tiny, 50_000_000)]) is None  # would need < MIN_SIDE px
    tried = [Encoded(Encoding("JPEG", 2000, 2000, JPEG_QUALITIES[-1]), 1_000_001)] * MAX_TRIES
    assert next_encoding(ImageFacts("JPEG", 2000, 2000, 5_000_000), BLUESKY, tried) is None


@settings(max_examples=300, deadline=None)
@given(width=st.integers(1, 20_000), height=st.integers(1, 20_000), max_side=st.none() | st.integers(1, 8000),
       max_pixels=st.none() | st.integers(1, 50_000_000))
def test_bounded_size_keeps_within_the_limits_and_the_shape_and_never_enlarges(width, height, max_side, max_pixels):
    limits = ImageLimits(max_bytes=1, max_side=max_side, max_pixels=max_pixels)
    w, h = bounded_size(width, height, limits)
    assert 1 <= w <= width and 1 <= h <= height
    if min(w, h) > 1:  # a one-pixel edge cannot shrink further, whatever the limit
        assert within_dimensions(w, h, limits)
    if within_dimensions(width, height, limits):
        assert (w, h) == (width, height)
    elif min(w, h) > 20:
        assert w / h == pytest.approx(width / height, rel=0.1)


@settings(max_examples=200, deadline=None)
@given(width=st.integers(MIN_SIDE, 12_000), height=st.integers(MIN_SIDE, 12_000),
       bits=st.floats(0.5, 24.0), platform=st.sampled_from(["bluesky", "x", "mastodon"]))
def test_the_ladder_reaches_a_fitting_encoding_within_max_tries(width, height, bits, platform):
    """A model encoder (bytes proportional to pixels and falling with quality) stands in for Pillow: up to
    24 bits a pixel (noise) every image fits well before MIN_SIDE, so the ladder must find the encoding."""
    limits = image_limits(platform)
    facts = ImageFacts("PNG", width, height, int(width * height * bits / 8))

    def encoded_size(e: Encoding) -> int:
        quality = 1.0 if e.format == "PNG" else (e.quality or 85) / 100 * 0.4
        return int(e.width * e.height * bits / 8 * quality)

    if fits(facts, limits):
        assert next_encoding(facts, limits) is None
        return
    tried: list[Encoded] = []
    encoding = next_encoding(facts, limits)
    while encoding is not None:
        assert within_dimensions(encoding.width, encoding.height, limits)
        assert encoding.width <= width and encoding.height <= height
        size = encoded_size(encoding)
        if size <= limits.max_bytes:
            break
        tried.append(Encoded(encoding, size))
        encoding = next_encoding(facts, limits, tried)
    assert encoding is not None and len(tried) < MAX_TRIES
    assert max(encoding.width, encoding.height) >= MIN_SIDE
