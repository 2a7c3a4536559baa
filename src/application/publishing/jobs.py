"""Publishing jobs: what a job is for, and which of a post's events call for one.

Rules (`jobs_for`, applied when the events are applied to the read model, so each job is deferred
exactly when its event is, and again never):
- a target that is scheduled after its schedule, targets, approval or failure changed (events
  Scheduled, Rescheduled, RetryRequested, TargetsChanged, Approved, TargetFailed with a retry time)
  gets a publish job at its due time;
- a target left unconfirmed (TargetUnconfirmed) gets a reconcile job RECONCILE_AFTER later: the
  platform needs a moment to list the post it may have made (a reconcile run that cannot ask the
  platform defers itself again, with backoff: `publish_target.reconcile_backoff`);
- an attempt with no live worker behind it gets a recover job from the worker's sweep.
Jobs carry ids (and the due time), never content: each run reads the post again, so a job of an
old schedule, or of a target published, cancelled or edited since, does nothing when it runs.
A job is deferred once: deferring the same job again while it waits is a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain.publishing.post import Post, Target
from domain.publishing.states import TargetState

RECONCILE_AFTER = timedelta(seconds=3)
_SCHEDULING_EVENTS = frozenset({"Scheduled", "Rescheduled", "RetryRequested", "TargetFailed", "TargetsChanged", "Approved"})


@dataclass(frozen=True)
class PublishAt:
    """Publish the target at this due time (each due time its own job)."""

    due_at: datetime


@dataclass(frozen=True)
class ReconcileAttempt:
    """Ask the platform whether this attempt, of unknown outcome, landed."""

    attempt_id: UUID


@dataclass(frozen=True)
class RecoverAttempt:
    """The attempt started at this time has no live worker behind it: settle it, then reconcile."""

    started_at: datetime


JobPurpose = PublishAt | ReconcileAttempt | RecoverAttempt


@dataclass(frozen=True)
class PublishJob:
    post_id: UUID
    channel_id: UUID
    purpose: JobPurpose
    run_at: datetime | None = None  # None: as soon as a worker is free

    @property
    def due_at(self) -> datetime | None:
        """The schedule a publish job is for (its run finds another one stale); None for the others."""
        return self.purpose.due_at if isinstance(self.purpose, PublishAt) else None


def publish_job(post_id: UUID, channel_id: UUID, due_at: datetime) -> PublishJob:
    return PublishJob(post_id, channel_id, PublishAt(due_at), run_at=due_at)


def reconcile_at(post: Post) -> datetime:
    """When a target the post's last change left unconfirmed is reconciled."""
    return post.modified_on + RECONCILE_AFTER


def reconcile_job(post: Post, target: Target, run_at: datetime | None = None) -> PublishJob:
    """Reconcile the target's attempt at `run_at` (by default RECONCILE_AFTER its last change)."""
    assert target.attempt_id is not None, "an unconfirmed target is in an attempt"
    return PublishJob(post.id, target.channel_id, ReconcileAttempt(target.attempt_id),
                      run_at=run_at or reconcile_at(post))


def recover_job(post_id: UUID, channel_id: UUID, started_at: datetime) -> PublishJob:
    return PublishJob(post_id, channel_id, RecoverAttempt(started_at))


def jobs_for(post: Post, events: Sequence[object]) -> list[PublishJob]:
    """The jobs a batch of the post's events calls for; `post` is its state after them."""
    names = {type(e).__name__ for e in events}
    jobs = []
    for target in post.targets.values():
        if target.state is TargetState.SCHEDULED and target.scheduled_at and names & _SCHEDULING_EVENTS:
            jobs.append(publish_job(post.id, target.channel_id, target.scheduled_at))
        elif target.state is TargetState.UNCONFIRMED and "TargetUnconfirmed" in names:
            jobs.append(reconcile_job(post, target))
    return jobs
