"""Publishing one target exactly once, against a fake platform: due and early jobs, stale jobs,
cancelled and edited posts, typed failures (transient with backoff, permanent with a fix, expired
auth), unknown outcomes reconciled before any retry, stale attempts, concurrent targets of one post;
and RetryTarget."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest

from application.channels.commands import DisconnectChannel
from application.channels.credentials import load_credentials
from application.platforms.ports import OutcomeUnknown, PlatformError
from application.publishing.commands import CancelPost, EditPost, ReschedulePost, RetryTarget, SchedulePost, SetVariant
from application.publishing.jobs import ReconcileAttempt, publish_job
from application.publishing.outcomes import Failed, Idle, NothingDone, Published, ReconcileAt, RetryAt
from application.publishing.publish_target import (
    ATTEMPT_STALE_AFTER,
    BACKOFF_BASE,
    BACKOFF_CAP,
    EARLY_TOLERANCE,
    MAX_TRANSIENT_ATTEMPTS,
    RECONCILE_WINDOW,
    PublishTarget,
    PublishTargetHandler,
    backoff,
    idempotency_key,
    reconcile_backoff,
)
from application.shared.errors import ConcurrencyConflict, Forbidden, NotFound
from domain.channels.channel import TokenHealth
from domain.publishing.post import Post, Target
from domain.publishing.states import FailureReason, TargetState
from domain.shared.errors import RuleViolated
from tests.unit.application.conftest import INSTANCE, account
from tests.unit.conftest import START

DUE = START + timedelta(hours=1)


async def scheduled(app, owner, channels: list[UUID], text: str = "Hello world", at: datetime = DUE) -> UUID:
    post_id = await app.draft(owner, channels, text)
    await app.schedule_post(SchedulePost(owner.actor, post_id, at, "UTC"))
    return post_id


async def target(store, post_id: UUID, channel_id: UUID) -> Target:
    return (await store.get(post_id, Post)).targets[channel_id]


def event_names(store, post_id: UUID) -> list[str]:
    return [type(e).__name__ for e in store.app.repository.event_store.get(post_id)]


def sent(outcome) -> bool:
    """Published by this run's own call."""
    return isinstance(outcome, Published) and not outcome.reconciled


def found(outcome) -> bool:
    """Published: an earlier attempt of unknown outcome was found on the platform."""
    return isinstance(outcome, Published) and outcome.reconciled


@pytest.fixture
async def scene(app, kit, clock):
    """An owner with a connected Mastodon channel and a post on it, due in an hour."""
    owner = await app.owner()
    who = account("alice")
    channel_id = await kit.connect_oauth(owner, who)
    post_id = await scheduled(app, owner, [channel_id])
    return owner, who, channel_id, post_id


# ----- the happy path, once ------------------------------------------------------------------

async def test_a_due_target_is_published_once(app, kit, store, clock, scene):
    owner, who, channel_id, post_id = scene
    clock.advance(DUE - clock.now())
    outcome = await kit.publish(PublishTarget(post_id, channel_id, DUE))
    [status] = kit.mastodon.statuses
    assert outcome == Published(status.remote_id, status.url) and str(outcome) == "published"
    assert (status.text, status.account_id, status.base_url) == ("Hello world", who.remote_id, INSTANCE)
    published = await target(store, post_id, channel_id)
    assert published.state is TargetState.PUBLISHED
    assert (published.remote_id, published.url, published.published_at) == (status.remote_id, status.url, DUE)
    assert published.attempts == 1 and published.failure is None
    assert status.idempotency_key == idempotency_key(post_id, channel_id, "Hello world")
    # the job runs again (a duplicate delivery, the sweep): nothing more goes out
    assert await kit.publish(PublishTarget(post_id, channel_id, DUE)) == NothingDone(Idle.SETTLED, TargetState.PUBLISHED)
    assert await kit.publish(PublishTarget(post_id, channel_id)) == NothingDone(Idle.SETTLED, TargetState.PUBLISHED)
    assert len(kit.mastodon.publish_calls) == 1 and len(kit.mastodon.statuses) == 1
    assert event_names(store, post_id).count("PublishAttemptStarted") == 1


async def test_a_job_that_fires_early_waits_and_comes_back_on_time(app, kit, store, clock, scene):
    _, _, channel_id, post_id = scene
    clock.advance(DUE - clock.now() - timedelta(seconds=1))
    assert await kit.publish(PublishTarget(post_id, channel_id, DUE)) == NothingDone(Idle.NOT_DUE, until=DUE)
    assert kit.mastodon.publish_calls == []
    assert (await target(store, post_id, channel_id)).state is TargetState.SCHEDULED
    assert kit.jobs.waiting == [publish_job(post_id, channel_id, DUE)]  # deferred again, for its due time
    assert await kit.publish(PublishTarget(post_id, channel_id)) == NothingDone(Idle.NOT_DUE, until=DUE)
    assert len(kit.jobs.waiting) == 1  # a job for no schedule (a reconcile) leaves it to the publish job
    clock.advance(timedelta(seconds=1) - EARLY_TOLERANCE)  # within the tolerance: it goes
    assert sent(await kit.publish(PublishTarget(post_id, channel_id, DUE)))


