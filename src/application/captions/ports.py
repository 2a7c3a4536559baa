"""Ports of the captions context: the model that writes, the usage ledger, the workspace's examples."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True)
class CaptionBrief:
    """The user's brief is content, never instructions: adapters delimit it in the prompt."""

    topic: str
    key_message: str = ""
    link: str | None = None
    call_to_action: str = ""


@dataclass(frozen=True)
class Controls:
    tone: str | None = None          # overrides the brand voice's tone for this request
    length: str = "medium"           # short | medium | long
    emoji: bool = True
    hashtags: bool = True


@dataclass(frozen=True)
class CaptionTask:
    """One platform's share of a request: ``alternatives`` captions that must fit ``limit``."""

    platform: str
    platform_name: str
    limit: int
    counting: str                    # how the platform counts, in words the model can follow
    brief: CaptionBrief
    language: str
    controls: Controls
    alternatives: int
    link: str | None = None          # the brief's link with the campaign's UTM parameters
    tone: str = ""
    audience: str = ""
    keywords: tuple[str, ...] = ()
    banned_words: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()   # the campaign's default hashtags
    examples: tuple[str, ...] = ()   # best-performing published posts, offered as style examples


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(self.prompt_tokens + other.prompt_tokens, self.completion_tokens + other.completion_tokens)


@dataclass(frozen=True)
class Drafts:
    """What the model answered: its captions as written (unchecked) and what they cost."""

    texts: tuple[str, ...]
    usage: Usage = field(default_factory=Usage)


@dataclass(frozen=True)
class Delta:
    """A piece of text as the model streams it."""

    text: str


class CaptionModelError(Exception):
    """The model could not answer. ``kind`` says why; ``fix`` says what the user can do.

    Kinds: not_configured, auth, not_found, rate_limited, timeout, unavailable, refused.
    """

    def __init__(self, kind: str, message: str, fix: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.fix = fix
        self.retry_after = retry_after


class CaptionGenerator(Protocol):
    """Any model that writes captions. Answers are checked by the handler, never trusted."""

    @property
    def model_name(self) -> str: ...

    async def write(self, task: CaptionTask) -> Drafts:
        """``task.alternatives`` captions in one answer (structured output where the endpoint has it)."""

    def stream(self, task: CaptionTask) -> AsyncIterator[Delta | Drafts]:
        """The same, as text while it is written; the last item is the parsed Drafts."""

    async def repair(self, task: CaptionTask, text: str, problems: list[str]) -> Drafts:
        """One caption rewritten so it no longer has the named problems."""


@dataclass(frozen=True)
class UsageSummary:
    requests_today: int
    tokens_today: int
    requests_this_month: int
    prompt_tokens_this_month: int
    completion_tokens_this_month: int
    limit_per_hour: int
    used_this_hour: int


class GenerationRateLimited(Exception):
    """The workspace (scope "workspace") or the user across all their workspaces (scope "user")
    used its generations for this hour."""

    def __init__(self, limit: int, retry_after: float, scope: str = "workspace") -> None:
        who = "you generated captions" if scope == "user" else "this workspace generated captions"
        where = " (in all your workspaces)" if scope == "user" else ""
        super().__init__(f"{who} {limit} times in the last hour{where}, the limit; "
                         f"try again in {max(1, round(retry_after))} s")
        self.limit = limit
        self.retry_after = retry_after
        self.scope = scope


class UsageLedger(Protocol):
    """Record of caption generations: the hourly limits (per workspace, per user) and token accounting."""

    async def begin(self, workspace_id: UUID, at: datetime, limit_per_hour: int, *,
                    user_id: UUID | None = None, user_limit_per_hour: int | None = None) -> UUID:
        """Reserve one generation for the workspace (and the user, when given), or raise
        GenerationRateLimited. Concurrent callers are serialised."""

    async def finish(self, generation_id: UUID, at: datetime, model: str, usage: Usage, outcome: str) -> None: ...

    async def summary(self, workspace_id: UUID, at: datetime, limit_per_hour: int) -> UsageSummary: ...


class ExampleSource(Protocol):
    """The workspace's best-performing published posts, by engagement, for the model to learn from."""

    async def best_posts(self, workspace_id: UUID, campaign_id: UUID | None, platform: str, limit: int) -> list[str]: ...


class CampaignVoice(Protocol):
    """What captions take from a campaign: its name (the UTM campaign), brand voice and UTM defaults."""

    @property
    def name(self) -> str: ...
    @property
    def brand_voice(self) -> dict: ...
    @property
    def utm_defaults(self) -> dict: ...


class CampaignVoices(Protocol):
    """The workspace's campaigns, read only (the campaigns context's read model serves it)."""

    async def get(self, workspace_id: UUID, campaign_id: UUID) -> CampaignVoice | None: ...
