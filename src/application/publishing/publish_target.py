"""Publish one target, exactly once, when it is due.

The job carries ids only and re-reads the post, so an edited, rescheduled, cancelled or
already-published target is never sent. Exactly once: `PublishAttemptStarted` is saved
before the platform call (a racing worker or edit loses on the version check), the
attempt id is the platform's idempotency key where it has one, and the outcome is saved
after. A call that may or may not have landed leaves the target unconfirmed; it is
reconciled by asking the platform before any retry. Transient failures come back later
with exponential backoff and jitter, honouring Retry-After; permanent ones wait for the user.
A job that fires early (clock skew) defers itself again for its due time. What a run did is
returned as a typed outcome (`application.publishing.outcomes`), for logs and tests.

Images go out fitted to the target's platform (domain.shared.platforms.images: its byte and pixel
limits, a Mastodon instance's own as stored with the channel): an image that fits is sent as
uploaded, another is re-encoded or scaled down for this call only, the stored original unchanged.
One that cannot be made to fit fails the target as media_rejected with the fix.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from application.platforms.ports import (
    ChannelTokens,
    Credentials,
    MediaItem,
    OutcomeUnknown,
    OutgoingPost,
    PlatformDirectory,
    PlatformError,
    RecentPost,
)
from application.publishing.jobs import publish_job, reconcile_at, reconcile_job
from application.publishing.outcomes import Failed, Idle, NothingDone, Outcome, Published, ReconcileAt, RetryAt
from application.publishing.ports import ImageCodec, JobQueue, MediaStore
from application.publishing.unit_of_work import UnitOfWorkFactory
from application.shared.errors import ConcurrencyConflict, NotFound
from application.shared.ports import Clock, EventStore, IdGenerator
from domain.channels.channel import Channel
from domain.publishing.media import MIME_TYPES
from domain.publishing.post import Post, Target
from domain.publishing.states import FailureReason, TargetState
from domain.shared.platforms.images import fits, image_limits

EARLY_TOLERANCE = timedelta(milliseconds=500)  # a job that fires this early still publishes
MAX_TRANSIENT_ATTEMPTS = 8
BACKOFF_BASE, BACKOFF_CAP = timedelta(seconds=5), timedelta(minutes=30)
RECONCILE_WINDOW = timedelta(minutes=5)
ATTEMPT_STALE_AFTER = timedelta(seconds=45)  # an attempt older than this has no live worker behind it
MAX_DECISIONS = 10  # a run decides again after losing a race to start the attempt, this many times at most
MAX_RECORDS = 5  # an outcome is merged into a post changed meanwhile, this many times at most
_MAYBE_POSTED = {FailureReason.UNKNOWN.value, FailureReason.PLATFORM_UNAVAILABLE.value}


@dataclass(frozen=True)
class PublishTarget:
    post_id: UUID
    channel_id: UUID
    due_at: datetime | None = None  # the schedule the job was deferred for; another time means a newer job exists


def backoff(attempts: int, retry_at: datetime | None, now: datetime, rng: Callable[[], float] = random.random) -> datetime:
    """Exponential backoff with full jitter, never earlier than the platform's own retry time."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(attempts - 1, 0)))
    delay = ceiling * (0.5 + rng() / 2)
    return max(now + delay, retry_at or now)


def reconcile_backoff(started_at: datetime | None, retry_at: datetime | None, now: datetime,
                      rng: Callable[[], float] = random.random) -> datetime:
    """When to ask the platform again after it could not be asked: a quarter of the time since the
    attempt started (so each wait is a quarter longer than the last; an attempt left by a stopped
    worker is already 45 s old and is not made to wait long), at least BACKOFF_BASE, at most
    BACKOFF_CAP, with jitter, and never before the platform's own retry time."""
    waited = now - (started_at or now)
    ceiling = min(BACKOFF_CAP, max(BACKOFF_BASE, waited / 4))
    return max(now + ceiling * (0.5 + rng() / 2), retry_at or now)


