"""Cache rules for the built UI.

SvelteKit names every file under `_app/immutable/` by a hash of its content, so a name never
points at different bytes: browsers may keep those files for a year without asking again.
Everything else (index.html, which names the current hashes, `_app/version.json`, the favicon)
must be revalidated on each use, so a new release is picked up on the next page load.
"""

from __future__ import annotations

import os

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


class UiAssets(StaticFiles):
    """The `/_app` mount: content-hashed files are immutable, the rest is revalidated."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = IMMUTABLE if path.startswith("immutable" + os.sep) else REVALIDATE
        return response