async def test_a_job_for_an_older_schedule_does_nothing(app, kit, store, clock, scene):
    owner, _, channel_id, post_id = scene
    moved = DUE + timedelta(hours=2)
    await app.reschedule_post(ReschedulePost(owner.actor, post_id, moved, "UTC"))
    clock.advance(DUE - clock.now())
    assert await kit.publish(PublishTarget(post_id, channel_id, DUE)) == NothingDone(Idle.STALE)
    clock.advance(moved - clock.now())
    assert await kit.publish(PublishTarget(post_id, channel_id, DUE)) == NothingDone(Idle.STALE)
    assert kit.mastodon.publish_calls == []
    assert sent(await kit.publish(PublishTarget(post_id, channel_id, moved)))


async def test_a_cancelled_post_is_not_sent(app, kit, store, clock, scene):
    owner, _, channel_id, post_id = scene
    await app.cancel_post(CancelPost(owner.actor, post_id))
    clock.advance(DUE - clock.now())
    assert await kit.publish(PublishTarget(post_id, channel_id, DUE)) == NothingDone(Idle.SETTLED, TargetState.CANCELLED)
    assert kit.mastodon.publish_calls == []


async def test_the_edited_text_is_what_goes_out(app, kit, store, clock, scene):
    owner, _, channel_id, post_id = scene
    await app.edit_post(EditPost(owner.actor, post_id, text="Hello,   edited  world"))
    clock.advance(DUE - clock.now())
    assert sent(await kit.publish(PublishTarget(post_id, channel_id, DUE)))
    assert kit.mastodon.texts() == ["Hello,   edited  world"]
    assert kit.mastodon.publish_calls[0].idempotency_key == idempotency_key(post_id, channel_id, "Hello, edited world")
    assert kit.mastodon.publish_calls[0].idempotency_key != idempotency_key(post_id, channel_id, "Hello world")


async def test_a_channels_variant_is_what_goes_to_it(app, kit, store, clock):
    owner = await app.owner()
    one, two = await kit.connect_oauth(owner), await kit.connect_bluesky(owner)
    post_id = await scheduled(app, owner, [one, two], "Base text")
    await app.set_variant(SetVariant(owner.actor, post_id, two, "Shorter for Bluesky"))
    clock.advance(DUE - clock.now())
    assert sent(await kit.publish(PublishTarget(post_id, one, DUE)))  # both are due: both go out
    assert (kit.mastodon.texts(), kit.bluesky.texts()) == (["Base text"], ["Shorter for Bluesky"])


async def test_a_post_or_target_that_is_gone_does_nothing(app, kit, store, clock, scene):
    _, _, channel_id, post_id = scene
    clock.advance(DUE - clock.now())
    assert await kit.publish(PublishTarget(uuid4(), channel_id)) == NothingDone(Idle.GONE)
    assert await kit.publish(PublishTarget(post_id, uuid4())) == NothingDone(Idle.GONE)
    assert kit.mastodon.publish_calls == []


# ----- failures ------------------------------------------------------------------------------

def test_backoff_grows_with_attempts_up_to_the_cap_and_honours_the_platforms_time():
    now = START
    for rng, share in ((lambda: 0.0, 0.5), (lambda: 1.0, 1.0)):
        delays = [backoff(n, None, now, rng) - now for n in range(1, 12)]
        ceilings = [min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (n - 1)) for n in range(1, 12)]
        assert delays == [c * share for c in ceilings]
    assert [backoff(n, None, now, lambda: 0.5) - now for n in (1, 2, 3)] == [
        timedelta(seconds=3.75), timedelta(seconds=7.5), timedelta(seconds=15)]
    assert backoff(0, None, now, lambda: 1.0) - now == BACKOFF_BASE
    assert backoff(20, None, now, lambda: 1.0) - now == BACKOFF_CAP
    later = now + timedelta(hours=1)
    assert backoff(1, later, now, lambda: 1.0) == later  # Retry-After further than the backoff wins
    assert backoff(5, now + timedelta(seconds=1), now, lambda: 1.0) == now + BACKOFF_BASE * 16


async def test_a_rate_limit_is_retried_no_earlier_than_the_platform_says(app, kit, store, clock, scene):
    _, _, channel_id, post_id = scene
    clock.advance(DUE - clock.now())
    reset = clock.now() + timedelta(minutes=10)
    kit.mastodon.fail_next_publishes(PlatformError(FailureReason.RATE_LIMITED, "Too many requests", retry_at=reset))
    assert isinstance(await kit.publish(PublishTarget(post_id, channel_id, DUE)), RetryAt)
    waiting = await target(store, post_id, channel_id)
    assert waiting.state is TargetState.SCHEDULED and waiting.scheduled_at >= reset
    assert waiting.failure == {"reason": "rate_limited", "message": "Too many requests",
                               "fix": FailureReason.RATE_LIMITED.fix, "retry_at": waiting.scheduled_at.isoformat()}
    assert kit.mastodon.statuses == []
    retry_at = waiting.scheduled_at
    assert await kit.publish(PublishTarget(post_id, channel_id, retry_at)) == NothingDone(Idle.NOT_DUE, until=retry_at)
    assert await kit.publish(PublishTarget(post_id, channel_id, DUE)) == NothingDone(Idle.STALE)  # the old job
    clock.advance(retry_at - clock.now())
    assert sent(await kit.publish(PublishTarget(post_id, channel_id, retry_at)))
    done = await target(store, post_id, channel_id)
    assert done.attempts == 2 and done.failure is None and len(kit.mastodon.statuses) == 1


