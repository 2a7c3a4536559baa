"""Random command sequences against one Post: the target state machine's invariants hold.

- a published target stays published with the same remote id, and is published once;
- user commands never change or remove a target that is publishing, published or unconfirmed;
- a refused command leaves no trace (state and pending events unchanged);
- a cancelled post has only cancelled targets; in an approval workspace a target is due
  (scheduled) only while the post is approved and scheduled;
- replaying the recorded events, and a round trip through the event store, rebuild the same state.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from functools import reduce
from uuid import UUID, uuid4

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from adapters.shared.event_store import build_application
from domain.publishing.post import Post
from domain.publishing.states import LOCKED_TARGET_STATES, FailureReason, PostStatus, TargetState
from domain.shared.errors import DomainError
from tests.unit.factories import LATER, NOW, USER, WORKSPACE, state

POOL = [(UUID(int=i + 1), platform) for i, platform in enumerate(("mastodon", "bluesky", "x", "instagram"))]
# Channels are picked by index among the post's current targets (an index past them picks a
# channel of the pool that may not be a target), so most commands name a real target.
CHANNELS = st.integers(0, 5)
SOME_CHANNELS = st.none() | st.lists(CHANNELS, min_size=1, max_size=3)
STALE = st.sampled_from([False, False, False, True])
TIMES = st.sampled_from([NOW - timedelta(hours=1), NOW, LATER, LATER + timedelta(hours=2)])
TEXTS = st.sampled_from(["Hello world", "Changed text", "a" * 290, "", "#tag " * 3])
UNSETTLED = (TargetState.PUBLISHING, TargetState.UNCONFIRMED)


def has_target_in(post: Post, *states: TargetState) -> bool:
    return any(t.state in states for t in post.targets.values())


class PostMachine(RuleBasedStateMachine):
    """Rules that could only be refused in the current state are mostly skipped (preconditions),
    so that runs reach deep histories; the unit tests cover each refusal."""

    @initialize(requires_approval=st.booleans(), count=st.integers(1, 3), media=st.booleans())
    def start(self, requires_approval: bool, count: int, media: bool) -> None:
        self.post = Post.draft(workspace_id=WORKSPACE, author_id=USER, text="Hello world",
                               targets=[{"channel_id": c, "platform": p} for c, p in POOL[:count]],
                               media=["photo.jpg"] if media else None, requires_approval=requires_approval)
        self.events = list(self.post.collect_events())
        self.published: dict[UUID, str] = {}

    # ----- running a command and checking what it may change --------------------------

    def run(self, command, *, user: bool) -> None:
        before = state(self.post)
        locked = {c: (t.state, t.attempt_id, t.remote_id, self.post.text_for(c), list(self.post.media))
                  for c, t in self.post.targets.items() if t.state in LOCKED_TARGET_STATES}
        try:
            command()
        except DomainError:
            assert state(self.post) == before, "a refused command changed the post"
            assert not self.post._pending_events
            return
        new = self.post.collect_events()
        assert len(new) <= 1
        self.events += new
        if user:
            for channel_id, (was, attempt, remote, text, media) in locked.items():
                target = self.post.targets.get(channel_id)
                assert target is not None, "a locked target was removed"
                assert (target.state, target.attempt_id, target.remote_id) == (was, attempt, remote)
                assert self.post.text_for(channel_id) == text and self.post.media == media
        for channel_id, target in self.post.targets.items():
            if target.state is TargetState.PUBLISHED:
                self.published.setdefault(channel_id, target.remote_id)

    def channel(self, index: int) -> UUID:
        current = list(self.post.targets)
        return current[index] if index < len(current) else POOL[index % len(POOL)][0]

    def channels(self, indexes: list[int] | None) -> list[UUID] | None:
        return None if indexes is None else [self.channel(i) for i in indexes]

    def attempt_of(self, channel_id: UUID, stale: bool) -> UUID:
        target = self.post.targets.get(channel_id)
        return uuid4() if stale or target is None or target.attempt_id is None else target.attempt_id

    # ----- user commands -----------------------------------------------------------------

    @rule(text=TEXTS)
    def edit_text(self, text):
        self.run(lambda: self.post.edit(by=USER, text=text), user=True)

    @rule(media=st.sampled_from([[], ["photo.jpg"], ["a.png", "b.png"]]))
    def edit_media(self, media):
        self.run(lambda: self.post.edit(by=USER, media=media), user=True)

    @rule(channel=CHANNELS, text=st.none() | TEXTS)
    def set_variant(self, channel, text):
        channel_id = self.channel(channel)
        self.run(lambda: self.post.set_variant(by=USER, channel_id=channel_id, text=text), user=True)

    @rule(picked=st.sets(st.integers(0, len(POOL) - 1), max_size=len(POOL)))
    def change_targets(self, picked):
        targets = [{"channel_id": POOL[i][0], "platform": POOL[i][1]} for i in sorted(picked)]
        self.run(lambda: self.post.change_targets(by=USER, targets=targets), user=True)

    @precondition(lambda self: self.post.requires_approval)
    @rule()
    def submit(self):
        self.run(lambda: self.post.submit_for_review(by=USER), user=True)

    @precondition(lambda self: self.post.status is PostStatus.IN_REVIEW)
    @rule(approve=st.booleans())
    def review(self, approve):
        command = self.post.approve if approve else self.post.request_changes
        self.run(lambda: command(by=USER), user=True)

    @rule(at=TIMES)
    def schedule(self, at):
        self.run(lambda: self.post.schedule(by=USER, at=at, timezone="UTC", local_time=at.replace(tzinfo=None),
                                            now=NOW), user=True)

    @precondition(lambda self: self.post.status is PostStatus.SCHEDULED)
    @rule(at=TIMES, channels=SOME_CHANNELS)
    def reschedule(self, at, channels):
        channel_ids = self.channels(channels)
        self.run(lambda: self.post.reschedule(by=USER, at=at, timezone="UTC", local_time=at.replace(tzinfo=None),
                                              now=NOW, channel_ids=channel_ids), user=True)

    @rule(channels=SOME_CHANNELS, everything=st.sampled_from([False] * 7 + [True]))
    def cancel(self, channels, everything):
        channel_ids = None if everything else self.channels(channels or [0])
        self.run(lambda: self.post.cancel(by=USER, channel_ids=channel_ids), user=True)

    @precondition(lambda self: has_target_in(self.post, TargetState.FAILED))
    @rule(channel=CHANNELS)
    def retry(self, channel):
        channel_id = self.channel(channel)
        self.run(lambda: self.post.retry(by=USER, channel_id=channel_id, at=LATER), user=True)

    @rule(at=TIMES)
    def approve_and_schedule(self, at):
        """The happy path in one step, so that random runs reach publishing often."""
        if self.post.requires_approval:
            self.submit()
            self.review(approve=True)
        self.schedule(at)

    # ----- the publishing worker ---------------------------------------------------------

    @rule(channel=CHANNELS, outcome=st.sampled_from(["none", "published", "unconfirmed", "failed", "retry_later"]),
          stale=STALE, reason=st.sampled_from(list(FailureReason)))
    def attempt(self, channel, outcome, stale, reason):
        """An attempt and its outcome, as the worker runs them."""
        self.start_attempt(channel)
        if outcome == "published":
            self.mark_published(channel, stale)
        elif outcome == "unconfirmed":
            self.mark_unconfirmed(channel, stale)
        elif outcome in ("failed", "retry_later"):
            self.mark_failed(channel, stale, reason, outcome == "retry_later")

    @rule(channel=CHANNELS)
    def start_attempt(self, channel):
        channel_id = self.channel(channel)
        self.run(lambda: self.post.start_attempt(channel_id=channel_id, attempt_id=uuid4(), started_at=LATER),
                 user=False)

    @precondition(lambda self: has_target_in(self.post, *UNSETTLED))
    @rule(channel=CHANNELS, stale=STALE)
    def mark_published(self, channel, stale):
        channel_id = self.channel(channel)
        attempt = self.attempt_of(channel_id, stale)
        self.run(lambda: self.post.mark_published(channel_id=channel_id, attempt_id=attempt,
                                                  remote_id=f"remote-{uuid4().hex[:6]}", url=None,
                                                  published_at=LATER), user=False)

    @precondition(lambda self: has_target_in(self.post, *UNSETTLED))
    @rule(channel=CHANNELS, stale=STALE)
    def mark_unconfirmed(self, channel, stale):
        channel_id = self.channel(channel)
        attempt = self.attempt_of(channel_id, stale)
        self.run(lambda: self.post.mark_unconfirmed(channel_id=channel_id, attempt_id=attempt, detail="timeout"),
                 user=False)

    @precondition(lambda self: has_target_in(self.post, *UNSETTLED))
    @rule(channel=CHANNELS, stale=STALE, reason=st.sampled_from(list(FailureReason)), retry=st.booleans())
    def mark_failed(self, channel, stale, reason, retry):
        channel_id = self.channel(channel)
        attempt = self.attempt_of(channel_id, stale)
        retry_at = LATER + timedelta(minutes=5) if retry else None
        self.run(lambda: self.post.mark_failed(channel_id=channel_id, attempt_id=attempt, reason=reason.value,
                                               message="refused", retry_at=retry_at), user=False)

    # ----- invariants --------------------------------------------------------------------

    @invariant()
    def published_targets_stay_published_once(self):
        if not hasattr(self, "post"):
            return
        for channel_id, remote_id in self.published.items():
            target = self.post.targets.get(channel_id)
            assert target is not None and target.state is TargetState.PUBLISHED
            assert target.remote_id == remote_id
        counts = Counter(e.channel_id for e in self.events if type(e).__name__ == "TargetPublished")
        assert all(n == 1 for n in counts.values()), counts

    @invariant()
    def statuses_agree_with_targets(self):
        if not hasattr(self, "post"):
            return
        targets = self.post.targets.values()
        if self.post.status is PostStatus.CANCELLED:
            assert all(t.state is TargetState.CANCELLED for t in targets)
        if self.post.requires_approval and any(t.state is TargetState.SCHEDULED for t in targets):
            assert self.post.status is PostStatus.SCHEDULED
        for t in targets:
            if t.state is TargetState.SCHEDULED:
                assert t.scheduled_at is not None
            if t.state in LOCKED_TARGET_STATES:
                assert t.attempt_id is not None and t.attempts >= 1
            if t.state is TargetState.PUBLISHED:
                assert t.remote_id and t.failure is None

    def teardown(self):
        if not hasattr(self, "post"):
            return
        replayed = reduce(lambda aggregate, e: e.mutate(aggregate), self.events, None)
        assert state(replayed) == state(self.post)


PostMachine.TestCase.settings = settings(
    max_examples=400, stateful_step_count=30, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestPostStateMachine = PostMachine.TestCase


def test_a_long_random_history_survives_the_event_store():
    """One fixed-seed machine run, then the same events through the store's transcoder."""
    machine = PostMachine()
    machine.start(requires_approval=False, count=3, media=True)
    a, b, c = (channel for channel, _ in POOL[:3])
    machine.set_variant(1, "short for bluesky")
    machine.schedule(LATER)
    machine.start_attempt(0)
    machine.mark_failed(0, False, FailureReason.RATE_LIMITED, True)
    machine.start_attempt(0)
    machine.mark_published(0, False)
    machine.start_attempt(1)
    machine.mark_unconfirmed(1, False)
    machine.start_attempt(2)
    machine.mark_failed(2, False, FailureReason.AUTH_EXPIRED, False)
    machine.retry(2)
    machine.published_targets_stay_published_once()
    machine.statuses_agree_with_targets()
    post = machine.post
    assert [post.targets[x].state for x in (a, b, c)] == [
        TargetState.PUBLISHED, TargetState.UNCONFIRMED, TargetState.SCHEDULED]
    app = build_application({})
    try:
        replayed = reduce(lambda aggregate, e: e.mutate(aggregate), machine.events, None)
        replayed._pending_events = list(machine.events)
        app.save(replayed)
        assert state(app.repository.get(post.id)) == state(post)
    finally:
        app.close()
