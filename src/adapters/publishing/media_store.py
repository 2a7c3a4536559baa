"""The bytes of uploaded images on disk under the data dir, one folder per workspace, each file named
by its SHA-256 (the same image uploaded twice is stored once). Files are copied in chunks from the
upload's temporary file, written under a temporary name and renamed into place, so a reader never
sees half a file; a stored file is never changed. What an image is (type, size, alt text) is kept
in the `media` table, not here."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO
from uuid import UUID

import anyio

from domain.publishing.media import REF_PREFIX, is_media_ref, media_ref

CHUNK = 1024 * 1024


class FileMediaStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    async def put(self, workspace_id: UUID, source: BinaryIO) -> str:
        folder = self.root / str(workspace_id)

        def write() -> str:
            folder.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            source.seek(0)
            fd, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                os.replace(temporary, folder / digest.hexdigest())
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            return media_ref(digest.hexdigest())

        return await anyio.to_thread.run_sync(write)

    async def get(self, workspace_id: UUID, ref: str) -> bytes | None:
        if not is_media_ref(ref):
            return None
        path = self.root / str(workspace_id) / ref[len(REF_PREFIX):]

        def read() -> bytes | None:
            try:
                return path.read_bytes()
            except FileNotFoundError:
                return None

        return await anyio.to_thread.run_sync(read)