async def test_transient_failures_back_off_more_each_attempt_then_give_up(app, kit, store, clock, scene):
    _, _, channel_id, post_id = scene
    clock.advance(DUE - clock.now())
    kit.mastodon.fail_next_publishes(PlatformError(FailureReason.PLATFORM_UNAVAILABLE, "503"), times=MAX_TRANSIENT_ATTEMPTS)
    due, delays = DUE, []
    outcome = await kit.publish(PublishTarget(post_id, channel_id, due))
    while isinstance(outcome, RetryAt):
        waiting = await target(store, post_id, channel_id)
        assert waiting.failure["reason"] == "platform_unavailable" and outcome.reason is FailureReason.PLATFORM_UNAVAILABLE
        assert waiting.state is TargetState.SCHEDULED and waiting.scheduled_at == outcome.at
        delays.append(outcome.at - clock.now())
        due = outcome.at
        clock.advance(due - clock.now())
        outcome = await kit.publish(PublishTarget(post_id, channel_id, due))
    assert outcome == Failed(FailureReason.PLATFORM_UNAVAILABLE, "503") and 3 <= len(delays) < MAX_TRANSIENT_ATTEMPTS
    assert all(BACKOFF_BASE / 2 <= d <= BACKOFF_CAP for d in delays)
    assert delays == sorted(delays) and delays[-1] >= delays[0] * 2 ** (len(delays) - 2)
    given_up = await target(store, post_id, channel_id)
    assert given_up.state is TargetState.FAILED and given_up.failure["retry_at"] is None
    assert given_up.attempts == len(delays) + 1 <= MAX_TRANSIENT_ATTEMPTS
    assert kit.mastodon.statuses == [] and len(kit.mastodon.publish_calls) == given_up.attempts


@pytest.mark.parametrize("reason", ["validation", "media_rejected", "auth_expired"])
async def test_a_permanent_failure_waits_for_the_user_with_a_fix(app, kit, store, clock, scene, reason):
    _, _, channel_id, post_id = scene
    clock.advance(DUE - clock.now())
    kit.mastodon.fail_next_publishes(PlatformError(FailureReason(reason), f"Mastodon refused the post: {reason}"))
    assert await kit.publish(PublishTarget(post_id, channel_id, DUE)) == Failed(FailureReason(reason),
                                                                               f"Mastodon refused the post: {reason}")
    failed = await target(store, post_id, channel_id)
    assert failed.state is TargetState.FAILED and failed.attempts == 1
    assert failed.failure == {"reason": reason, "message": f"Mastodon refused the post: {reason}",
                              "fix": FailureReason(reason).fix, "retry_at": None}
    assert await kit.publish(PublishTarget(post_id, channel_id, DUE)) == NothingDone(Idle.SETTLED, TargetState.FAILED)
    assert len(kit.mastodon.publish_calls) == 1


async def test_expired_auth_fails_the_target_and_marks_the_channel_for_reconnecting(app, kit, uow, store, clock, scene):
    _, _, channel_id, post_id = scene
    kit.mastodon.tokens.clear()  # the user revoked PostWizard at the instance
    clock.advance(DUE - clock.now())
    assert isinstance(await kit.publish(PublishTarget(post_id, channel_id, DUE)), Failed)
    failed = await target(store, post_id, channel_id)
    assert failed.state is TargetState.FAILED and failed.failure["reason"] == "auth_expired"
    assert failed.failure["fix"] == FailureReason.AUTH_EXPIRED.fix
    channel = uow.state.channels[channel_id]
    assert channel.revoked and channel.last_error == "The access token is invalid"
    assert channel.health(clock.now()) is TokenHealth.NEEDS_RECONNECT


@pytest.mark.parametrize("how", ["planned", "disconnected", "deleted"])
async def test_a_channel_that_is_not_connected_fails_with_reconnect(app, kit, uow, store, clock, how):
    owner = await app.owner()
    if how == "planned":
        channel_id = await app.channel(owner, "mastodon", "@someone@mastodon.example")
    else:
        channel_id = await kit.connect_oauth(owner)
    post_id = await scheduled(app, owner, [channel_id])
    if how == "disconnected":
        await kit.disconnect(DisconnectChannel(owner.actor, channel_id))
    elif how == "deleted":
        del uow.state.channels[channel_id]
    clock.advance(DUE - clock.now())
    assert isinstance(await kit.publish(PublishTarget(post_id, channel_id, DUE)), Failed)
    failed = await target(store, post_id, channel_id)
    assert failed.state is TargetState.FAILED and failed.failure["reason"] == "auth_expired"
    assert failed.failure["retry_at"] is None
    assert ("no longer exists" if how == "deleted" else "reconnect") in failed.failure["message"]
    assert kit.mastodon.publish_calls == []


# ----- unknown outcomes ----------------------------------------------------------------------