def fingerprint(text: str) -> str:
    """Content as platforms echo it back: whitespace folded, case kept."""
    return " ".join(text.split())


def idempotency_key(post_id: UUID, channel_id: UUID, text: str) -> str:
    """The same content of the same target always sends the same key, across attempts: a retry after
    an unknown outcome is deduplicated by the platform itself where it can (Mastodon's
    Idempotency-Key, Bluesky's record key)."""
    return hashlib.sha256(f"{post_id}:{channel_id}:{fingerprint(text)}".encode()).hexdigest()[:32]


class PublishTargetHandler:
    """One run of a target's job. The post is read once, and the attempt and its outcome are saved on
    that same aggregate (after a save it stands at the stored version).

    Rule: the run attempts its target together with every other target of the post that is due now
    (their attempts in one save, the platform calls at once, their outcomes in one save); those
    targets' own jobs then find them in progress or settled. A target due later, or failed, is left
    to its own job. A save may still lose to another run's (two jobs of the post starting at once, an
    edit): before the attempts have started, the run decides again from a fresh read; after, the
    outcomes are applied again to a fresh read and saved. While a target outside the run is in an
    attempt or comes due, the outcomes go straight to a fresh read (see `_record`)."""

    def __init__(self, store: EventStore, uow: UnitOfWorkFactory, platforms: PlatformDirectory, tokens: ChannelTokens,
                 clock: Clock, ids: IdGenerator, media: MediaStore, images: ImageCodec, jobs: JobQueue) -> None:
        self.store, self.uow, self.platforms, self.tokens, self.clock, self.ids = store, uow, platforms, tokens, clock, ids
        self.media, self.images, self.jobs = media, images, jobs

    async def __call__(self, cmd: PublishTarget) -> Outcome:
        for _ in range(MAX_DECISIONS):
            try:
                return await self._decide(cmd)
            except ConcurrencyConflict:
                continue
        return NothingDone(Idle.CONTENDED)

    async def _decide(self, cmd: PublishTarget) -> Outcome:
        try:
            post = await self.store.get(cmd.post_id, Post)
        except NotFound:
            return NothingDone(Idle.GONE)
        target = post.targets.get(cmd.channel_id)
        if target is None:
            return NothingDone(Idle.GONE)
        if target.state is TargetState.PUBLISHING:
            started = target.attempt_started_at or self.clock.now()
            if self.clock.now() - started < ATTEMPT_STALE_AFTER:
                return NothingDone(Idle.IN_PROGRESS)
            # no live worker is behind an attempt this old: its outcome is unknown
            post = await self._record(post, [_to_unconfirmed(target, "the worker stopped during the call")])
            target = post.targets[cmd.channel_id]
        if target.state is TargetState.UNCONFIRMED:
            return await self._reconcile(post, target)
        if target.state is not TargetState.SCHEDULED or target.scheduled_at is None:
            return NothingDone(Idle.SETTLED, state=target.state)
        if cmd.due_at is not None and target.scheduled_at != cmd.due_at:
            return NothingDone(Idle.STALE)
        if target.scheduled_at - self.clock.now() > EARLY_TOLERANCE:
            if cmd.due_at is not None:  # fired early (clock skew): its job comes back on time
                await self.jobs.defer(publish_job(post.id, target.channel_id, cmd.due_at))
            return NothingDone(Idle.NOT_DUE, until=target.scheduled_at)
        return await self._attempt(post, target)

    async def _attempt(self, post: Post, target: Target) -> Outcome:
        """Attempt the target, with every other target of the post due now (see the class)."""
        now = self.clock.now()
        ready = await asyncio.gather(*(self._ready(post, t) for t in [target, *_due_beside(post, target.channel_id, now)]))
        for each in ready:
            post.start_attempt(each.target.channel_id, self.ids.new(), now)
        await self.store.save(post)  # a conflict here means nothing was sent: decide again from the start
        results = await asyncio.gather(*(self._call(each) for each in ready), return_exceptions=True)
        changes, error = [], None
        for each, result in zip(ready, results):
            if isinstance(result, _Result):
                changes.append(result.change)
            elif isinstance(result, Exception):  # a bug or a database fault mid-call: whether it posted is unknown
                changes.append(_to_unconfirmed(each.target, f"{type(result).__name__} during the call"))
                error = error or result
            else:
                raise result
        post = await self._record(post, changes)
        if error is not None:
            raise error
        own = results[0]
        assert isinstance(own, _Result)
        return own.outcome(post)

    async def _ready(self, post: Post, target: Target) -> _Ready:
        """Everything an attempt needs before it is recorded (no platform call): the channel, its
        tokens and what goes out, or the reason it cannot go, which the attempt then records."""
        access = await self.tokens.access(post.workspace_id, target.channel_id)
        channel = access.channel if access else None
        # The previous attempt may have posted without telling us (no answer, or a gateway error).
        after_unknown = bool(target.failure and target.failure.get("reason") in _MAYBE_POSTED)
        text = post.text_for(target.channel_id)
        try:
            outgoing = OutgoingPost(text=text, idempotency_key=idempotency_key(post.id, target.channel_id, text),
                                    media=await self._media(post, target, channel))
            if access is None:
                raise PlatformError(FailureReason.AUTH_EXPIRED, "the channel no longer exists; choose another")
            if isinstance(access.credentials, PlatformError):
                raise access.credentials
            return _Ready(target, channel, after_unknown, outgoing, access.credentials)
        except PlatformError as exc:
            return _Ready(target, channel, after_unknown, problem=exc)

    async def _call(self, ready: _Ready) -> _Result:
        try:
            if ready.problem is not None:
                raise ready.problem
            assert ready.outgoing is not None and ready.credentials is not None
            published = await self._publish(ready.channel, ready.credentials, ready.outgoing)
        except OutcomeUnknown as unknown:
            return _unconfirmed(ready.target, str(unknown))
        except PlatformError as exc:
            return await self._refused(ready, exc)
        return _Result(_to_published(ready.target, published.remote_id, published.url, self.clock.now()),
                       lambda _: Published(published.remote_id, published.url))

    async def _media(self, post: Post, target: Target, channel) -> list[MediaItem]:
        """The post's images as this target's platform accepts them (fitted in memory when needed)."""
        if not post.media:
            return []
        limits = image_limits(target.platform, max_bytes=channel.max_image_bytes if channel else None,
                              max_pixels=channel.max_image_pixels if channel else None)
        async with self.uow.reads() as uow:
            records = [await uow.media.get(post.workspace_id, ref) for ref in post.media]
        items = []
        for ref, record in zip(post.media, records):
            data = await self.media.get(post.workspace_id, ref) if record else None
            if record is None or data is None:
                raise PlatformError(FailureReason.MEDIA_REJECTED, f"the image {ref} is gone; upload it again")
            item = MediaItem(data, record.mime_type, record.alt, record.width, record.height)
            if limits is not None and not fits(record.facts, limits):
                fitted = await self.images.fit(data, record.facts, limits)
                if fitted is None:
                    how = "animated images are sent unchanged" if record.animated else "even scaled down"
                    raise PlatformError(FailureReason.MEDIA_REJECTED,
                                        f"the image {ref} ({record.width}x{record.height}, {record.byte_size} bytes) is over "
                                        f"{target.platform}'s limit of {limits.max_bytes} bytes, {how}; upload a smaller one")
                encoded, encoding = fitted
                item = MediaItem(encoded, MIME_TYPES[encoding.format], record.alt, encoding.width, encoding.height)
            items.append(item)
        return items

    async def _publish(self, channel, credentials, outgoing: OutgoingPost):
        """A token the platform calls expired is refreshed once and the call repeated (safe: a refused
        call posted nothing)."""
        platform = self.platforms.get(channel.platform.value)
        try:
            return await platform.publish(channel.base_url, credentials, outgoing)
        except PlatformError as exc:
            if exc.reason is not FailureReason.AUTH_EXPIRED or not channel.refreshable:
                raise
            credentials = await self.tokens.refresh(channel, credentials)
            return await platform.publish(channel.base_url, credentials, outgoing)

    async def _refused(self, ready: _Ready, exc: PlatformError) -> _Result:
        """A duplicate refusal right after an attempt of unknown outcome may be our own earlier post:
        reconcile instead of failing (bounded by the reconcile's own limit)."""
        target = ready.target
        if exc.reason is FailureReason.DUPLICATE and ready.after_unknown:
            return _unconfirmed(target, exc.message)
        if exc.reason is FailureReason.AUTH_EXPIRED and ready.channel is not None:
            await self.tokens.needs_reconnect(ready.channel, exc.message)
        retry_at = None
        if exc.reason.transient and target.attempts < MAX_TRANSIENT_ATTEMPTS:  # attempts counts this one
            retry_at = backoff(target.attempts, exc.retry_at, self.clock.now())
        return _failed(target, exc.reason, exc.message, retry_at)

    async def _reconcile(self, post: Post, target: Target) -> Outcome:
        """Ask the platform whether the unconfirmed attempt landed, before any new attempt."""
        access = await self.tokens.access(post.workspace_id, target.channel_id)
        if access is None:
            return await self._fail(post, target, FailureReason.UNKNOWN, "the channel no longer exists")
        channel, credentials = access.channel, access.credentials
        since = (target.attempt_started_at or self.clock.now()) - RECONCILE_WINDOW
        try:
            if isinstance(credentials, PlatformError):
                raise credentials
            recent = await self.platforms.get(channel.platform.value).find_recent(channel.base_url, credentials, since)
        except OutcomeUnknown as exc:
            return await self._ask_again(post, target, str(exc))
        except PlatformError as exc:
            if exc.reason.transient:
                return await self._ask_again(post, target, exc.message, exc.retry_at)
            # Nothing can be asked (most often: no valid token): fail with the fix, so the user can
            # reconnect and retry (the retry reuses the content's idempotency key, so a landed post is
            # not repeated).
            return await self._fail(post, target, exc.reason, exc.message)
        wanted = fingerprint(post.text_for(target.channel_id))
        match: RecentPost | None = next((r for r in recent if fingerprint(r.text) == wanted), None)
        if match is not None:
            await self._record(post, [_to_published(target, match.remote_id, match.url, match.created_at)])
            return Published(match.remote_id, match.url, reconciled=True)
        if target.attempts >= MAX_TRANSIENT_ATTEMPTS:
            return await self._fail(post, target, FailureReason.UNKNOWN,
                                    f"{target.attempts} attempts got no answer and left no trace on the platform")
        return await self._fail(post, target, FailureReason.UNKNOWN,
                                "the platform has no trace of the last attempt; trying again",
                                backoff(target.attempts, None, self.clock.now()))

    async def _ask_again(self, post: Post, target: Target, detail: str,
                         retry_at: datetime | None = None) -> ReconcileAt:
        """The platform could not be asked now: the target stays unconfirmed, and this run defers its
        own reconciliation, later the longer the target has waited (see `reconcile_backoff`)."""
        at = reconcile_backoff(target.attempt_started_at, retry_at, self.clock.now())
        await self.jobs.defer(reconcile_job(post, target, at))
        return ReconcileAt(at, f"the platform could not be asked: {detail}")

    async def _fail(self, post: Post, target: Target, reason: FailureReason, message: str,
                    retry_at: datetime | None = None) -> Outcome:
        failed = _failed(target, reason, message, retry_at)
        return failed.outcome(await self._record(post, [failed.change]))

    async def _record(self, post: Post, changes: Sequence[_Change]) -> Post:
        """Apply outcomes to the post as this run read it and save them; when another change was saved
        meanwhile (a version conflict), apply them again to the post as stored. Returns the post as saved.

        When another target of the post is being published by another run, the post is read again
        first: that attempt has most likely been saved since, and a save bound to lose would still
        queue for the event store's lock."""
        if _shared(post, {c.channel_id for c in changes}, self.clock.now()):
            post = await self.store.get(post.id, Post)
        for _ in range(MAX_RECORDS):
            for change in changes:
                change.apply(post)
            try:
                await self.store.save(post)
                return post
            except ConcurrencyConflict:
                post = await self.store.get(post.id, Post)
        raise ConcurrencyConflict(f"could not record the outcome for post {post.id} after {MAX_RECORDS} tries")


