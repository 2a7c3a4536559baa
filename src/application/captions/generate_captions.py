"""Generate captions from a brief: per platform, the alternatives asked for, each passing its rules.

Rules:
- every variant handed back passes its platform's rules (length by that platform's
  counting, hashtags, media) and contains none of the campaign's banned words;
- a variant that fails gets one repair round from the model, told exactly what is wrong;
  if it still fails, a deterministic fallback cuts and cleans it, and says so;
- the brief's link carries the campaign's UTM parameters (``campaign_utm``); a caption that
  left the link out gets it appended;
- each generation counts against the workspace's hourly limit and the requesting user's (across
  all their workspaces, so making more workspaces gives no more generations), and records its
  token usage, whether it succeeds or not.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from urllib.parse import urlsplit
from uuid import UUID

from application.captions.commands import GenerateCaptions
from application.captions.ports import (
    CampaignVoice,
    CampaignVoices,
    CaptionGenerator,
    CaptionModelError,
    CaptionTask,
    Delta,
    Drafts,
    ExampleSource,
    Usage,
    UsageLedger,
)
from application.captions.views import (
    CaptionEvent,
    CaptionSet,
    CaptionVariant,
    Finished,
    PlatformCaptions,
    PlatformReady,
    TextArrived,
)
from application.shared.errors import NotFound
from application.shared.ports import Clock
from domain.campaigns.brand_voice import BrandVoice
from domain.captions import (
    add_utm,
    brief_fallback_text,
    campaign_utm,
    caption_violations,
    fit_caption,
    has_link,
    tag_link,
)
from domain.shared.errors import InvalidValue
from domain.shared.platforms import RuleViolation, count_length, rules_for
from domain.shared.roles import Permission

MAX_ALTERNATIVES = 5
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class CaptionJob:
    """A checked, admitted request: its tasks and the ledger entry it counts against."""

    generation_id: UUID
    tasks: list[CaptionTask]
    media_count: int


class GenerateCaptionsHandler:
    def __init__(self, generator: CaptionGenerator, campaigns: CampaignVoices, ledger: UsageLedger,
                 examples: ExampleSource, clock: Clock, limit_per_hour: int, user_limit_per_hour: int | None = None) -> None:
        self.generator = generator
        self.campaigns = campaigns
        self.ledger = ledger
        self.examples = examples
        self.clock = clock
        self.limit_per_hour = limit_per_hour
        self.user_limit_per_hour = user_limit_per_hour

    async def __call__(self, cmd: GenerateCaptions) -> CaptionSet:
        job = await self.prepare(cmd)
        async for event in self.run(job, stream=False):
            if isinstance(event, Finished):
                return event.result
        raise AssertionError("caption generation ended without a result")

    async def prepare(self, cmd: GenerateCaptions) -> CaptionJob:
        """Check the request and admit it against the hourly limits; nothing is generated yet."""
        cmd.actor.require(Permission.EDIT_CONTENT)
        platforms = _platforms(cmd.platforms, cmd.media_count)
        _check_request(cmd)
        campaign = await self._campaign(cmd)
        voice = BrandVoice.from_dict(campaign.brand_voice) if campaign else BrandVoice()
        tasks = []
        for platform in platforms:
            rules = rules_for(platform)
            link = _tagged_link(cmd.brief.link, campaign, platform)
            if link and caption_violations(platform, link):
                raise InvalidValue("brief.link", f"is {count_length(platform, link)} characters with its UTM "
                                                 f"parameters, too long for {rules.display_name}; use a shorter link")
            examples = await self.examples.best_posts(cmd.actor.workspace_id, cmd.campaign_id, platform, 3)
            tasks.append(CaptionTask(
                platform=platform, platform_name=rules.display_name, limit=rules.max_length,
                counting=rules.counting.value, brief=cmd.brief, language=cmd.language, controls=cmd.controls,
                alternatives=cmd.alternatives, link=link,
                tone=cmd.controls.tone or voice.tone, audience=voice.audience, keywords=voice.keywords,
                banned_words=voice.banned_words,
                hashtags=voice.default_hashtags if cmd.controls.hashtags else (), examples=tuple(examples)))
        generation_id = await self.ledger.begin(cmd.actor.workspace_id, self.clock.now(), self.limit_per_hour,
                                                user_id=cmd.actor.user_id, user_limit_per_hour=self.user_limit_per_hour)
        return CaptionJob(generation_id, tasks, cmd.media_count)

    async def run(self, job: CaptionJob, *, stream: bool) -> AsyncIterator[CaptionEvent]:
        """Generate and check each platform's variants in turn; usage is recorded however it ends."""
        usage, outcome = Usage(), "failed"
        try:
            results = []
            for task in job.tasks:
                drafts: Drafts | None = None
                if stream:
                    async for item in self.generator.stream(task):
                        if isinstance(item, Delta):
                            yield TextArrived(task.platform, item.text)
                        else:
                            drafts = item
                    if drafts is None:  # the port's stream always ends with its Drafts
                        raise AssertionError(f"the caption stream for {task.platform} ended without its drafts")
                else:
                    drafts = await self.generator.write(task)
                usage += drafts.usage
                texts, cost = await self._enough(task, drafts.texts)
                usage += cost
                variants = []
                for text in texts:
                    variant, cost = await self._checked(task, text, job.media_count)
                    usage += cost
                    variants.append(variant)
                results.append(PlatformCaptions(task.platform, variants))
                yield PlatformReady(results[-1])
            outcome = "ok"
            yield Finished(CaptionSet(self.generator.model_name, results, usage))
        finally:
            await self.ledger.finish(job.generation_id, self.clock.now(), self.generator.model_name, usage, outcome)

    async def _campaign(self, cmd: GenerateCaptions) -> CampaignVoice | None:
        if cmd.campaign_id is None:
            return None
        campaign = await self.campaigns.get(cmd.actor.workspace_id, cmd.campaign_id)
        if campaign is None:
            raise NotFound("campaign", cmd.campaign_id)
        return campaign

    async def _enough(self, task: CaptionTask, texts: tuple[str, ...]) -> tuple[list[str], Usage]:
        """The distinct, non-blank captions asked for: one more model round if some are missing,
        then captions written from the brief itself."""
        kept = _distinct(texts)
        cost = Usage()
        if len(kept) < task.alternatives:
            more = await self.generator.write(replace(task, alternatives=task.alternatives - len(kept)))
            cost = more.usage
            kept = _distinct((*kept, *more.texts))
        fallback = brief_fallback_text(task.brief.topic, task.brief.key_message, task.brief.call_to_action)
        fallback = f"{fallback} {task.link}" if task.link else fallback
        while len(kept) < task.alternatives:
            kept.append(fallback if fallback not in kept else f"{fallback} ({len(kept) + 1})")
        return kept[:task.alternatives], cost

    async def _checked(self, task: CaptionTask, text: str, media_count: int) -> tuple[CaptionVariant, Usage]:
        text, added = _with_link(text, task)
        problems = _problems(task, text, media_count)
        if not problems:
            return _variant(task, text, "model", ("added the brief's link",) if added else ()), Usage()
        cost, candidate = Usage(), ""
        try:
            repaired = await self.generator.repair(task, text, [p.message for p in problems])
            cost = repaired.usage
            candidate = _with_link(repaired.texts[0], task)[0] if repaired.texts and repaired.texts[0].strip() else ""
        except CaptionModelError:
            candidate = ""  # the fallback below still hands back a valid caption
        if candidate and not _problems(task, candidate, media_count):
            return _variant(task, candidate, "repaired",
                            tuple(f"the model rewrote it to fix: {p.message}" for p in problems)), cost
        fitted = fit_caption(task.platform, candidate or text, link=task.link, banned_words=task.banned_words,
                             max_length=task.limit, media_count=media_count)
        left = _problems(task, fitted.text, media_count)
        if left:  # fit_caption guarantees this never happens; refuse rather than hand back a broken caption
            raise AssertionError(f"fallback left {[p.rule for p in left]} on {task.platform}")
        return _variant(task, fitted.text, "fallback", fitted.changes), cost


