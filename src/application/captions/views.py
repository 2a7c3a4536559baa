"""What caption generation hands back: checked variants per platform, and the events of a stream."""

from __future__ import annotations

from dataclasses import dataclass

from application.captions.ports import Usage


@dataclass(frozen=True)
class CaptionVariant:
    """A caption that passes its platform's rules.

    ``source`` says who wrote the final text: ``model`` as answered, ``repaired`` by the
    model after being told what was wrong, or ``fallback`` when PostWizard cut or cleaned
    it itself; ``changes`` lists, in words, what a repair or fallback changed.
    """

    platform: str
    text: str
    length: int
    limit: int
    source: str
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlatformCaptions:
    platform: str
    variants: list[CaptionVariant]


@dataclass(frozen=True)
class CaptionSet:
    model: str
    platforms: list[PlatformCaptions]
    usage: Usage


@dataclass(frozen=True)
class TextArrived:
    """Streamed model text for one platform, before it is checked."""

    platform: str
    text: str


@dataclass(frozen=True)
class PlatformReady:
    captions: PlatformCaptions


@dataclass(frozen=True)
class Finished:
    result: CaptionSet


CaptionEvent = TextArrived | PlatformReady | Finished
