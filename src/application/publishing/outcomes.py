"""What one run of a publishing job did to its target, as `PublishTargetHandler` returns it.

Published, RetryAt, ReconcileAt and Failed each record an outcome on the post; NothingDone records
nothing and says why (`Idle`). The jobs that follow an outcome (a retry, a reconciliation) are
deferred from the post's events (`application.publishing.jobs`), not from these values: they are for
logs and tests, and `str()` of each is its one-line description. Two runs record nothing and defer
their own job again: one that fired early (NothingDone NOT_DUE) and a reconciliation that could not
ask the platform (ReconcileAt).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from domain.publishing.states import FailureReason, TargetState


@dataclass(frozen=True)
class Published:
    remote_id: str
    url: str | None
    reconciled: bool = False  # found on the platform after an attempt of unknown outcome, not sent now

    def __str__(self) -> str:
        return "published (found on the platform)" if self.reconciled else "published"


@dataclass(frozen=True)
class RetryAt:
    """A transient failure, or an unconfirmed attempt the platform has no trace of: tried again at `at`
    (or, when an edit withdrew the post's approval meanwhile, once it is approved and scheduled again)."""

    at: datetime
    reason: FailureReason
    message: str

    def __str__(self) -> str:
        return f"retry at {self.at.isoformat()} ({self.reason}: {self.message})"


@dataclass(frozen=True)
class ReconcileAt:
    """The call's outcome is unknown: the platform is asked whether it landed at `at`, before any retry."""

    at: datetime
    detail: str

    def __str__(self) -> str:
        return f"unconfirmed, reconciling at {self.at.isoformat()} ({self.detail})"


@dataclass(frozen=True)
class Failed:
    """A permanent failure (or the last transient one): the target waits for the user and the reason's fix."""

    reason: FailureReason
    message: str

    def __str__(self) -> str:
        return f"failed ({self.reason}: {self.message})"


class Idle(Enum):
    """Why a job did nothing."""

    GONE = "the post or target is gone"
    IN_PROGRESS = "an attempt is in progress elsewhere"
    NOT_DUE = "not due yet"
    STALE = "the job is for an older schedule; a newer job exists"
    SETTLED = "nothing to do"
    CONTENDED = "gave up after repeated conflicts; the sweep defers it again"


@dataclass(frozen=True)
class NothingDone:
    why: Idle
    state: TargetState | None = None  # SETTLED: the state the target is in
    until: datetime | None = None     # NOT_DUE: when it is due

    def __str__(self) -> str:
        if self.why is Idle.SETTLED and self.state is not None:
            return f"nothing to do ({self.state})"
        if self.why is Idle.NOT_DUE and self.until is not None:
            return f"not due until {self.until.isoformat()}"
        return self.why.value


Outcome = Published | RetryAt | ReconcileAt | Failed | NothingDone
