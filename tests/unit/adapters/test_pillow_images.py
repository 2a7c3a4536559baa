"""The Pillow adapter: what it refuses at upload, and what it produces when fitting (real encoders, no I/O)."""

from __future__ import annotations

import io
import os
import struct
import warnings
import zlib

import pytest
from PIL import Image

from adapters.publishing.pillow_images import fit_image, inspect_image
from domain.shared.errors import InvalidValue
from domain.shared.platforms.images import ImageLimits, image_limits


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A PNG declaring width x height pixels in about a kilobyte (zeros compress 1000:1)."""
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(b"\0" * 1024 * 1024, 9)) + _chunk(b"IEND", b""))


def encoded(image: Image.Image, image_format: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, image_format, **options)
    return out.getvalue()


def noise(width: int, height: int, mode: str = "RGB") -> Image.Image:
    return Image.frombytes(mode, (width, height), os.urandom(width * height * len(mode)))


def refused(data: bytes) -> str:
    with pytest.raises(InvalidValue) as caught:
        inspect_image(io.BytesIO(data))
    assert caught.value.field == "file"
    return caught.value.message


def test_complete_images_of_the_four_formats_are_read_with_their_size():
    picture = Image.new("RGB", (120, 80), (20, 120, 220))
    for image_format in ("PNG", "JPEG", "GIF", "WEBP"):
        facts = inspect_image(io.BytesIO(encoded(picture, image_format)))
        assert (facts.format, facts.width, facts.height, facts.animated) == (image_format, 120, 80, False)
    frames = [Image.new("RGB", (10, 10), color) for color in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    assert inspect_image(io.BytesIO(out.getvalue())).animated


def test_a_decompression_bomb_is_refused_before_decoding():
    with warnings.catch_warnings():  # Pillow's guard ignored: the domain's check on the declared size refuses it
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        assert "7000x7000 pixels" in refused(png_bomb(7000, 7000))
        assert "megapixels" in refused(png_bomb())  # 2.5 gigapixels: Pillow refuses it outright
    with warnings.catch_warnings():  # as the adapter sets it: Pillow's warning (over 40 MP) is an error
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        assert "declares more than 40 megapixels" in refused(png_bomb(7000, 7000))


def test_magic_bytes_followed_by_anything_else_are_refused():
    assert "not a PNG, JPEG, GIF or WebP" in refused(b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>")
    assert "not a PNG, JPEG, GIF or WebP" in refused(b"GIF89a" + b"<svg/>" * 10)
    assert "not a PNG, JPEG, GIF or WebP" in refused(encoded(Image.new("RGB", (8, 8)), "BMP"))


def test_a_truncated_or_corrupted_image_is_refused():
    png = encoded(noise(64, 64), "PNG")
    jpeg = encoded(noise(64, 64), "JPEG")
    for broken in (png[: len(png) // 2], jpeg[: len(jpeg) // 2], png[:60] + b"\0" * 200 + png[260:]):
        assert "damaged or incomplete" in refused(broken)


def test_the_size_is_as_shown_when_exif_rotates_the_photo():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees when shown
    photo = encoded(Image.new("RGB", (300, 200), (200, 50, 50)), "JPEG", exif=exif)
    facts = inspect_image(io.BytesIO(photo))
    assert (facts.width, facts.height) == (200, 300)
    data, encoding = fit_image(photo, facts, ImageLimits(max_bytes=10_000_000, max_side=150))
    assert Image.open(io.BytesIO(data)).size == (encoding.width, encoding.height) == (100, 150)


def test_a_noisy_png_over_blueskys_limit_is_fitted_under_it():
    data = encoded(noise(700, 700), "PNG")
    assert len(data) > 1_400_000
    facts = inspect_image(io.BytesIO(data))
    fitted, encoding = fit_image(data, facts, image_limits("bluesky"))
    assert len(fitted) <= 1_000_000 and encoding.format == "JPEG"
    with Image.open(io.BytesIO(fitted)) as image:
        assert (image.format, image.size) == ("JPEG", (encoding.width, encoding.height))


def test_a_transparent_png_goes_onto_white_when_it_must_become_jpeg():
    picture = noise(600, 600, "RGBA")
    picture.putalpha(0)  # fully transparent
    data = encoded(picture, "PNG")
    fitted, encoding = fit_image(data, inspect_image(io.BytesIO(data)), ImageLimits(max_bytes=200_000))
    assert encoding.format == "JPEG"
    assert Image.open(io.BytesIO(fitted)).convert("RGB").getpixel((300, 300)) == pytest.approx((255, 255, 255), abs=3)


def test_a_graphic_png_scaled_to_fit_stays_png():
    graphic = Image.new("RGB", (4000, 3000), (255, 255, 255))
    graphic.paste((0, 0, 0), (100, 100, 3900, 200))
    data = encoded(graphic, "PNG")
    fitted, encoding = fit_image(data, inspect_image(io.BytesIO(data)), image_limits("bluesky"))
    assert (encoding.format, encoding.width, encoding.height) == ("PNG", 2000, 1500)
    assert Image.open(io.BytesIO(fitted)).format == "PNG"


def test_an_image_that_cannot_fit_is_not_mangled():
    data = encoded(noise(400, 400), "PNG")
    assert fit_image(data, inspect_image(io.BytesIO(data)), ImageLimits(max_bytes=2_000)) is None
