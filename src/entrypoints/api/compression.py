"""Gzip of responses with ISA-L (the `isal` package), Starlette's middleware otherwise unchanged.

Starlette's GZipMiddleware decides what to compress (large enough, not already encoded, not
images, archives or event streams, not a partial response) and keeps streams flushing as they are
written; only the compressor is swapped. zlib at level 6 spent about 2 ms on a calendar week
(126 KB of JSON), more than the rest of the request; ISA-L writes the same gzip format, a few
percent smaller here, in about a tenth of the time.
"""

from __future__ import annotations

from typing import Any

from isal import isal_zlib
from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware, GZipResponder
from starlette.types import Receive, Scope, Send

LEVEL = isal_zlib.ISAL_DEFAULT_COMPRESSION  # ISA-L's levels are 0-3


class _IsalResponder(GZipResponder):
    @property
    def compressor(self) -> Any:
        if self._compressor is None:  # the same interface as zlib's compressor (compress, flush(mode))
            self._compressor = isal_zlib.compressobj(  # type: ignore[assignment]
                self.compresslevel, isal_zlib.DEFLATED, 16 + isal_zlib.MAX_WBITS)
        return self._compressor


class IsalGZip(GZipMiddleware):
    """`GZipMiddleware(app, minimum_size=...)` compressing with ISA-L at `LEVEL`."""

    def __init__(self, app: Any, minimum_size: int = 500) -> None:
        super().__init__(app, minimum_size=minimum_size, compresslevel=LEVEL)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "gzip" in Headers(scope=scope).get("Accept-Encoding", ""):
            responder = _IsalResponder(self.app, self.minimum_size, compresslevel=self.compresslevel,
                                       thread_minimum_size=self.thread_minimum_size,
                                       exclude_content_types=self.exclude_content_types)
            await responder(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