def _attempt_of(target: Target) -> UUID:
    """The attempt a publishing or unconfirmed target is in (PublishAttemptStarted recorded it)."""
    assert target.attempt_id is not None, f"the target on channel {target.channel_id} is in no attempt"
    return target.attempt_id


def _due(target: Target, now: datetime) -> bool:
    return (target.state is TargetState.SCHEDULED and target.scheduled_at is not None
            and target.scheduled_at - now <= EARLY_TOLERANCE)


def _due_beside(post: Post, channel_id: UUID, now: datetime) -> list[Target]:
    """The post's other targets that are due now: attempted together with this one."""
    return [t for t in post.targets.values() if t.channel_id != channel_id and _due(t, now)]


def _shared(post: Post, channel_ids: set[UUID], now: datetime) -> bool:
    """Whether a target of the post outside `channel_ids` may be saving to it now: one that is due, or in an attempt."""
    return any(t.channel_id not in channel_ids and (
        t.state in (TargetState.PUBLISHING, TargetState.UNCONFIRMED) or _due(t, now)) for t in post.targets.values())


@dataclass(frozen=True)
class _Ready:
    """A target about to be attempted: what goes out and with which tokens, or why it cannot."""

    target: Target
    channel: Channel | None
    after_unknown: bool
    outgoing: OutgoingPost | None = None
    credentials: Credentials | None = None
    problem: PlatformError | None = None


