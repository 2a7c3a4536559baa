"""States of a post and of each of its targets, and the typed publishing failures."""

from __future__ import annotations

from enum import StrEnum


class PostStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class TargetState(StrEnum):
    """Lifecycle of one post on one channel, driven by scheduling then publishing."""

    DRAFT = "draft"              # not scheduled (yet, or again after approval was withdrawn)
    SCHEDULED = "scheduled"      # due at `scheduled_at`
    PUBLISHING = "publishing"    # an attempt has started; outcome not yet known
    PUBLISHED = "published"      # the platform accepted it (remote id and link known)
    UNCONFIRMED = "unconfirmed"  # the attempt's outcome is unknown (timeout, crash): reconcile before retrying
    FAILED = "failed"            # the platform refused it; the reason says what to do
    CANCELLED = "cancelled"


LOCKED_TARGET_STATES = frozenset({TargetState.PUBLISHING, TargetState.PUBLISHED, TargetState.UNCONFIRMED})


class FailureReason(StrEnum):
    AUTH_EXPIRED = "auth_expired"
    RATE_LIMITED = "rate_limited"
    VALIDATION = "validation"
    DUPLICATE = "duplicate"
    MEDIA_REJECTED = "media_rejected"
    PLATFORM_UNAVAILABLE = "platform_unavailable"
    UNKNOWN = "unknown"

    @property
    def transient(self) -> bool:
        """Transient failures are retried with backoff; permanent ones wait for the user."""
        return self in {FailureReason.RATE_LIMITED, FailureReason.PLATFORM_UNAVAILABLE, FailureReason.UNKNOWN}

    @property
    def fix(self) -> str:
        """What the user should do about a failure of this kind."""
        return _FIXES[self]


_FIXES = {
    FailureReason.AUTH_EXPIRED: "Reconnect this channel, then retry.",
    FailureReason.RATE_LIMITED: "The platform limits how often you post; PostWizard retries after the reset time.",
    FailureReason.VALIDATION: "Edit the text or media as the platform's message says, then retry.",
    FailureReason.DUPLICATE: "The platform refuses identical posts; change the text, then retry.",
    FailureReason.MEDIA_REJECTED: "Replace the media with a supported format and size, then retry.",
    FailureReason.PLATFORM_UNAVAILABLE: "The platform is down or slow; PostWizard retries automatically.",
    FailureReason.UNKNOWN: "PostWizard retries automatically; if it keeps failing, check the channel.",
}
