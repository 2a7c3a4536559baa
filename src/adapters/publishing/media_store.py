"""Uploaded images on disk under the data dir, one folder per workspace, named by content hash
(so the same image uploaded twice is stored once). The type is read from the bytes, never trusted
from the upload."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from uuid import UUID

import anyio

from application.publishing.ports import MediaItem
from domain.shared.errors import InvalidValue

MAX_BYTES = 16 * 1024 * 1024
_SIGNATURES = [(b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
               (b"GIF89a", "image/gif")]


def sniff_image(data: bytes) -> str | None:
    for signature, mime in _SIGNATURES:
        if data.startswith(signature):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


class FileMediaStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    async def put(self, workspace_id: UUID, data: bytes, alt: str = "") -> tuple[str, str]:
        if not data:
            raise InvalidValue("file", "is empty")
        if len(data) > MAX_BYTES:
            raise InvalidValue("file", f"is {len(data) // 1024} KB; images may be at most {MAX_BYTES // 1024 // 1024} MB")
        mime = sniff_image(data)
        if mime is None:
            raise InvalidValue("file", "is not a PNG, JPEG, GIF or WebP image")
        ref = "media:" + hashlib.sha256(data).hexdigest()
        folder = self.root / str(workspace_id)

        def write() -> None:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / ref[6:]).write_bytes(data)
            (folder / f"{ref[6:]}.json").write_text(json.dumps({"mime_type": mime, "alt": alt}))

        await anyio.to_thread.run_sync(write)
        return ref, mime

    async def get(self, workspace_id: UUID, ref: str) -> MediaItem | None:
        if not ref.startswith("media:") or not ref[6:].isalnum():
            return None
        path = self.root / str(workspace_id) / ref[6:]

        def read() -> MediaItem | None:
            if not path.exists():
                return None
            meta = json.loads(path.with_suffix(".json").read_text())
            return MediaItem(data=path.read_bytes(), mime_type=meta["mime_type"], alt=meta.get("alt", ""))

        return await anyio.to_thread.run_sync(read)
