"""Caption commands and queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from application.captions.ports import CaptionBrief, Controls
from application.shared.actor import Actor


@dataclass(frozen=True)
class GenerateCaptions:
    """A brief in, ``alternatives`` checked captions per platform out."""

    actor: Actor
    brief: CaptionBrief
    platforms: list[str]
    campaign_id: UUID | None = None
    language: str = "en"
    controls: Controls = field(default_factory=Controls)
    alternatives: int = 1
    media_count: int = 0


@dataclass(frozen=True)
class GetCaptionUsage:
    actor: Actor