async def test_an_unknown_outcome_that_landed_is_reconciled_as_published(app, kit, store, clock, scene):
    _, _, channel_id, post_id = scene
    clock.advance(DUE - clock.now())
    kit.mastodon.fail_next_publishes(OutcomeUnknown("504 from the gateway"), landed=True)
    assert isinstance(await kit.publish(PublishTarget(post_id, channel_id, DUE)), ReconcileAt)
    unconfirmed = await target(store, post_id, channel_id)
    assert unconfirmed.state is TargetState.UNCONFIRMED
    assert unconfirmed.failure["reason"] == "unconfirmed" and unconfirmed.failure["message"] == "504 from the gateway"
    [status] = kit.mastodon.statuses
    clock.advance(timedelta(minutes=1))
    assert found(await kit.publish(PublishTarget(post_id, channel_id)))
    published = await target(store, post_id, channel_id)
    assert published.state is TargetState.PUBLISHED and published.failure is None
    assert (published.remote_id, published.url, published.published_at) == (status.remote_id, status.url, DUE)
    assert len(kit.mastodon.publish_calls) == 1 and len(kit.mastodon.statuses) == 1


async def test_an_unknown_outcome_that_did_not_land_is_retried_with_the_same_key(app, kit, store, clock, scene):
    _, _, channel_id, post_id = scene
    clock.advance(DUE - clock.now())
    kit.mastodon.fail_next_publishes(OutcomeUnknown("connection reset"), landed=False)
    assert isinstance(await kit.publish(PublishTarget(post_id, channel_id, DUE)), ReconcileAt)
    clock.advance(timedelta(minutes=1))
    assert isinstance(await kit.publish(PublishTarget(post_id, channel_id)), RetryAt)
    again = await target(store, post_id, channel_id)
    assert again.state is TargetState.SCHEDULED and again.scheduled_at > clock.now()  # with backoff
    assert again.failure["reason"] == "unknown" and kit.mastodon.statuses == []
    clock.advance(again.scheduled_at - clock.now())
    assert sent(await kit.publish(PublishTarget(post_id, channel_id, again.scheduled_at)))
    first, second = kit.mastodon.publish_calls
    assert first.idempotency_key == second.idempotency_key == idempotency_key(post_id, channel_id, "Hello world")
    assert len(kit.mastodon.statuses) == 1 and (await target(store, post_id, channel_id)).attempts == 2


async def test_reconciling_matches_the_text_with_whitespace_folded_and_ignores_older_posts(app, kit, store, clock, scene):
    _, who, channel_id, post_id = scene
    kit.mastodon.post_directly(who.remote_id, INSTANCE, "Hello world")  # the same words, long before
    clock.advance(DUE - clock.now())
    kit.mastodon.post_directly(who.remote_id, INSTANCE, "Something else")
    kit.mastodon.fail_next_publishes(OutcomeUnknown("timeout"), landed=False)
    assert isinstance(await kit.publish(PublishTarget(post_id, channel_id, DUE)), ReconcileAt)
    assert DUE - START > RECONCILE_WINDOW
    landed = kit.mastodon.post_directly(who.remote_id, INSTANCE, "Hello\n  world ")  # as the platform echoes it
    assert found(await kit.publish(PublishTarget(post_id, channel_id)))
    assert (await target(store, post_id, channel_id)).remote_id == landed.remote_id


async def test_a_duplicate_after_an_earlier_attempt_is_reconciled_not_failed(app, kit, store, clock, scene):
    _, who, channel_id, post_id = scene
    clock.advance(DUE - clock.now())
    kit.mastodon.fail_next_publishes(PlatformError(FailureReason.PLATFORM_UNAVAILABLE, "502"))
    assert isinstance(await kit.publish(PublishTarget(post_id, channel_id, DUE)), RetryAt)
    retry_at = (await target(store, post_id, channel_id)).scheduled_at
    clock.advance(retry_at - clock.now())
    kit.mastodon.post_directly(who.remote_id, INSTANCE, "Hello world")  # the 502 hid a post that was made
    kit.mastodon.fail_next_publishes(PlatformError(FailureReason.DUPLICATE, "already posted"))
    outcome = await kit.publish(PublishTarget(post_id, channel_id, retry_at))
    assert isinstance(outcome, ReconcileAt) and outcome.detail == "already posted"
    assert (await target(store, post_id, channel_id)).state is TargetState.UNCONFIRMED
    assert found(await kit.publish(PublishTarget(post_id, channel_id)))
    assert len(kit.mastodon.statuses) == 1


# ----- attempts left behind ------------------------------------------------------------------

async def another_worker_starts(store, post_id: UUID, channel_id: UUID, at: datetime) -> UUID:
    post = await store.get(post_id, Post)
    attempt_id = uuid4()
    post.start_attempt(channel_id, attempt_id, at)
    await store.save(post)
    return attempt_id


async def test_a_young_attempt_is_left_to_its_worker(app, kit, store, clock, scene):
    _, _, channel_id, post_id = scene
    clock.advance(DUE - clock.now())
    await another_worker_starts(store, post_id, channel_id, clock.now())
    clock.advance(ATTEMPT_STALE_AFTER - timedelta(seconds=1))
    before = await target(store, post_id, channel_id)
    assert await kit.publish(PublishTarget(post_id, channel_id, DUE)) == NothingDone(Idle.IN_PROGRESS)
    assert await kit.publish(PublishTarget(post_id, channel_id)) == NothingDone(Idle.IN_PROGRESS)
    assert await target(store, post_id, channel_id) == before
    assert kit.mastodon.publish_calls == []


