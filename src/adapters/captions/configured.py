"""The caption model PostWizard uses: the configured OpenAI-compatible endpoint, else the embedded one."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.captions import embedded_model
from adapters.captions.embedded_model import MODEL_NAME, NOT_INSTALLED_FIX, EmbeddedModel
from adapters.captions.openai_generator import Endpoint, OpenAICaptionGenerator


@dataclass(frozen=True)
class ModelStatus:
    """What the settings page shows: which model writes captions and whether it can."""

    model: str
    kind: str          # endpoint | embedded
    ready: bool
    base_url: str | None = None
    fix: str | None = None


def build_caption_generator(*, base_url: str | None, api_key: str | None, model: str, api_version: str | None,
                            structured: bool | None, timeout: float, max_retries: int,
                            threads: int) -> OpenAICaptionGenerator:
    if base_url:
        endpoint = Endpoint(base_url=base_url.rstrip("/"), api_key=api_key or "none", model=model,
                            api_version=api_version, structured=structured)

        async def configured() -> Endpoint:
            return endpoint

        return OpenAICaptionGenerator(configured, model, timeout=timeout, max_retries=max_retries)
    local = EmbeddedModel(threads=threads)
    # llama.cpp's server drops idle keep-alive connections; one retry covers reusing a dropped one.
    return OpenAICaptionGenerator(local.endpoint, MODEL_NAME, timeout=timeout, max_retries=max(1, max_retries))


def model_status(*, base_url: str | None, model: str) -> ModelStatus:
    if base_url:
        return ModelStatus(model=model, kind="endpoint", ready=True, base_url=base_url)
    if embedded_model.available():
        return ModelStatus(model=MODEL_NAME, kind="embedded", ready=True)
    return ModelStatus(model=MODEL_NAME, kind="embedded", ready=False, fix=NOT_INSTALLED_FIX)