def _platforms(names: list[str], media_count: int) -> list[str]:
    if not names:
        raise InvalidValue("platforms", "name at least one platform")
    platforms = []
    for name in names:
        try:
            rules = rules_for(name)
        except ValueError as exc:
            raise InvalidValue("platforms", str(exc)) from None
        if rules.requires_media and media_count < 1:
            raise InvalidValue("media_count", f"{rules.display_name} posts need at least one image or video; "
                                              f"attach media or leave {rules.display_name} out")
        if rules.platform.value not in platforms:
            platforms.append(rules.platform.value)
    return platforms


def _check_request(cmd: GenerateCaptions) -> None:
    if not cmd.brief.topic.strip():
        raise InvalidValue("brief.topic", "say what the post is about")
    if not 1 <= cmd.alternatives <= MAX_ALTERNATIVES:
        raise InvalidValue("alternatives", f"must be 1 to {MAX_ALTERNATIVES}")
    if cmd.media_count < 0:
        raise InvalidValue("media_count", "must not be negative")
    if cmd.controls.length not in ("short", "medium", "long"):
        raise InvalidValue("length", "must be short, medium or long")
    if not _LANGUAGE.match(cmd.language or ""):
        raise InvalidValue("language", "must be a language tag such as en, fr or pt-BR")
    if cmd.brief.link is not None:
        parts = urlsplit(cmd.brief.link)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in cmd.brief.link:
            raise InvalidValue("brief.link", "must be an http(s) address such as https://example.com/page")


def _tagged_link(link: str | None, campaign: CampaignVoice | None, platform: str) -> str | None:
    if link is None or campaign is None:
        return link
    return add_utm(link, campaign_utm(platform, campaign.name, campaign.utm_defaults))


def _with_link(text: str, task: CaptionTask) -> tuple[str, bool]:
    """The brief's link goes out with the campaign's UTM parameters: the model's plain copy is
    tagged, and a caption without the link gets it appended. Says whether it was appended."""
    text = text.strip()
    if not task.link or has_link(text, task.link):
        return text, False
    if task.brief.link and has_link(text, task.brief.link):
        return tag_link(text, task.brief.link, task.link), False
    return f"{text} {task.link}" if text else task.link, True


def _problems(task: CaptionTask, text: str, media_count: int) -> list[RuleViolation]:
    problems = caption_violations(task.platform, text, banned_words=task.banned_words,
                                  media_count=media_count, max_length=task.limit)
    if task.link and not has_link(text, task.link):
        problems.append(RuleViolation("link_missing", f"The caption must include the link {task.link}."))
    return problems


def _variant(task: CaptionTask, text: str, source: str, changes: tuple[str, ...] = ()) -> CaptionVariant:
    return CaptionVariant(task.platform, text, count_length(task.platform, text), task.limit, source, changes)


def _distinct(texts) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in texts if t and t.strip()))