async def test_a_reconcile_that_cannot_ask_the_platform_asks_again_later_each_time_later(app, kit, store, clock, scene):
    _, _, channel_id, post_id = scene
    clock.advance(DUE - clock.now())
    kit.mastodon.fail_next_publishes(OutcomeUnknown("504 from the gateway"), landed=True)
    await kit.publish(PublishTarget(post_id, channel_id, DUE))
    kit.mastodon.fail_next_finds(PlatformError(FailureReason.PLATFORM_UNAVAILABLE, "500 Internal Server Error"), times=2)
    kit.mastodon.fail_next_finds(OutcomeUnknown("read timed out"))
    events = len(event_names(store, post_id))
    clock.advance(timedelta(seconds=30))
    for _ in range(3):
        outcome = await kit.publish(PublishTarget(post_id, channel_id))
        assert isinstance(outcome, ReconcileAt), outcome
        job = kit.jobs.waiting[-1]
        assert isinstance(job.purpose, ReconcileAttempt) and job.run_at == outcome.at
        ceiling = max(BACKOFF_BASE, (clock.now() - DUE) / 4)  # a quarter of its wait so far
        assert ceiling / 2 <= outcome.at - clock.now() <= ceiling
        wait = outcome.at - clock.now()
        clock.advance(wait)
    assert len(event_names(store, post_id)) == events  # nothing recorded: still unconfirmed
    assert (await target(store, post_id, channel_id)).state is TargetState.UNCONFIRMED
    assert found(await kit.publish(PublishTarget(post_id, channel_id)))
    assert len(kit.mastodon.statuses) == 1


def test_reconcile_backoff_honours_the_platforms_retry_time():
    now = START
    assert reconcile_backoff(now - timedelta(minutes=2), None, now, rng=lambda: 1.0) == now + timedelta(seconds=30)
    assert reconcile_backoff(now - timedelta(days=1), None, now, rng=lambda: 1.0) == now + BACKOFF_CAP
    assert reconcile_backoff(now, None, now, rng=lambda: 0.0) == now + BACKOFF_BASE / 2
    later = now + timedelta(hours=2)
    assert reconcile_backoff(now, later, now) == later


@pytest.mark.parametrize("landed", [True, False])
async def test_an_abandoned_attempt_is_unconfirmed_then_reconciled(app, kit, store, clock, scene, landed):
    _, who, channel_id, post_id = scene
    clock.advance(DUE - clock.now())
    attempt_id = await another_worker_starts(store, post_id, channel_id, clock.now())
    if landed:  # the worker died after the platform made the post
        status = kit.mastodon.post_directly(who.remote_id, INSTANCE, "Hello world")
    clock.advance(ATTEMPT_STALE_AFTER)
    outcome = await kit.publish(PublishTarget(post_id, channel_id))
    names = event_names(store, post_id)
    assert names[-3:-1] == ["PublishAttemptStarted", "TargetUnconfirmed"]
    after = await target(store, post_id, channel_id)
    if landed:
        assert outcome == Published(status.remote_id, status.url, reconciled=True) and names[-1] == "TargetPublished"
        assert (after.state, after.remote_id, after.attempt_id) == (TargetState.PUBLISHED, status.remote_id, attempt_id)
    else:
        assert isinstance(outcome, RetryAt) and outcome.reason is FailureReason.UNKNOWN and names[-1] == "TargetFailed"
        assert after.state is TargetState.SCHEDULED and after.scheduled_at > clock.now()  # with backoff
        clock.advance(after.scheduled_at - clock.now())
        assert sent(await kit.publish(PublishTarget(post_id, channel_id, after.scheduled_at)))
    assert len(kit.mastodon.statuses) == 1


# ----- concurrency ---------------------------------------------------------------------------

class RacingStore:
    """The real store, but the first `racers` reads wait for each other, so their writers race."""

    def __init__(self, store, racers: int) -> None:
        self.store, self.racers, self.conflicts = store, racers, 0
        self.waiting: asyncio.Event = asyncio.Event()
        self.arrived = 0

    async def get(self, aggregate_id, kind):
        aggregate = await self.store.get(aggregate_id, kind)
        if self.arrived < self.racers:
            self.arrived += 1
            if self.arrived == self.racers:
                self.waiting.set()
            await asyncio.wait_for(self.waiting.wait(), timeout=2)
        return aggregate

    async def save(self, *aggregates):
        try:
            return await self.store.save(*aggregates)
        except ConcurrencyConflict:
            self.conflicts += 1
            raise


