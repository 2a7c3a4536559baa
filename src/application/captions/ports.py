"""The CaptionGenerator port: any model that writes captions from a brief and a brand voice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class CaptionBrief:
    """The user's brief is content, never instructions: adapters delimit it in the prompt."""

    topic: str
    key_message: str = ""
    link: str | None = None
    call_to_action: str = ""
    language: str = "en"


@dataclass(frozen=True)
class CaptionRequest:
    brief: CaptionBrief
    platforms: list[str]
    brand_voice: dict = field(default_factory=dict)
    alternatives: int = 1
    tone: str | None = None
    length: str | None = None
    emoji: bool = True
    hashtags: bool = True
    examples: list[str] = field(default_factory=list)  # best-performing posts of the workspace


@dataclass(frozen=True)
class GeneratedCaption:
    platform: str
    text: str


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int


class CaptionGenerator(Protocol):
    async def generate(self, request: CaptionRequest) -> tuple[list[GeneratedCaption], Usage]: ...

    def stream(self, request: CaptionRequest) -> AsyncIterator[str]: ...
