"""ImageCodec with Pillow: decoding uploads completely and safely, and re-encoding images to fit a platform.

Safety of decoding untrusted files:
- only the PNG, JPEG, GIF and WebP decoders are ever tried (`formats=`), never Pillow's other
  plugins (EPS would start Ghostscript);
- the declared size is checked against the domain's pixel limit before any pixel is decoded, and
  Pillow's own decompression-bomb guard is set to the same limit with its warning turned into an
  error, so a few KB declaring 50000x50000 pixels is refused without allocating gigabytes;
- `verify()` checks the structure (PNG chunk checksums), then a real `load()` decodes every pixel
  of the first frame, so a truncated file or a valid header followed by anything else is refused.
  JPEGs are decoded at a reduced scale (`draft`): every byte is still read, in an eighth of the memory.
Decoding is CPU- and memory-heavy (a 40-megapixel PNG decodes to 160 MB), so it runs in worker
threads, at most `concurrency` at once per process.

Fitting follows `domain.shared.platforms.images.next_encoding`; this module only encodes what the
rule asks for. Re-encoded images carry no metadata (EXIF, GPS): the orientation is applied to the
pixels first. The stored original is never touched.
"""

from __future__ import annotations

import io
import os
import struct
import warnings
import zlib
from typing import BinaryIO

import anyio
from PIL import Image, ImageOps, UnidentifiedImageError

from domain.publishing.media import MAX_PIXELS, MIME_TYPES, check_pixels
from domain.shared.errors import InvalidValue
from domain.shared.platforms.images import Encoded, Encoding, ImageFacts, ImageLimits, next_encoding

Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)

_FORMATS = tuple(MIME_TYPES)
_ORIENTATION = 0x0112
_ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height
NOT_AN_IMAGE = "is not a PNG, JPEG, GIF or WebP image; export it in one of those formats and upload it again"
DAMAGED = "is damaged or incomplete (it does not decode to the end); export it again and upload the new file"
TOO_MANY_PIXELS = f"declares more than {MAX_PIXELS // 1_000_000} megapixels; scale it down and upload it again"


def inspect_image(source: BinaryIO) -> ImageFacts:
    """Synchronous: decode `source` completely, or raise InvalidValue("file") saying what is wrong.
    Width and height are as the image is shown (its EXIF orientation applied)."""
    source.seek(0, os.SEEK_END)
    byte_size = source.tell()
    try:
        source.seek(0)
        with Image.open(source, formats=_FORMATS) as image:
            image_format, (width, height) = image.format, image.size
            if image_format is None:  # Pillow names the format of every file its plugins open
                raise InvalidValue("file", NOT_AN_IMAGE)
            check_pixels(width, height)
            image.verify()
        source.seek(0)
        with Image.open(source, formats=_FORMATS) as image:
            animated = bool(getattr(image, "is_animated", False))
            if image.getexif().get(_ORIENTATION, 1) in _ROTATED:
                width, height = height, width  # as it is shown: the sizes a platform sees
            if image_format == "JPEG":
                image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
            image.load()
    except InvalidValue:
        raise
    except UnidentifiedImageError:
        raise InvalidValue("file", NOT_AN_IMAGE) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidValue("file", TOO_MANY_PIXELS) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError, OverflowError, struct.error, zlib.error):
        # how Pillow's decoders report a malformed file (truncated data, bad checksums, impossible fields)
        raise InvalidValue("file", DAMAGED) from None
    finally:
        source.seek(0)
    return ImageFacts(format=image_format, width=width, height=height, byte_size=byte_size, animated=animated)


def fit_image(data: bytes, facts: ImageFacts, limits: ImageLimits) -> tuple[bytes, Encoding] | None:
    """Synchronous: encode as `next_encoding` asks until the bytes fit; None when the rule gives up."""
    encoding = next_encoding(facts, limits)
    if encoding is None:
        return None
    tried: list[Encoded] = []
    with Image.open(io.BytesIO(data), formats=_FORMATS) as original:
        if original.format == "JPEG":  # decode at the smallest scale still large enough (in stored orientation)
            rotated = original.getexif().get(_ORIENTATION, 1) in _ROTATED
            original.draft("RGB", (encoding.height, encoding.width) if rotated else (encoding.width, encoding.height))
        base = ImageOps.exif_transpose(original)  # sizes below are as shown, like the facts'
        base.load()
    while encoding is not None:
        size = (encoding.width, encoding.height)
        frame = base if base.size == size else base.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        out = io.BytesIO()
        if encoding.format == "PNG":
            _for_png(frame).save(out, "PNG", compress_level=9)
        else:
            _for_jpeg(frame).save(out, "JPEG", quality=encoding.quality, optimize=True)
        if out.tell() <= limits.max_bytes:
            return out.getvalue(), encoding
        tried.append(Encoded(encoding, out.tell()))
        encoding = next_encoding(facts, limits, tried)
    return None


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _for_jpeg(image: Image.Image) -> Image.Image:
    """JPEG has no transparency: transparent pixels go onto white, as most viewers would show them."""
    if _has_alpha(image):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image if image.mode in ("RGB", "L") else image.convert("RGB")


def _for_png(image: Image.Image) -> Image.Image:
    if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA"):
        return image
    return image.convert("RGBA" if _has_alpha(image) else "RGB")


class PillowImages:
    """The ImageCodec port. `concurrency` bounds the decodes running at once (memory, not correctness)."""

    def __init__(self, concurrency: int = 2) -> None:
        self.concurrency = concurrency
        self._limiter: anyio.CapacityLimiter | None = None

    def _threads(self) -> anyio.CapacityLimiter:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.concurrency)
        return self._limiter

    async def inspect(self, source: BinaryIO) -> ImageFacts:
        return await anyio.to_thread.run_sync(inspect_image, source, limiter=self._threads())

    async def fit(self, data: bytes, facts: ImageFacts, limits: ImageLimits) -> tuple[bytes, Encoding] | None:
        return await anyio.to_thread.run_sync(fit_image, data, facts, limits, limiter=self._threads())