@dataclass(frozen=True)
class _Change:
    """An outcome of one target's current attempt, as a change to apply to the post: to the post as read,
    or again to the post as stored (its ids are taken when it is made, not from the post it is applied to)."""

    channel_id: UUID
    apply: Callable[[Post], None]


def _to_unconfirmed(target: Target, detail: str) -> _Change:
    channel_id, attempt_id = target.channel_id, _attempt_of(target)
    return _Change(channel_id, lambda post: post.mark_unconfirmed(channel_id, attempt_id, detail))


def _to_published(target: Target, remote_id: str, url: str | None, at: datetime) -> _Change:
    channel_id, attempt_id = target.channel_id, _attempt_of(target)
    return _Change(channel_id, lambda post: post.mark_published(channel_id, attempt_id, remote_id, url, at))


def _to_failed(target: Target, reason: FailureReason, message: str, retry_at: datetime | None) -> _Change:
    channel_id, attempt_id = target.channel_id, _attempt_of(target)
    return _Change(channel_id, lambda post: post.mark_failed(channel_id, attempt_id, reason, message, retry_at))


@dataclass(frozen=True)
class _Result:
    """One target's outcome: the change to record, and the outcome as the run reports it once recorded."""

    change: _Change
    outcome: Callable[[Post], Outcome]


def _unconfirmed(target: Target, detail: str) -> _Result:
    return _Result(_to_unconfirmed(target, detail), lambda post: ReconcileAt(reconcile_at(post), detail))


def _failed(target: Target, reason: FailureReason, message: str, retry_at: datetime | None) -> _Result:
    outcome: Outcome = RetryAt(retry_at, reason, message) if retry_at else Failed(reason, message)
    return _Result(_to_failed(target, reason, message, retry_at), lambda _: outcome)