async def test_targets_due_together_go_out_together_in_one_run(app, kit, store, uow, clock, ids):
    """One read and two saves for the post, whatever its number of due targets; their jobs then find
    nothing to do. A target due later, or failing, is left to its own job."""
    owner = await app.owner()
    mastodon, bluesky = await kit.connect_oauth(owner), await kit.connect_bluesky(owner)
    x = await kit.connect_oauth(owner, platform="x", instance=None)
    post_id = await scheduled(app, owner, [mastodon, bluesky, x])
    await app.reschedule_post(ReschedulePost(owner.actor, post_id, DUE + timedelta(minutes=1), "UTC", channel_ids=[x]))
    kit.bluesky.fail_next_publishes(PlatformError(FailureReason.PLATFORM_UNAVAILABLE, "502 Bad Gateway"))
    counting = CountingStore(store)
    clock.advance(DUE - clock.now())
    assert sent(await counted(kit, uow, clock, ids, counting)(PublishTarget(post_id, mastodon, DUE)))
    assert (counting.reads, counting.saves) == (1, 2)
    assert event_names(store, post_id)[-4:] == ["PublishAttemptStarted", "PublishAttemptStarted",
                                                "TargetPublished", "TargetFailed"]
    post = await store.get(post_id, Post)
    states = {c: t.state for c, t in post.targets.items()}
    assert states == {mastodon: TargetState.PUBLISHED, bluesky: TargetState.SCHEDULED, x: TargetState.SCHEDULED}
    assert post.targets[bluesky].failure["reason"] == "platform_unavailable"  # retried later by its own job
    assert await kit.publish(PublishTarget(post_id, mastodon, DUE)) == NothingDone(Idle.SETTLED, TargetState.PUBLISHED)
    assert kit.mastodon.texts() == ["Hello world"] and kit.x.texts() == []


async def test_two_jobs_of_one_post_due_together_send_each_target_once(app, kit, store, uow, clock, ids):
    owner = await app.owner()
    mastodon, bluesky = await kit.connect_oauth(owner), await kit.connect_bluesky(owner)
    post_id = await scheduled(app, owner, [mastodon, bluesky])
    racing = RacingStore(store, racers=2)
    handler = PublishTargetHandler(racing, uow, kit.directory, kit.keeper, clock, ids, kit.publish.media, kit.publish.images,
                                   kit.jobs)
    clock.advance(DUE - clock.now())
    outcomes = await asyncio.gather(handler(PublishTarget(post_id, mastodon, DUE)),
                                    handler(PublishTarget(post_id, bluesky, DUE)))
    [won] = [outcome for outcome in outcomes if sent(outcome)]  # it sent both
    [lost] = [outcome for outcome in outcomes if outcome is not won]
    assert lost in (NothingDone(Idle.IN_PROGRESS), NothingDone(Idle.SETTLED, TargetState.PUBLISHED))
    assert racing.conflicts >= 1  # one of them lost the version check and decided again
    assert kit.mastodon.texts() == ["Hello world"] and kit.bluesky.texts() == ["Hello world"]
    post = await store.get(post_id, Post)
    assert {t.state for t in post.targets.values()} == {TargetState.PUBLISHED}
    assert [t.attempts for t in post.targets.values()] == [1, 1]
    assert post.publish_state == "published"


async def test_the_same_target_run_twice_at_once_goes_out_once(app, kit, store, uow, clock, ids, scene):
    _, _, channel_id, post_id = scene
    racing = RacingStore(store, racers=2)
    handler = PublishTargetHandler(racing, uow, kit.directory, kit.keeper, clock, ids, kit.publish.media, kit.publish.images,
                                   kit.jobs)
    clock.advance(DUE - clock.now())
    outcomes = await asyncio.gather(handler(PublishTarget(post_id, channel_id, DUE)),
                                    handler(PublishTarget(post_id, channel_id, DUE)))
    [won] = [outcome for outcome in outcomes if sent(outcome)]
    [lost] = [outcome for outcome in outcomes if outcome is not won]
    assert lost in (NothingDone(Idle.IN_PROGRESS), NothingDone(Idle.SETTLED, TargetState.PUBLISHED))
    assert len(kit.mastodon.publish_calls) == 1 and len(kit.mastodon.statuses) == 1


class CountingStore:
    """The real store, counting reads and saves; `meanwhile` runs once, right after the first save (the
    attempt's), as another change would land while the platform call is out."""

    def __init__(self, store, meanwhile=None) -> None:
        self.store, self.meanwhile, self.reads, self.saves = store, meanwhile, 0, 0

    async def get(self, aggregate_id, kind):
        self.reads += 1
        return await self.store.get(aggregate_id, kind)

    async def save(self, *aggregates):
        self.saves += 1
        saved = await self.store.save(*aggregates)
        if self.saves == 1 and self.meanwhile is not None:
            await self.meanwhile()
        return saved


def counted(kit, uow, clock, ids, counting) -> PublishTargetHandler:
    return PublishTargetHandler(counting, uow, kit.directory, kit.keeper, clock, ids, kit.publish.media,
                                kit.publish.images, kit.jobs)


async def test_an_attempt_reads_the_post_once(app, kit, store, uow, clock, ids, scene):
    """The attempt and its outcome are saved on the post as read: one read, two saves."""
    _, _, channel_id, post_id = scene
    counting = CountingStore(store)
    clock.advance(DUE - clock.now())
    assert sent(await counted(kit, uow, clock, ids, counting)(PublishTarget(post_id, channel_id, DUE)))
    assert (counting.reads, counting.saves) == (1, 2)
    assert event_names(store, post_id)[-2:] == ["PublishAttemptStarted", "TargetPublished"]


