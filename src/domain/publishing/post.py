"""The Post aggregate: one piece of content going to one or more channels (targets).

Rules:
- a post has base text or media, and at least one target to be scheduled; each target's
  text (its variant, else the base text) must pass that platform's rules when scheduled;
- in a workspace that requires approval, a post is submitted (draft -> in_review), then
  approved, before it can be scheduled; changing approved content withdraws the approval
  and un-schedules its targets until it is approved again;
- a post is scheduled for a wall-clock time in an IANA zone; the UTC instant is stored
  beside it; scheduling in the past is refused;
- a target that is publishing, published or unconfirmed is locked: its text, media,
  schedule and cancellation are refused (rules target_publishing, target_published,
  target_unconfirmed); scheduling again after a withdrawn approval leaves them as they are,
  and a failed target is retried only while the post is approved and scheduled;
- publishing is per target: an attempt starts (attempt id recorded before the platform
  is called), then ends published, unconfirmed (outcome unknown) or failed with a typed
  reason; only the current attempt may settle it.

Every rule is checked in a public method before its event; the `@event` methods only change
state, so a stream stored under an older, looser rule replays as it happened.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from domain.publishing.states import LOCKED_TARGET_STATES, FailureReason, PostStatus, TargetState
from domain.shared.errors import InvalidValue, RuleViolated
from domain.shared.platforms import check_text
from domain.shared.workspace_aggregate import WorkspaceAggregate

MAX_TEXT = 100_000
MAX_MEDIA = 10


@dataclass
class Target:
    """One channel the post goes to, with its own schedule and publishing outcome."""

    channel_id: UUID
    platform: str
    state: TargetState = TargetState.DRAFT
    scheduled_at: datetime | None = None
    attempt_id: UUID | None = None
    attempt_started_at: datetime | None = None
    attempts: int = 0
    published_at: datetime | None = None
    remote_id: str | None = None
    url: str | None = None
    failure: dict | None = None


def _is_open(target: Target) -> bool:
    """A target that scheduling may (re)schedule: neither cancelled nor locked."""
    return target.state is not TargetState.CANCELLED and target.state not in LOCKED_TARGET_STATES


def _clean_text(text: str | None) -> str:
    text = text or ""
    if len(text) > MAX_TEXT:
        raise InvalidValue("text", f"is {len(text)} characters; at most {MAX_TEXT}")
    return text


def _clean_media(media: list[str] | None) -> list[str]:
    media = list(media or [])
    if len(media) > MAX_MEDIA:
        raise InvalidValue("media", f"at most {MAX_MEDIA} media per post")
    if not all(isinstance(m, str) and m.strip() for m in media):
        raise InvalidValue("media", "each media reference must be a non-empty string")
    return media


def _targets(targets: list[dict]) -> list[dict]:
    seen: set[str] = set()
    out = []
    for t in targets:
        key = str(t["channel_id"])
        if key in seen:
            raise InvalidValue("targets", f"channel {key} is listed twice")
        seen.add(key)
        out.append({"channel_id": key, "platform": str(t["platform"])})
    return out


class Post(WorkspaceAggregate):
    @classmethod
    def draft(
        cls,
        *,
        workspace_id: UUID,
        author_id: UUID,
        text: str,
        targets: list[dict],
        campaign_id: UUID | None = None,
        media: list[str] | None = None,
        requires_approval: bool = False,
    ) -> "Post":
        """Start a draft. `targets` are {"channel_id", "platform"} of the workspace's channels."""
        return cls(
            workspace_id=workspace_id,
            author_id=author_id,
            campaign_id=campaign_id,
            text=_clean_text(text),
            media=_clean_media(media),
            targets=_targets(targets),
            requires_approval=requires_approval,
        )

    @event("Drafted")
    def __init__(
        self,
        workspace_id: UUID,
        author_id: UUID,
        campaign_id: UUID | None,
        text: str,
        media: list[str],
        targets: list[dict],
        requires_approval: bool,
    ) -> None:
        self.workspace_id = workspace_id
        self.author_id = author_id
        self.campaign_id = campaign_id
        self.text = text
        self.media = list(media)
        self.variants: dict[UUID, str] = {}
        self.targets: dict[UUID, Target] = {}
        self._set_targets(targets)
        self.requires_approval = requires_approval
        self.status = PostStatus.DRAFT
        self.scheduled_at: datetime | None = None
        self.timezone: str | None = None
        self.local_time: datetime | None = None

    # ----- content -------------------------------------------------------------------

    def text_for(self, channel_id: UUID) -> str:
        return self.variants.get(channel_id, self.text)

    def edit(self, *, by: UUID, text: str | None = None, media: list[str] | None = None,
             limits: dict[UUID, int] | None = None) -> None:
        """`limits` are the channels' own text limits, as for `schedule`: a scheduled post must keep fitting them."""
        new_text = self.text if text is None else _clean_text(text)
        new_media = self.media if media is None else _clean_media(media)
        if new_text != self.text or new_media != self.media:
            self._require_open()
            for target in self.targets.values():
                if new_media != self.media or target.channel_id not in self.variants:
                    self._require_unlocked(target)
            self._require_still_fits(lambda post: post._content_edited(by=by, text=new_text, media=new_media), limits)
            self._content_edited(by=by, text=new_text, media=new_media)

    @event("ContentEdited")
    def _content_edited(self, by: UUID, text: str, media: list[str]) -> None:
        self.text = text
        self.media = list(media)
        self._withdraw_approval()

    def set_variant(self, *, by: UUID, channel_id: UUID, text: str | None,
                    limits: dict[UUID, int] | None = None) -> None:
        """A per-channel text; None removes it so the base text is used again. `limits` as for `edit`."""
        if channel_id not in self.targets:
            raise InvalidValue("channel_id", f"channel {channel_id} is not a target of this post")
        if text is not None:
            text = _clean_text(text)
        if self.variants.get(channel_id) != text:
            self._require_open()
            self._require_unlocked(self.targets[channel_id])
            self._require_still_fits(lambda post: post._variant_set(by=by, channel_id=channel_id, text=text), limits)
            self._variant_set(by=by, channel_id=channel_id, text=text)

    @event("VariantSet")
    def _variant_set(self, by: UUID, channel_id: UUID, text: str | None) -> None:
        if text is None:
            self.variants.pop(channel_id, None)
        else:
            self.variants[channel_id] = text
        self._withdraw_approval()

    def change_targets(self, *, by: UUID, targets: list[dict], now: datetime | None = None,
                       limits: dict[UUID, int] | None = None) -> None:
        """Channels added to a scheduled post join its schedule, which must not have passed. `limits` as for `edit`."""
        targets = _targets(targets)
        added = {t["channel_id"] for t in targets} - {str(c) for c in self.targets}
        if not added and len(targets) == len(self.targets):
            return
        if added and self.status is PostStatus.SCHEDULED and now and self.scheduled_at and self.scheduled_at < now:
            raise RuleViolated("schedule_in_past", "the post's time has passed; reschedule it before adding channels")
        self._require_open()
        kept = {UUID(t["channel_id"]) for t in targets}
        for channel_id, target in self.targets.items():
            if channel_id not in kept:
                self._require_unlocked(target)
        self._require_still_fits(lambda post: post._targets_changed(by=by, targets=targets), limits)
        self._targets_changed(by=by, targets=targets)

    @event("TargetsChanged")
    def _targets_changed(self, by: UUID, targets: list[dict]) -> None:
        old = self.targets
        self.targets = {}
        self._set_targets(targets, previous=old)
        self.variants = {c: v for c, v in self.variants.items() if c in self.targets}
        if all(t.state is TargetState.CANCELLED for t in self.targets.values()):
            self.status = PostStatus.CANCELLED
        self._withdraw_approval()

    # ----- approval ------------------------------------------------------------------

    def submit_for_review(self, by: UUID) -> None:
        self._require_open()
        if not self.requires_approval:
            raise RuleViolated("approval_not_required", "this workspace does not require approval; schedule the post directly")
        if self.status is not PostStatus.DRAFT:
            raise RuleViolated("approval_transition", f"only a draft can be submitted for review; this post is {self.status}")
        self._require_content()
        self._submitted_for_review(by=by)

    @event("SubmittedForReview")
    def _submitted_for_review(self, by: UUID) -> None:
        self.status = PostStatus.IN_REVIEW

    def approve(self, by: UUID, note: str = "") -> None:
        if self.status is not PostStatus.IN_REVIEW:
            raise RuleViolated("approval_transition", f"only a post in review can be approved; this post is {self.status}")
        self._approved(by=by, note=note)

    @event("Approved")
    def _approved(self, by: UUID, note: str = "") -> None:
        self.status = PostStatus.APPROVED

    def request_changes(self, by: UUID, note: str = "") -> None:
        if self.status is not PostStatus.IN_REVIEW:
            raise RuleViolated("approval_transition", f"only a post in review can be sent back; this post is {self.status}")
        self._changes_requested(by=by, note=note)

    @event("ChangesRequested")
    def _changes_requested(self, by: UUID, note: str = "") -> None:
        self.status = PostStatus.DRAFT

    # ----- scheduling ----------------------------------------------------------------

    def schedule(self, *, by: UUID, at: datetime, timezone: str, local_time: datetime, now: datetime,
                 limits: dict[UUID, int] | None = None) -> None:
        """Schedule every open target at one instant (a UTC `at` for the wall time `local_time` in `timezone`).

        `limits` maps a channel to the text limit its platform reported (a Mastodon instance's own);
        other channels get their platform's default. Every later change of a scheduled post is
        checked against the same limits."""
        self._require_future(at, now)
        self._require_fits(limits or {})
        self._require_open()
        self._require_content()
        if self.requires_approval and self.status is not PostStatus.APPROVED:
            raise RuleViolated("approval_required", "this workspace requires approval: submit the post for review first")
        if not self.requires_approval and self.status not in (PostStatus.DRAFT, PostStatus.SCHEDULED):
            raise RuleViolated("approval_transition", f"a post that is {self.status} cannot be scheduled")
        if self.status is PostStatus.SCHEDULED:
            raise RuleViolated("already_scheduled", "the post is already scheduled; reschedule it instead")
        self._scheduled(by=by, at=at, timezone=timezone, local_time=local_time)

    @event("Scheduled")
    def _scheduled(self, by: UUID, at: datetime, timezone: str, local_time: datetime) -> None:
        for target in self.targets.values():
            if _is_open(target):  # a locked target (after a withdrawn approval) keeps its state
                target.state = TargetState.SCHEDULED
                target.scheduled_at = at
        self.scheduled_at, self.timezone, self.local_time = at, timezone, local_time
        self.status = PostStatus.SCHEDULED

    def reschedule(self, *, by: UUID, at: datetime, timezone: str, local_time: datetime, now: datetime,
                   channel_ids: list[UUID] | None = None) -> None:
        """Move scheduled targets (all, or those named) to a new instant."""
        self._require_future(at, now)
        ids = self._pick(channel_ids)
        self._require_open()
        if self.status is not PostStatus.SCHEDULED:
            raise RuleViolated("not_scheduled", "only a scheduled post can be rescheduled; schedule it first")
        for channel_id in ids:
            target = self.targets[channel_id]
            self._require_unlocked(target)
            if target.state is TargetState.CANCELLED:
                raise RuleViolated("target_cancelled", f"the target on channel {channel_id} is cancelled")
        self._rescheduled(by=by, at=at, timezone=timezone, local_time=local_time, channel_ids=ids)

    @event("Rescheduled")
    def _rescheduled(self, by: UUID, at: datetime, timezone: str, local_time: datetime, channel_ids: list[UUID]) -> None:
        for channel_id in channel_ids:
            target = self.targets[channel_id]
            target.state, target.scheduled_at, target.failure = TargetState.SCHEDULED, at, None
        self.scheduled_at, self.timezone, self.local_time = at, timezone, local_time

    def cancel(self, *, by: UUID, channel_ids: list[UUID] | None = None) -> None:
        """Cancel the post (all targets) or some targets; a locked target cannot be cancelled."""
        ids = self._pick(channel_ids)
        self._require_open()
        for channel_id in ids:
            self._require_unlocked(self.targets[channel_id])
        self._cancelled(by=by, channel_ids=ids)

    @event("Cancelled")
    def _cancelled(self, by: UUID, channel_ids: list[UUID]) -> None:
        for channel_id in channel_ids:
            self.targets[channel_id].state = TargetState.CANCELLED
        if all(t.state is TargetState.CANCELLED for t in self.targets.values()):
            self.status = PostStatus.CANCELLED

    # ----- publishing (driven by the publishing worker) --------------------------------

    def start_attempt(self, channel_id: UUID, attempt_id: UUID, started_at: datetime) -> None:
        target = self._target(channel_id)
        if target.state is not TargetState.SCHEDULED:
            raise RuleViolated("target_not_due", f"the target on channel {channel_id} is {target.state}, not scheduled")
        self._attempt_started(channel_id=channel_id, attempt_id=attempt_id, started_at=started_at)

    @event("PublishAttemptStarted")
    def _attempt_started(self, channel_id: UUID, attempt_id: UUID, started_at: datetime) -> None:
        target = self.targets[channel_id]
        target.state, target.attempt_id, target.failure = TargetState.PUBLISHING, attempt_id, None
        target.attempt_started_at = started_at
        target.attempts += 1

    def mark_published(self, channel_id: UUID, attempt_id: UUID, remote_id: str, url: str | None,
                       published_at: datetime) -> None:
        self._require_current_attempt(channel_id, attempt_id, {TargetState.PUBLISHING, TargetState.UNCONFIRMED})
        self._published(channel_id=channel_id, attempt_id=attempt_id, remote_id=remote_id, url=url,
                        published_at=published_at)

    @event("TargetPublished")
    def _published(self, channel_id: UUID, attempt_id: UUID, remote_id: str, url: str | None, published_at: datetime) -> None:
        target = self.targets[channel_id]
        target.state, target.remote_id, target.url, target.failure = TargetState.PUBLISHED, remote_id, url, None
        target.published_at = published_at

    def mark_unconfirmed(self, channel_id: UUID, attempt_id: UUID, detail: str) -> None:
        self._require_current_attempt(channel_id, attempt_id, {TargetState.PUBLISHING})
        self._unconfirmed(channel_id=channel_id, attempt_id=attempt_id, detail=detail)

    @event("TargetUnconfirmed")
    def _unconfirmed(self, channel_id: UUID, attempt_id: UUID, detail: str) -> None:
        target = self.targets[channel_id]
        target.state = TargetState.UNCONFIRMED
        target.failure = {"reason": "unconfirmed", "message": detail,
                          "fix": "PostWizard asks the platform whether it went out before any retry."}

    def mark_failed(self, channel_id: UUID, attempt_id: UUID, reason: FailureReason | str, message: str,
                    retry_at: datetime | None = None) -> None:
        try:
            known = FailureReason(reason)
        except ValueError:
            raise InvalidValue("reason", f"must be one of {', '.join(r.value for r in FailureReason)}") from None
        self._require_current_attempt(channel_id, attempt_id, {TargetState.PUBLISHING, TargetState.UNCONFIRMED})
        self._failed(channel_id=channel_id, attempt_id=attempt_id, reason=known.value, message=message, retry_at=retry_at)

    @event("TargetFailed")
    def _failed(self, channel_id: UUID, attempt_id: UUID, reason: str, message: str,
                retry_at: datetime | None = None) -> None:
        target = self.targets[channel_id]
        known = reason in {r.value for r in FailureReason}  # a reason retired since stays as it was stored
        target.failure = {"reason": reason, "message": message, "fix": FailureReason(reason).fix if known else "",
                          "retry_at": retry_at.isoformat() if retry_at else None}
        if retry_at is not None and self.requires_approval and self.status is not PostStatus.SCHEDULED:
            target.state = TargetState.DRAFT  # the approval was withdrawn: retried once approved and scheduled again
        elif retry_at is not None:
            target.state, target.scheduled_at = TargetState.SCHEDULED, retry_at
        else:
            target.state = TargetState.FAILED

    def retry(self, by: UUID, channel_id: UUID, at: datetime) -> None:
        """A failed target is scheduled again (the user's safe "retry now")."""
        target = self._target(channel_id)
        if target.state is not TargetState.FAILED:
            raise RuleViolated("retry_not_failed", f"only a failed target can be retried; this one is {target.state}")
        if self.requires_approval and self.status is not PostStatus.SCHEDULED:
            raise RuleViolated("approval_required", "the post changed since it was approved: submit it for review again")
        self._retry_requested(by=by, channel_id=channel_id, at=at)

    @event("RetryRequested")
    def _retry_requested(self, by: UUID, channel_id: UUID, at: datetime) -> None:
        target = self.targets[channel_id]
        target.state, target.scheduled_at = TargetState.SCHEDULED, at

    # ----- derived -------------------------------------------------------------------

    @property
    def publish_state(self) -> str:
        """One word for the whole post, for lists: the targets' shared state, or 'partial'."""
        states = {t.state for t in self.targets.values() if t.state is not TargetState.CANCELLED}
        if not states:
            return TargetState.CANCELLED.value
        return next(iter(states)).value if len(states) == 1 else "partial"

    # ----- helpers -------------------------------------------------------------------

    def _set_targets(self, targets: list[dict], previous: dict[UUID, Target] | None = None) -> None:
        """New targets of a scheduled post join its schedule; kept targets keep their state."""
        for t in targets:
            channel_id = UUID(t["channel_id"])
            target = (previous or {}).get(channel_id) or Target(channel_id, t["platform"])
            if target.state is TargetState.DRAFT and getattr(self, "status", None) is PostStatus.SCHEDULED:
                target.state, target.scheduled_at = TargetState.SCHEDULED, self.scheduled_at
            self.targets[channel_id] = target

    def _target(self, channel_id: UUID) -> Target:
        try:
            return self.targets[channel_id]
        except KeyError:
            raise InvalidValue("channel_id", f"channel {channel_id} is not a target of this post") from None

    def _require_current_attempt(self, channel_id: UUID, attempt_id: UUID, states: set[TargetState]) -> None:
        target = self._target(channel_id)
        if target.attempt_id != attempt_id or target.state not in states:
            raise RuleViolated("stale_attempt", f"attempt {attempt_id} is not the current attempt of channel {channel_id}")

    def _pick(self, channel_ids: list[UUID] | None) -> list[UUID]:
        if channel_ids is None:
            return [c for c, t in self.targets.items() if t.state is not TargetState.CANCELLED]
        for channel_id in channel_ids:
            self._target(channel_id)
        return list(dict.fromkeys(channel_ids))

    def _require_open(self) -> None:
        if self.status is PostStatus.CANCELLED:
            raise RuleViolated("post_cancelled", "the post is cancelled; duplicate it to post again")

    def _require_content(self) -> None:
        if not self.targets:
            raise RuleViolated("no_targets", "choose at least one channel")
        if not self.text.strip() and not self.media and not all(self.variants.get(c, "").strip() for c in self.targets):
            raise RuleViolated("no_content", "write some text or add media")

    @staticmethod
    def _require_unlocked(target: Target) -> None:
        if target.state in LOCKED_TARGET_STATES:
            raise RuleViolated(
                f"target_{target.state.value}",
                f"the target on channel {target.channel_id} is {target.state.value}; it can no longer be changed or cancelled",
            )

    def _require_future(self, at: datetime, now: datetime) -> None:
        if at.tzinfo is None:
            raise InvalidValue("scheduled_at", "must be a UTC instant")
        if at < now:
            raise RuleViolated("schedule_in_past", f"{at.isoformat()} is in the past; choose a later time")

    def _require_fits(self, limits: dict[UUID, int]) -> None:
        for channel_id, target in self.targets.items():
            if not _is_open(target):
                continue
            problems = check_text(target.platform, self.text_for(channel_id), media_count=len(self.media),
                                  max_length=limits.get(channel_id))
            if problems:
                raise RuleViolated(f"platform_rules.{problems[0].rule}", problems[0].message)

    def _require_still_fits(self, change: Callable[["Post"], None], limits: dict[UUID, int] | None) -> None:
        """A scheduled post must keep passing every platform's rules: try the change on a copy first."""
        if self.status is not PostStatus.SCHEDULED:
            return
        trial = copy.deepcopy(self)
        change(trial)
        if trial.status is PostStatus.SCHEDULED:
            trial._require_fits(limits or {})

    def _withdraw_approval(self) -> None:
        if not self.requires_approval or self.status is PostStatus.DRAFT:
            return
        self.status = PostStatus.DRAFT
        for target in self.targets.values():
            if target.state is TargetState.SCHEDULED:
                target.state = TargetState.DRAFT
