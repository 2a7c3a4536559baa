"""Publish one target, exactly once, when it is due.

The job carries ids only and re-reads the post, so an edited, rescheduled, cancelled or
already-published target is never sent. Exactly once: `PublishAttemptStarted` is saved
before the platform call (a racing worker or edit loses on the version check), the
attempt id is the platform's idempotency key where it has one, and the outcome is saved
after. A call that may or may not have landed leaves the target unconfirmed; it is
reconciled by asking the platform before any retry. Transient failures come back later
with exponential backoff and jitter, honouring Retry-After; permanent ones wait for the user.

Images go out fitted to the target's platform (domain.shared.platforms.images: its byte and pixel
limits, a Mastodon instance's own as stored with the channel): an image that fits is sent as
uploaded, another is re-encoded or scaled down for this call only, the stored original unchanged.
One that cannot be made to fit fails the target as media_rejected with the fix.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from application.platforms.ports import (
    ChannelTokens,
    MediaItem,
    OutcomeUnknown,
    OutgoingPost,
    PlatformDirectory,
    PlatformError,
    RecentPost,
)
from application.publishing.ports import ImageCodec, MediaStore
from application.publishing.unit_of_work import UnitOfWorkFactory
from application.shared.errors import ConcurrencyConflict, NotFound
from application.shared.ports import Clock, EventStore, IdGenerator
from domain.publishing.media import MIME_TYPES
from domain.publishing.post import Post, Target
from domain.publishing.states import FailureReason, TargetState
from domain.shared.platforms.images import fits, image_limits

EARLY_TOLERANCE = timedelta(milliseconds=500)  # a job that fires this early still publishes
MAX_TRANSIENT_ATTEMPTS = 8
BACKOFF_BASE, BACKOFF_CAP = timedelta(seconds=5), timedelta(minutes=30)
RECONCILE_WINDOW = timedelta(minutes=5)
ATTEMPT_STALE_AFTER = timedelta(seconds=45)
_MAYBE_POSTED = {FailureReason.UNKNOWN.value, FailureReason.PLATFORM_UNAVAILABLE.value}  # an attempt older than this has no live worker behind it


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


def fingerprint(text: str) -> str:
    """Content as platforms echo it back: whitespace folded, case kept."""
    return " ".join(text.split())


def idempotency_key(post_id: UUID, channel_id: UUID, text: str) -> str:
    """The same content of the same target always sends the same key, across attempts: a retry after
    an unknown outcome is deduplicated by the platform itself where it can (Mastodon's
    Idempotency-Key, Bluesky's record key)."""
    return hashlib.sha256(f"{post_id}:{channel_id}:{fingerprint(text)}".encode()).hexdigest()[:32]


class PublishTargetHandler:
    def __init__(self, store: EventStore, uow: UnitOfWorkFactory, platforms: PlatformDirectory, tokens: ChannelTokens,
                 clock: Clock, ids: IdGenerator, media: MediaStore, images: ImageCodec) -> None:
        self.store, self.uow, self.platforms, self.tokens, self.clock, self.ids = store, uow, platforms, tokens, clock, ids
        self.media, self.images = media, images

    async def __call__(self, cmd: PublishTarget) -> str:
        """Returns what happened, for logs and tests: published, unconfirmed, failed, retry, or why nothing was done.

        Targets of one post are attempted concurrently; a save that loses to another target's
        event simply reads the post again and decides again."""
        for _ in range(10):
            try:
                return await self._run(cmd)
            except ConcurrencyConflict:
                continue
        return "gave up after repeated conflicts; the sweep defers it again"

    async def _run(self, cmd: PublishTarget) -> str:
        try:
            post = await self.store.get(cmd.post_id, Post)
        except NotFound:
            return "gone"
        target = post.targets.get(cmd.channel_id)
        if target is None:
            return "gone"
        if target.state is TargetState.PUBLISHING:
            started = target.attempt_started_at or self.clock.now()
            if self.clock.now() - started < ATTEMPT_STALE_AFTER:
                return "in progress elsewhere"
            # no live worker is behind an attempt this old: its outcome is unknown
            post = await self._settle(cmd, lambda p: p.mark_unconfirmed(
                cmd.channel_id, target.attempt_id, "the worker stopped during the call"))
            target = post.targets[cmd.channel_id]
        if target.state is TargetState.UNCONFIRMED:
            return await self._reconcile(post, target, cmd)
        if target.state is not TargetState.SCHEDULED:
            return f"nothing to do ({target.state.value})"
        if cmd.due_at is not None and target.scheduled_at != cmd.due_at:
            return "stale (rescheduled)"
        if target.scheduled_at and target.scheduled_at - self.clock.now() > EARLY_TOLERANCE:
            return "not due yet"
        return await self._attempt(post, target, cmd)

    async def _attempt(self, post: Post, target: Target, cmd: PublishTarget) -> str:
        channel = await self._channel(post, target)
        # The previous attempt may have posted without telling us (no answer, or a gateway error).
        after_unknown = bool(target.failure and target.failure.get("reason") in _MAYBE_POSTED)
        text = post.text_for(cmd.channel_id)
        problem: PlatformError | None = None
        try:  # everything that needs no platform call is ready before the attempt is recorded
            outgoing = OutgoingPost(text=text, idempotency_key=idempotency_key(post.id, cmd.channel_id, text),
                                    media=await self._media(post, target, channel))
            if channel is None:
                raise PlatformError(FailureReason.AUTH_EXPIRED, "the channel no longer exists; choose another")
            credentials = await self.tokens.fresh_credentials(channel)
        except PlatformError as exc:
            problem = exc
        attempt_id = self.ids.new()
        post.start_attempt(cmd.channel_id, attempt_id, self.clock.now())
        await self.store.save(post)  # a conflict here means nothing was sent: decide again from the start
        try:
            if problem is not None:
                raise problem
            published = await self._publish(channel, credentials, outgoing)
        except OutcomeUnknown as unknown:
            detail = str(unknown)
            await self._settle(cmd, lambda p: p.mark_unconfirmed(cmd.channel_id, attempt_id, detail))
            return "unconfirmed"
        except PlatformError as exc:
            return await self._failed(cmd, attempt_id, target.attempts, exc, channel, after_unknown)
        except Exception as error:  # a bug or a database fault mid-call: whether it posted is unknown
            detail = f"{type(error).__name__} during the call"
            await self._settle(cmd, lambda p: p.mark_unconfirmed(cmd.channel_id, attempt_id, detail))
            raise
        await self._settle(cmd, lambda p: p.mark_published(cmd.channel_id, attempt_id, published.remote_id,
                                                           published.url, self.clock.now()))
        return "published"

    async def _media(self, post: Post, target: Target, channel) -> list[MediaItem]:
        """The post's images as this target's platform accepts them (fitted in memory when needed)."""
        if not post.media:
            return []
        limits = image_limits(target.platform, max_bytes=channel.max_image_bytes if channel else None,
                              max_pixels=channel.max_image_pixels if channel else None)
        async with self.uow() as uow:
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

    async def _failed(self, cmd: PublishTarget, attempt_id: UUID, attempts: int, exc: PlatformError, channel,
                      after_unknown: bool) -> str:
        """`attempts` counts this one. A duplicate refusal right after an attempt of unknown outcome may be
        our own earlier post: reconcile instead of failing (bounded by the reconcile's own limit)."""
        reason = exc.reason
        if reason is FailureReason.DUPLICATE and after_unknown:
            await self._settle(cmd, lambda p: p.mark_unconfirmed(cmd.channel_id, attempt_id, exc.message))
            return "unconfirmed (duplicate of an earlier attempt?)"
        if reason is FailureReason.AUTH_EXPIRED and channel is not None:
            await self.tokens.needs_reconnect(channel, exc.message)
        retry_at = None
        if reason.transient and attempts < MAX_TRANSIENT_ATTEMPTS:
            retry_at = backoff(attempts, exc.retry_at, self.clock.now())
        await self._settle(cmd, lambda p: p.mark_failed(cmd.channel_id, attempt_id, reason, exc.message, retry_at))
        return "retry" if retry_at else "failed"

    async def _reconcile(self, post: Post, target: Target, cmd: PublishTarget) -> str:
        """Ask the platform whether the unconfirmed attempt landed, before any new attempt."""
        channel = await self._channel(post, target)
        attempt_id = target.attempt_id
        if channel is None:
            await self._settle(cmd, lambda p: p.mark_failed(cmd.channel_id, attempt_id, FailureReason.UNKNOWN,
                                                            "the channel no longer exists"))
            return "failed"
        try:
            credentials = await self.tokens.fresh_credentials(channel)
        except PlatformError as refused:
            if refused.reason is not FailureReason.AUTH_EXPIRED:
                raise  # the job is retried later
            # Without tokens nothing can be asked: fail with the fix, so the user can reconnect and retry
            # (the retry reuses the content's idempotency key, so a landed post is not repeated).
            reason, message = refused.reason, refused.message
            await self._settle(cmd, lambda p: p.mark_failed(cmd.channel_id, attempt_id, reason, message))
            return "failed"
        since = (target.attempt_started_at or self.clock.now()) - RECONCILE_WINDOW
        recent = await self.platforms.get(channel.platform.value).find_recent(channel.base_url, credentials, since)
        wanted = fingerprint(post.text_for(cmd.channel_id))
        match: RecentPost | None = next((r for r in recent if fingerprint(r.text) == wanted), None)
        if match is not None:
            await self._settle(cmd, lambda p: p.mark_published(cmd.channel_id, attempt_id, match.remote_id, match.url,
                                                               match.created_at))
            return "published (reconciled)"
        if target.attempts >= MAX_TRANSIENT_ATTEMPTS:
            await self._settle(cmd, lambda p: p.mark_failed(
                cmd.channel_id, attempt_id, FailureReason.UNKNOWN,
                f"{target.attempts} attempts got no answer and left no trace on the platform"))
            return "failed"
        retry_at = backoff(target.attempts, None, self.clock.now())
        await self._settle(cmd, lambda p: p.mark_failed(
            cmd.channel_id, attempt_id, FailureReason.UNKNOWN,
            "the platform has no trace of the last attempt; trying again", retry_at))
        return "retry (reconciled: not posted)"

    async def _channel(self, post: Post, target: Target):
        async with self.uow() as uow:
            return await uow.channels.get(post.workspace_id, target.channel_id)

    async def _settle(self, cmd: PublishTarget, change: Callable[[Post], None], tries: int = 5) -> Post:
        """Record an outcome; a concurrent change to another target is merged by reloading."""
        for _ in range(tries):
            post = await self.store.get(cmd.post_id, Post)
            change(post)
            try:
                await self.store.save(post)
                return post
            except ConcurrencyConflict:
                continue
        raise ConcurrencyConflict(f"could not record the outcome for post {cmd.post_id} after {tries} tries")