async def test_an_outcome_is_merged_into_a_post_changed_meanwhile(app, kit, store, uow, clock, ids):
    """The other target is moved while this one's call is out: the outcome's save loses, and the
    outcome is recorded on the post read again, keeping the other change."""
    owner = await app.owner()
    mastodon, bluesky = await kit.connect_oauth(owner), await kit.connect_bluesky(owner)
    post_id = await scheduled(app, owner, [mastodon, bluesky])
    later, even_later = DUE + timedelta(hours=1), DUE + timedelta(hours=2)
    await app.reschedule_post(ReschedulePost(owner.actor, post_id, later, "UTC", channel_ids=[bluesky]))
    counting = CountingStore(store, meanwhile=lambda: app.reschedule_post(
        ReschedulePost(owner.actor, post_id, even_later, "UTC", channel_ids=[bluesky])))
    clock.advance(DUE - clock.now())
    assert sent(await counted(kit, uow, clock, ids, counting)(PublishTarget(post_id, mastodon, DUE)))
    assert (counting.reads, counting.saves) == (2, 3)  # the outcome's first save lost, then read again
    post = await store.get(post_id, Post)
    assert post.targets[mastodon].state is TargetState.PUBLISHED
    assert (post.targets[bluesky].state, post.targets[bluesky].scheduled_at) == (TargetState.SCHEDULED, even_later)


async def test_an_outcome_is_recorded_on_a_fresh_read_while_another_target_is_published(app, kit, store, uow, clock,
                                                                                      ids):
    """The other target comes due while this call is out, and its own run starts it: the outcome is
    recorded on the post read again rather than on a save bound to lose."""
    owner = await app.owner()
    mastodon, bluesky = await kit.connect_oauth(owner), await kit.connect_bluesky(owner)
    post_id = await scheduled(app, owner, [mastodon, bluesky])
    soon = DUE + timedelta(seconds=2)
    await app.reschedule_post(ReschedulePost(owner.actor, post_id, soon, "UTC", channel_ids=[bluesky]))

    async def meanwhile() -> None:  # the call takes two seconds
        clock.advance(soon - clock.now())
        await another_worker_starts(store, post_id, bluesky, clock.now())

    counting = CountingStore(store, meanwhile=meanwhile)
    clock.advance(DUE - clock.now())
    assert sent(await counted(kit, uow, clock, ids, counting)(PublishTarget(post_id, mastodon, DUE)))
    assert (counting.reads, counting.saves) == (2, 2)  # no save lost
    post = await store.get(post_id, Post)
    assert (post.targets[mastodon].state, post.targets[bluesky].state) == (TargetState.PUBLISHED, TargetState.PUBLISHING)


# ----- retrying by hand ----------------------------------------------------------------------

async def test_a_failed_target_can_be_retried_now(app, kit, store, clock, scene):
    owner, _, channel_id, post_id = scene
    clock.advance(DUE - clock.now())
    kit.mastodon.fail_next_publishes(PlatformError(FailureReason.VALIDATION, "Text too long for this instance"))
    assert isinstance(await kit.publish(PublishTarget(post_id, channel_id, DUE)), Failed)
    clock.advance(timedelta(hours=3))
    saved = await kit.retry(RetryTarget(owner.actor, post_id, channel_id))
    assert saved.id == post_id
    waiting = await target(store, post_id, channel_id)
    assert waiting.state is TargetState.SCHEDULED and waiting.scheduled_at == clock.now()
    assert sent(await kit.publish(PublishTarget(post_id, channel_id, waiting.scheduled_at)))
    assert len(kit.mastodon.statuses) == 1


async def test_only_failed_targets_can_be_retried(app, kit, store, clock, scene):
    owner, _, channel_id, post_id = scene
    with pytest.raises(RuleViolated) as info:  # scheduled
        await kit.retry(RetryTarget(owner.actor, post_id, channel_id))
    assert info.value.rule == "retry_not_failed"
    clock.advance(DUE - clock.now())
    kit.mastodon.fail_next_publishes(OutcomeUnknown("timeout"), landed=True)
    assert isinstance(await kit.publish(PublishTarget(post_id, channel_id, DUE)), ReconcileAt)
    with pytest.raises(RuleViolated) as info:  # unconfirmed: it may have gone out
        await kit.retry(RetryTarget(owner.actor, post_id, channel_id))
    assert info.value.rule == "retry_not_failed"
    assert found(await kit.publish(PublishTarget(post_id, channel_id)))
    with pytest.raises(RuleViolated) as info:  # published
        await kit.retry(RetryTarget(owner.actor, post_id, channel_id))
    assert info.value.rule == "retry_not_failed"
    assert len(kit.mastodon.statuses) == 1


async def test_retrying_needs_edit_rights_in_the_posts_workspace(app, kit, store, clock, scene):
    owner, _, channel_id, post_id = scene
    clock.advance(DUE - clock.now())
    kit.mastodon.fail_next_publishes(PlatformError(FailureReason.VALIDATION, "too long"))
    assert isinstance(await kit.publish(PublishTarget(post_id, channel_id, DUE)), Failed)
    viewer = await app.member(owner, "viewer")
    with pytest.raises(Forbidden):
        await kit.retry(RetryTarget(viewer.actor, post_id, channel_id))
    stranger = await app.owner("Elsewhere")
    with pytest.raises(NotFound):
        await kit.retry(RetryTarget(stranger.actor, post_id, channel_id))
    assert (await target(store, post_id, channel_id)).state is TargetState.FAILED
    editor = await app.member(owner, "editor")
    await kit.retry(RetryTarget(editor.actor, post_id, channel_id))
    assert (await target(store, post_id, channel_id)).state is TargetState.SCHEDULED


# ----- regressions (each pins a bug found while testing) -------------------------------

async def test_duplicate_on_the_first_attempt_fails_permanently(app, kit, store, clock, scene):
    _, _, channel_id, post_id = scene
    clock.advance(DUE - clock.now())
    kit.mastodon.fail_next_publishes(PlatformError(FailureReason.DUPLICATE, "already posted"))
    assert isinstance(await kit.publish(PublishTarget(post_id, channel_id, DUE)), Failed)
    assert (await target(store, post_id, channel_id)).failure["reason"] == "duplicate"


async def test_transient_failures_count_the_current_attempt_once(app, kit, store, clock, scene):
    _, _, channel_id, post_id = scene
    clock.advance(DUE - clock.now())
    kit.mastodon.fail_next_publishes(PlatformError(FailureReason.PLATFORM_UNAVAILABLE, "503"), times=MAX_TRANSIENT_ATTEMPTS)
    outcomes, due = [], DUE
    for attempt in range(1, MAX_TRANSIENT_ATTEMPTS + 1):
        outcomes.append(await kit.publish(PublishTarget(post_id, channel_id, due)))
        t = await target(store, post_id, channel_id)
        if attempt == 1:
            assert t.scheduled_at - clock.now() <= BACKOFF_BASE  # first retry: at most 5 s (is 5-10 s)
        due = t.scheduled_at
        clock.advance(due - clock.now())
    assert [type(o) for o in outcomes] == [RetryAt] * (MAX_TRANSIENT_ATTEMPTS - 1) + [Failed]  # is 6 retries, then failed


async def test_a_platform_that_keeps_timing_out_is_given_up_on(app, kit, store, clock, scene):
    _, _, channel_id, post_id = scene
    clock.advance(DUE - clock.now())
    kit.mastodon.fail_next_publishes(OutcomeUnknown("timeout"), times=1000)
    for _ in range(4 * MAX_TRANSIENT_ATTEMPTS):  # attempt, reconcile, attempt, reconcile...
        t = await target(store, post_id, channel_id)
        if t.state is TargetState.FAILED:
            break
        clock.advance(timedelta(minutes=1))  # the sweep picks an unconfirmed target up after 45 s
        await kit.publish(PublishTarget(post_id, channel_id))
    t = await target(store, post_id, channel_id)
    assert t.state is TargetState.FAILED, (t.state, t.attempts, t.scheduled_at == clock.now())


async def test_retrying_a_duplicate_by_hand_does_not_loop(app, kit, store, clock, scene):
    owner, who, channel_id, post_id = scene
    kit.mastodon.post_directly(who.remote_id, INSTANCE, "Hello world")  # posted by hand an hour before
    clock.advance(DUE - clock.now())
    kit.mastodon.fail_next_publishes(PlatformError(FailureReason.DUPLICATE, "Validation failed: duplicate"), times=1000)
    await kit.publish(PublishTarget(post_id, channel_id, DUE))
    if (await target(store, post_id, channel_id)).state is TargetState.FAILED:   # once bug 1 is fixed
        await kit.retry(RetryTarget(owner.actor, post_id, channel_id))          # the user tries again
    outcomes = []
    for _ in range(10):
        if (await target(store, post_id, channel_id)).state is TargetState.FAILED:
            break
        clock.advance(timedelta(minutes=1))
        outcomes.append(await kit.publish(PublishTarget(post_id, channel_id)))
    assert (await target(store, post_id, channel_id)).state is TargetState.FAILED, outcomes


async def test_a_refresh_answer_without_an_access_token_is_refused(app, kit, uow, clock):
    owner = await app.owner()
    channel_id = await kit.connect_bluesky(owner)
    async with uow() as tx:
        old = await load_credentials(tx, kit.cipher, channel_id)
    kit.bluesky.refresh_answer_without_access_token = True
    clock.advance(timedelta(hours=2) - timedelta(minutes=5))
    try:
        await kit.keeper.access(uow.state.channels[channel_id].workspace_id, channel_id)
    except Exception:
        pass  # refusing is fine; the stored state is what matters
    async with uow() as tx:
        stored = await load_credentials(tx, kit.cipher, channel_id)
    assert stored.access_token != old.access_token or stored.expires_at == old.expires_at


async def test_a_different_account_with_a_reused_handle_gets_its_own_channel(app, kit, uow):
    owner = await app.owner()
    first = await kit.connect_bluesky(owner, account("pw.bsky.social"))
    second = await kit.connect_bluesky(owner, account("pw.bsky.social"), password="other-pass")
    assert second != first


async def test_a_planned_mastodon_channel_is_matched_by_its_full_handle(app, kit, uow):
    owner = await app.owner()
    planned = await app.channel(owner, "mastodon", "@pw@mastodon.example")
    connected = await kit.connect_oauth(owner, account("pw@mastodon.example"))  # the adapter says user@instance
    assert connected == planned and len(uow.state.channels) == 1
