"""The Post aggregate: drafts, variants, approval, scheduling, cancelling, publishing, locks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest

from adapters.shared.event_store import build_application
from domain.publishing.post import MAX_MEDIA, MAX_TEXT, Post
from domain.publishing.states import FailureReason, PostStatus, TargetState
from domain.shared.errors import InvalidValue, RuleViolated
from tests.unit.factories import (
    LATER,
    NOW,
    USER,
    WORKSPACE,
    assert_refused,
    event_names,
    make_post,
    reschedule,
    schedule,
    state,
)

EVEN_LATER = LATER + timedelta(hours=3)


def invalid_field(call) -> str:
    with pytest.raises(InvalidValue) as info:
        call()
    return info.value.field


def publishing(post: Post, channel_id, attempt_id=None):
    """Start an attempt on a scheduled target; returns the attempt id."""
    attempt_id = attempt_id or uuid4()
    post.start_attempt(channel_id=channel_id, attempt_id=attempt_id, started_at=LATER)
    return attempt_id


def published(post: Post, channel_id):
    attempt = publishing(post, channel_id)
    post.mark_published(channel_id=channel_id, attempt_id=attempt, remote_id="r-1", url="https://x/1",
                        published_at=LATER)
    return attempt


def unconfirmed(post: Post, channel_id):
    attempt = publishing(post, channel_id)
    post.mark_unconfirmed(channel_id=channel_id, attempt_id=attempt, detail="timeout")
    return attempt


LOCKERS = {"publishing": publishing, "published": published, "unconfirmed": unconfirmed}


# --- drafts -----------------------------------------------------------------------------

def test_draft_has_one_draft_target_per_channel():
    post, (a, b) = make_post("mastodon", "x", text="Hi", media=["img-1"])
    assert post.status is PostStatus.DRAFT
    assert post.workspace_id == WORKSPACE and post.author_id == USER and post.campaign_id is None
    assert post.text == "Hi" and post.media == ["img-1"]
    assert set(post.targets) == {a, b}
    assert post.targets[a].platform == "mastodon" and post.targets[b].platform == "x"
    assert all(t.state is TargetState.DRAFT and t.scheduled_at is None for t in post.targets.values())
    assert post.publish_state == "draft"
    assert post.scheduled_at is None and post.timezone is None and post.local_time is None
    assert event_names(post) == ["Drafted"]


def test_a_channel_listed_twice_is_refused():
    channel = uuid4()
    targets = [{"channel_id": channel, "platform": "x"}, {"channel_id": str(channel), "platform": "x"}]
    assert invalid_field(lambda: Post.draft(workspace_id=WORKSPACE, author_id=USER, text="t",
                                            targets=targets)) == "targets"


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"text": "x" * (MAX_TEXT + 1)}, "text"),
    ({"media": [f"m{i}" for i in range(MAX_MEDIA + 1)]}, "media"),
    ({"media": ["ok", "  "]}, "media"),
    ({"media": [3]}, "media"),
])
def test_draft_validates_text_and_media(kwargs, field):
    kwargs.setdefault("text", "t")
    assert invalid_field(lambda: make_post("mastodon", **kwargs)) == field


def test_text_at_the_size_limit_and_ten_media_are_accepted():
    post, _ = make_post("facebook", text="x" * MAX_TEXT, media=[f"m{i}" for i in range(MAX_MEDIA)])
    assert len(post.text) == MAX_TEXT and len(post.media) == MAX_MEDIA


def test_a_post_without_targets_cannot_be_scheduled():
    post = Post.draft(workspace_id=WORKSPACE, author_id=USER, text="t", targets=[])
    assert_refused(post, "no_targets", lambda: schedule(post))


def test_an_empty_post_cannot_be_scheduled():
    post, _ = make_post("mastodon", text="   ")
    assert_refused(post, "platform_rules.text_empty", lambda: schedule(post))


# --- content and variants ---------------------------------------------------------------

def test_edit_changes_text_and_media_and_records_one_event():
    post, _ = make_post("mastodon")
    post.collect_events()
    post.edit(by=USER, text="New text", media=["a.png"])
    assert (post.text, post.media) == ("New text", ["a.png"])
    events = post.collect_events()
    assert [type(e).__name__ for e in events] == ["ContentEdited"]
    assert events[0].by == USER


def test_edit_without_change_records_nothing():
    post, _ = make_post("mastodon", text="Same", media=["a"])
    post.collect_events()
    post.edit(by=USER, text="Same", media=["a"])
    post.edit(by=USER)
    assert post.collect_events() == [] and post.version == 1


def test_edit_validates_text_and_media():
    post, _ = make_post("mastodon")
    assert invalid_field(lambda: post.edit(by=USER, text="x" * (MAX_TEXT + 1))) == "text"
    assert invalid_field(lambda: post.edit(by=USER, media=[""])) == "media"
    assert post.text == "Hello world"


def test_variant_is_used_for_its_channel_only_and_can_be_removed():
    post, (a, b) = make_post("mastodon", "x", text="Base")
    post.set_variant(by=USER, channel_id=b, text="Short for X")
    assert post.text_for(a) == "Base" and post.text_for(b) == "Short for X"
    post.set_variant(by=USER, channel_id=b, text=None)
    assert post.text_for(b) == "Base" and post.variants == {}
    assert event_names(post) == ["Drafted", "VariantSet", "VariantSet"]


def test_setting_the_same_variant_again_records_nothing():
    post, (a,) = make_post("mastodon")
    post.set_variant(by=USER, channel_id=a, text="v")
    post.collect_events()
    post.set_variant(by=USER, channel_id=a, text="v")
    assert post.collect_events() == []


def test_variant_for_a_channel_that_is_not_a_target_is_refused():
    post, _ = make_post("mastodon")
    assert invalid_field(lambda: post.set_variant(by=USER, channel_id=uuid4(), text="v")) == "channel_id"
    assert invalid_field(lambda: post.set_variant(by=USER, channel_id=next(iter(post.targets)),
                                                  text="x" * (MAX_TEXT + 1))) == "text"
    assert post.variants == {}


def test_variants_give_content_when_the_base_text_is_empty():
    post, (a, b) = make_post("mastodon", "bluesky", text="")
    post.set_variant(by=USER, channel_id=a, text="for mastodon")
    assert_refused(post, "platform_rules.text_empty", lambda: schedule(post))
    post.set_variant(by=USER, channel_id=b, text="for bluesky")
    schedule(post)
    assert post.status is PostStatus.SCHEDULED


def test_change_targets_adds_and_removes_channels_and_drops_their_variants():
    post, (a, b) = make_post("mastodon", "x")
    post.set_variant(by=USER, channel_id=b, text="x text")
    c = uuid4()
    post.change_targets(by=USER, targets=[{"channel_id": a, "platform": "mastodon"},
                                          {"channel_id": c, "platform": "bluesky"}])
    assert set(post.targets) == {a, c}
    assert post.targets[c].platform == "bluesky" and post.targets[c].state is TargetState.DRAFT
    assert post.variants == {}


def test_change_targets_to_the_same_channels_records_nothing():
    post, (a,) = make_post("mastodon")
    post.collect_events()
    post.change_targets(by=USER, targets=[{"channel_id": str(a), "platform": "mastodon"}])
    assert post.collect_events() == []


def test_a_target_added_to_a_scheduled_post_joins_its_schedule():
    post, (a,) = make_post("mastodon")
    schedule(post)
    b = uuid4()
    post.change_targets(by=USER, targets=[{"channel_id": a, "platform": "mastodon"},
                                          {"channel_id": b, "platform": "bluesky"}])
    assert post.targets[b].state is TargetState.SCHEDULED
    assert post.targets[b].scheduled_at == LATER
    assert post.status is PostStatus.SCHEDULED


# --- approval ---------------------------------------------------------------------------

def test_submit_is_refused_where_approval_is_not_required():
    post, _ = make_post("mastodon")
    assert_refused(post, "approval_not_required", lambda: post.submit_for_review(by=USER))


def test_approval_flow_submit_approve_schedule():
    post, (a,) = make_post("mastodon", requires_approval=True)
    post.submit_for_review(by=USER)
    assert post.status is PostStatus.IN_REVIEW
    post.approve(by=USER, note="ok")
    assert post.status is PostStatus.APPROVED
    schedule(post)
    assert post.status is PostStatus.SCHEDULED and post.targets[a].state is TargetState.SCHEDULED
    assert event_names(post) == ["Drafted", "SubmittedForReview", "Approved", "Scheduled"]


def test_request_changes_sends_the_post_back_to_draft():
    post, _ = make_post("mastodon", requires_approval=True)
    post.submit_for_review(by=USER)
    post.request_changes(by=USER, note="shorter please")
    assert post.status is PostStatus.DRAFT
    post.submit_for_review(by=USER)
    assert post.status is PostStatus.IN_REVIEW


def test_approval_transitions_are_refused_out_of_order():
    post, _ = make_post("mastodon", requires_approval=True)
    assert_refused(post, "approval_transition", lambda: post.approve(by=USER))
    assert_refused(post, "approval_transition", lambda: post.request_changes(by=USER))
    post.submit_for_review(by=USER)
    assert_refused(post, "approval_transition", lambda: post.submit_for_review(by=USER))
    post.approve(by=USER)
    assert_refused(post, "approval_transition", lambda: post.approve(by=USER))
    assert_refused(post, "approval_transition", lambda: post.request_changes(by=USER))
    assert_refused(post, "approval_transition", lambda: post.submit_for_review(by=USER))


def test_an_empty_post_cannot_be_submitted():
    post, _ = make_post("mastodon", text=" ", requires_approval=True)
    assert_refused(post, "no_content", lambda: post.submit_for_review(by=USER))


def test_a_post_with_only_media_can_be_submitted():
    post, _ = make_post("instagram", text="", media=["photo.jpg"], requires_approval=True)
    post.submit_for_review(by=USER)
    assert post.status is PostStatus.IN_REVIEW


@pytest.mark.parametrize("steps", [0, 1])
def test_scheduling_needs_approval_where_required(steps):
    post, _ = make_post("mastodon", requires_approval=True)
    if steps:
        post.submit_for_review(by=USER)
    assert_refused(post, "approval_required", lambda: schedule(post))


@pytest.mark.parametrize("change", [
    lambda p, c: p.edit(by=USER, text="changed"),
    lambda p, c: p.edit(by=USER, media=["new.png"]),
    lambda p, c: p.set_variant(by=USER, channel_id=c, text="variant"),
    lambda p, c: p.change_targets(by=USER, targets=[{"channel_id": c, "platform": "mastodon"},
                                                     {"channel_id": uuid4(), "platform": "x"}]),
])
def test_changing_approved_content_withdraws_the_approval_and_unschedules(change):
    post, (a,) = make_post("mastodon", requires_approval=True)
    post.submit_for_review(by=USER)
    post.approve(by=USER)
    schedule(post)
    change(post, a)
    assert post.status is PostStatus.DRAFT
    assert all(t.state is TargetState.DRAFT for t in post.targets.values())
    assert_refused(post, "approval_required", lambda: schedule(post))
    post.submit_for_review(by=USER)
    post.approve(by=USER)
    schedule(post, at=EVEN_LATER)
    assert all(t.state is TargetState.SCHEDULED and t.scheduled_at == EVEN_LATER for t in post.targets.values())


def test_editing_a_post_in_review_sends_it_back_to_draft():
    post, _ = make_post("mastodon", requires_approval=True)
    post.submit_for_review(by=USER)
    post.edit(by=USER, text="changed while in review")
    assert post.status is PostStatus.DRAFT


def test_editing_a_scheduled_post_keeps_it_scheduled_without_approval():
    post, (a,) = make_post("mastodon")
    schedule(post)
    post.edit(by=USER, text="fixed a typo")
    assert post.status is PostStatus.SCHEDULED and post.targets[a].state is TargetState.SCHEDULED


def test_rescheduling_after_reapproval_leaves_a_published_target_alone():
    post, (a, b) = make_post("mastodon", "bluesky", requires_approval=True)
    post.submit_for_review(by=USER)
    post.approve(by=USER)
    schedule(post)
    published(post, a)
    post.set_variant(by=USER, channel_id=b, text="better for bluesky")  # withdraws the approval
    assert post.status is PostStatus.DRAFT and post.targets[b].state is TargetState.DRAFT
    post.submit_for_review(by=USER)
    post.approve(by=USER)
    schedule(post, at=EVEN_LATER)
    assert post.targets[a].state is TargetState.PUBLISHED and post.targets[a].remote_id == "r-1"
    assert post.targets[b].state is TargetState.SCHEDULED and post.targets[b].scheduled_at == EVEN_LATER


def test_retry_of_a_failed_target_needs_the_approval_again_after_an_edit():
    post, (a,) = make_post("mastodon", requires_approval=True)
    post.submit_for_review(by=USER)
    post.approve(by=USER)
    schedule(post)
    attempt = publishing(post, a)
    post.mark_failed(channel_id=a, attempt_id=attempt, reason="validation", message="too long")
    post.edit(by=USER, text="unapproved new text")
    assert post.status is PostStatus.DRAFT
    assert_refused(post, "approval_required", lambda: post.retry(by=USER, channel_id=a, at=LATER))
    post.submit_for_review(by=USER)
    post.approve(by=USER)
    schedule(post, at=EVEN_LATER)
    assert post.targets[a].state is TargetState.SCHEDULED


def test_an_automatic_retry_waits_for_the_approval_after_an_edit():
    post, (a, b) = make_post("mastodon", "bluesky", requires_approval=True)
    post.set_variant(by=USER, channel_id=a, text="mastodon's own")
    post.submit_for_review(by=USER)
    post.approve(by=USER)
    schedule(post)
    attempt = publishing(post, a)
    post.set_variant(by=USER, channel_id=b, text="new bluesky text")  # withdraws the approval
    post.mark_failed(channel_id=a, attempt_id=attempt, reason="rate_limited", message="429", retry_at=EVEN_LATER)
    assert post.targets[a].state is TargetState.DRAFT
    assert post.targets[a].failure["reason"] == "rate_limited"
    assert_refused(post, "target_not_due", lambda: publishing(post, a))
    post.submit_for_review(by=USER)
    post.approve(by=USER)
    schedule(post, at=EVEN_LATER)
    assert post.targets[a].state is TargetState.SCHEDULED and post.targets[a].scheduled_at == EVEN_LATER


# --- scheduling -------------------------------------------------------------------------

def test_schedule_sets_every_target_and_keeps_the_zone_and_wall_time():
    post, (a, b) = make_post("mastodon", "bluesky")
    local = datetime(2026, 3, 2, 13, 0)
    post.schedule(by=USER, at=LATER, timezone="Europe/Paris", local_time=local, now=NOW)
    assert post.status is PostStatus.SCHEDULED
    assert (post.scheduled_at, post.timezone, post.local_time) == (LATER, "Europe/Paris", local)
    assert all(t.state is TargetState.SCHEDULED and t.scheduled_at == LATER for t in post.targets.values())
    assert post.publish_state == "scheduled"


def test_scheduling_in_the_past_is_refused():
    post, _ = make_post("mastodon")
    assert_refused(post, "schedule_in_past", lambda: schedule(post, at=NOW - timedelta(seconds=1)))


def test_scheduling_for_now_is_allowed():
    post, _ = make_post("mastodon")
    schedule(post, at=NOW)
    assert post.scheduled_at == NOW


def test_schedule_needs_an_aware_instant():
    post, _ = make_post("mastodon")
    assert invalid_field(lambda: post.schedule(by=USER, at=datetime(2026, 3, 2, 12), timezone="UTC",
                                               local_time=datetime(2026, 3, 2, 12), now=NOW)) == "scheduled_at"


def test_a_scheduled_post_is_rescheduled_not_scheduled_again():
    post, _ = make_post("mastodon")
    schedule(post)
    assert_refused(post, "already_scheduled", lambda: schedule(post, at=EVEN_LATER))


def test_x_text_over_280_weighted_characters_is_refused():
    post, _ = make_post("x", text="a" * 281)
    err = assert_refused(post, "platform_rules.text_too_long", lambda: schedule(post))
    assert "281" in err.message
    post.edit(by=USER, text="a" * 280)
    schedule(post)
    assert post.status is PostStatus.SCHEDULED


def test_x_counts_emoji_as_two():
    post, _ = make_post("x", text="\U0001F600" * 141)  # 141 characters, weighted 282
    assert_refused(post, "platform_rules.text_too_long", lambda: schedule(post))


def test_the_x_variant_is_checked_not_the_base_text():
    post, (m, x) = make_post("mastodon", "x", text="a" * 400)
    assert_refused(post, "platform_rules.text_too_long", lambda: schedule(post))
    post.set_variant(by=USER, channel_id=x, text="short")
    schedule(post)
    assert post.targets[x].state is TargetState.SCHEDULED


def test_instagram_needs_media():
    post, _ = make_post("instagram", text="caption")
    assert_refused(post, "platform_rules.media_required", lambda: schedule(post))
    post.edit(by=USER, media=["photo.jpg"])
    schedule(post)
    assert post.status is PostStatus.SCHEDULED


def test_a_channel_limit_replaces_the_default():
    post, (a,) = make_post("mastodon", text="a" * 550)
    assert_refused(post, "platform_rules.text_too_long", lambda: schedule(post))
    assert_refused(post, "platform_rules.text_too_long", lambda: schedule(post, limits={a: 549}))
    schedule(post, limits={a: 600})
    assert post.status is PostStatus.SCHEDULED


def test_cancelled_targets_are_neither_checked_nor_scheduled():
    post, (m, x) = make_post("mastodon", "x", text="a" * 300)
    post.cancel(by=USER, channel_ids=[x])
    schedule(post)
    assert post.targets[m].state is TargetState.SCHEDULED
    assert post.targets[x].state is TargetState.CANCELLED and post.targets[x].scheduled_at is None


# --- rescheduling -----------------------------------------------------------------------

def test_only_a_scheduled_post_can_be_rescheduled():
    post, _ = make_post("mastodon")
    assert_refused(post, "not_scheduled", lambda: reschedule(post, EVEN_LATER))


def test_reschedule_moves_every_target():
    post, (a, b) = make_post("mastodon", "bluesky")
    schedule(post)
    reschedule(post, EVEN_LATER)
    assert post.scheduled_at == EVEN_LATER
    assert all(t.scheduled_at == EVEN_LATER for t in post.targets.values())
    assert event_names(post)[-1] == "Rescheduled"


def test_reschedule_one_target_leaves_the_others():
    post, (a, b) = make_post("mastodon", "bluesky")
    schedule(post)
    reschedule(post, EVEN_LATER, channel_ids=[b, b])
    assert post.targets[a].scheduled_at == LATER
    assert post.targets[b].scheduled_at == EVEN_LATER


def test_reschedule_into_the_past_is_refused():
    post, _ = make_post("mastodon")
    schedule(post)
    assert_refused(post, "schedule_in_past", lambda: reschedule(post, NOW - timedelta(minutes=1)))


def test_reschedule_of_an_unknown_channel_is_invalid():
    post, _ = make_post("mastodon")
    schedule(post)
    assert invalid_field(lambda: reschedule(post, EVEN_LATER, channel_ids=[uuid4()])) == "channel_id"


def test_reschedule_skips_cancelled_targets_but_refuses_to_name_them():
    post, (a, b) = make_post("mastodon", "bluesky")
    schedule(post)
    post.cancel(by=USER, channel_ids=[b])
    assert_refused(post, "target_cancelled", lambda: reschedule(post, EVEN_LATER, channel_ids=[b]))
    reschedule(post, EVEN_LATER)
    assert post.targets[a].scheduled_at == EVEN_LATER
    assert post.targets[b].state is TargetState.CANCELLED


def test_reschedule_puts_a_failed_target_back_on_the_schedule():
    post, (a,) = make_post("mastodon")
    schedule(post)
    attempt = publishing(post, a)
    post.mark_failed(channel_id=a, attempt_id=attempt, reason="auth_expired", message="401")
    reschedule(post, EVEN_LATER)
    target = post.targets[a]
    assert (target.state, target.scheduled_at, target.failure) == (TargetState.SCHEDULED, EVEN_LATER, None)


# --- cancelling -------------------------------------------------------------------------

def test_cancel_all_cancels_the_post():
    post, _ = make_post("mastodon", "bluesky")
    schedule(post)
    post.cancel(by=USER)
    assert post.status is PostStatus.CANCELLED
    assert all(t.state is TargetState.CANCELLED for t in post.targets.values())
    assert post.publish_state == "cancelled"


def test_cancel_some_targets_then_the_rest():
    post, (a, b) = make_post("mastodon", "bluesky")
    schedule(post)
    post.cancel(by=USER, channel_ids=[a])
    assert post.targets[a].state is TargetState.CANCELLED
    assert post.targets[b].state is TargetState.SCHEDULED
    assert post.status is PostStatus.SCHEDULED
    assert post.publish_state == "scheduled"
    post.cancel(by=USER, channel_ids=[b])
    assert post.status is PostStatus.CANCELLED


def test_cancel_of_an_unknown_channel_is_invalid():
    post, _ = make_post("mastodon")
    assert invalid_field(lambda: post.cancel(by=USER, channel_ids=[uuid4()])) == "channel_id"


@pytest.mark.parametrize("command", [
    lambda p, c: p.edit(by=USER, text="again"),
    lambda p, c: p.set_variant(by=USER, channel_id=c, text="v"),
    lambda p, c: p.change_targets(by=USER, targets=[]),
    lambda p, c: schedule(p),
    lambda p, c: reschedule(p, EVEN_LATER),
    lambda p, c: p.cancel(by=USER),
    lambda p, c: p.submit_for_review(by=USER),
])
def test_a_cancelled_post_is_closed(command):
    post, (a,) = make_post("mastodon", requires_approval=True)
    post.cancel(by=USER)
    assert_refused(post, "post_cancelled", lambda: command(post, a))


# --- publishing lifecycle ---------------------------------------------------------------

def test_an_attempt_needs_a_scheduled_target():
    post, (a,) = make_post("mastodon")
    assert_refused(post, "target_not_due", lambda: publishing(post, a))


def test_an_attempt_on_an_unknown_channel_is_invalid():
    post, _ = make_post("mastodon")
    schedule(post)
    assert invalid_field(lambda: publishing(post, uuid4())) == "channel_id"


def test_attempt_then_published():
    post, (a, b) = make_post("mastodon", "bluesky")
    schedule(post)
    attempt = publishing(post, a)
    target = post.targets[a]
    assert (target.state, target.attempt_id, target.attempts) == (TargetState.PUBLISHING, attempt, 1)
    assert post.publish_state == "partial"
    post.mark_published(channel_id=a, attempt_id=attempt, remote_id="109", url="https://m/109", published_at=LATER)
    assert (target.state, target.remote_id, target.url, target.failure) == (
        TargetState.PUBLISHED, "109", "https://m/109", None)
    published(post, b)
    assert post.publish_state == "published"
    assert event_names(post)[-4:] == ["PublishAttemptStarted", "TargetPublished",
                                      "PublishAttemptStarted", "TargetPublished"]


def test_a_stale_attempt_cannot_settle_the_target():
    post, (a,) = make_post("mastodon")
    schedule(post)
    publishing(post, a)
    stale = uuid4()
    assert_refused(post, "stale_attempt", lambda: post.mark_published(
        channel_id=a, attempt_id=stale, remote_id="1", url=None, published_at=LATER))
    assert_refused(post, "stale_attempt", lambda: post.mark_unconfirmed(channel_id=a, attempt_id=stale, detail="?"))
    assert_refused(post, "stale_attempt", lambda: post.mark_failed(
        channel_id=a, attempt_id=stale, reason="unknown", message="?"))


def test_a_published_target_cannot_be_published_again():
    post, (a,) = make_post("mastodon")
    schedule(post)
    attempt = published(post, a)
    assert_refused(post, "stale_attempt", lambda: post.mark_published(
        channel_id=a, attempt_id=attempt, remote_id="2", url=None, published_at=LATER))
    assert_refused(post, "stale_attempt", lambda: post.mark_failed(
        channel_id=a, attempt_id=attempt, reason="unknown", message="late"))
    assert_refused(post, "target_not_due", lambda: publishing(post, a))
    assert_refused(post, "retry_not_failed", lambda: post.retry(by=USER, channel_id=a, at=LATER))


def test_unconfirmed_then_reconciled_as_published():
    post, (a,) = make_post("mastodon")
    schedule(post)
    attempt = unconfirmed(post, a)
    target = post.targets[a]
    assert target.state is TargetState.UNCONFIRMED
    assert target.failure["reason"] == "unconfirmed" and target.failure["message"] == "timeout"
    assert_refused(post, "stale_attempt", lambda: post.mark_unconfirmed(channel_id=a, attempt_id=attempt, detail="x"))
    assert_refused(post, "target_not_due", lambda: publishing(post, a))
    post.mark_published(channel_id=a, attempt_id=attempt, remote_id="found", url=None, published_at=LATER)
    assert (target.state, target.remote_id, target.failure) == (TargetState.PUBLISHED, "found", None)


def test_unconfirmed_then_found_missing_fails():
    post, (a,) = make_post("mastodon")
    schedule(post)
    attempt = unconfirmed(post, a)
    post.mark_failed(channel_id=a, attempt_id=attempt, reason="unknown", message="not on the platform",
                     retry_at=EVEN_LATER)
    assert post.targets[a].state is TargetState.SCHEDULED


def test_failed_without_retry_waits_for_the_user():
    post, (a,) = make_post("mastodon")
    schedule(post)
    attempt = publishing(post, a)
    post.mark_failed(channel_id=a, attempt_id=attempt, reason="auth_expired", message="token expired")
    target = post.targets[a]
    assert target.state is TargetState.FAILED
    assert target.failure == {"reason": "auth_expired", "message": "token expired",
                              "fix": FailureReason.AUTH_EXPIRED.fix, "retry_at": None}
    assert post.publish_state == "failed"
    post.retry(by=USER, channel_id=a, at=EVEN_LATER)
    assert (target.state, target.scheduled_at) == (TargetState.SCHEDULED, EVEN_LATER)
    second = publishing(post, a)
    assert target.attempts == 2 and target.failure is None
    assert_refused(post, "stale_attempt", lambda: post.mark_published(
        channel_id=a, attempt_id=attempt, remote_id="old", url=None, published_at=LATER))
    post.mark_published(channel_id=a, attempt_id=second, remote_id="new", url=None, published_at=LATER)
    assert target.remote_id == "new"


def test_failed_with_retry_at_is_scheduled_again():
    post, (a,) = make_post("mastodon")
    schedule(post)
    attempt = publishing(post, a)
    retry_at = LATER + timedelta(minutes=5)
    post.mark_failed(channel_id=a, attempt_id=attempt, reason="rate_limited", message="429", retry_at=retry_at)
    target = post.targets[a]
    assert (target.state, target.scheduled_at) == (TargetState.SCHEDULED, retry_at)
    assert target.failure["retry_at"] == retry_at.isoformat() and target.failure["reason"] == "rate_limited"
    assert_refused(post, "stale_attempt", lambda: post.mark_published(
        channel_id=a, attempt_id=attempt, remote_id="late", url=None, published_at=LATER))
    assert_refused(post, "retry_not_failed", lambda: post.retry(by=USER, channel_id=a, at=LATER))


def test_an_unknown_failure_reason_is_invalid():
    post, (a,) = make_post("mastodon")
    schedule(post)
    attempt = publishing(post, a)
    before = state(post)
    assert invalid_field(lambda: post.mark_failed(
        channel_id=a, attempt_id=attempt, reason="gremlins", message="?")) == "reason"
    assert state(post) == before


def test_failure_reasons_are_transient_or_permanent():
    assert {r for r in FailureReason if r.transient} == {
        FailureReason.RATE_LIMITED, FailureReason.PLATFORM_UNAVAILABLE, FailureReason.UNKNOWN}
    assert all(r.fix.endswith(".") for r in FailureReason)


# --- locked targets ---------------------------------------------------------------------

@pytest.mark.parametrize("lock", sorted(LOCKERS))
@pytest.mark.parametrize("command", [
    "edit_text", "edit_media", "set_variant", "reschedule_it", "reschedule_all",
    "cancel_it", "cancel_all", "remove_target",
])
def test_a_locked_target_refuses_changes(lock, command):
    post, (a, b) = make_post("mastodon", "bluesky")
    post.set_variant(by=USER, channel_id=b, text="bluesky's own")
    schedule(post)
    LOCKERS[lock](post, a)
    commands = {
        "edit_text": lambda: post.edit(by=USER, text="new base text"),
        "edit_media": lambda: post.edit(by=USER, media=["new.png"]),
        "set_variant": lambda: post.set_variant(by=USER, channel_id=a, text="late change"),
        "reschedule_it": lambda: reschedule(post, EVEN_LATER, channel_ids=[a]),
        "reschedule_all": lambda: reschedule(post, EVEN_LATER),
        "cancel_it": lambda: post.cancel(by=USER, channel_ids=[a]),
        "cancel_all": lambda: post.cancel(by=USER),
        "remove_target": lambda: post.change_targets(by=USER, targets=[{"channel_id": b, "platform": "bluesky"}]),
    }
    assert_refused(post, f"target_{lock}", commands[command])


@pytest.mark.parametrize("lock", sorted(LOCKERS))
def test_a_locked_target_keeps_its_own_text(lock):
    post, (a,) = make_post("mastodon")
    post.set_variant(by=USER, channel_id=a, text="own text")
    schedule(post)
    LOCKERS[lock](post, a)
    assert_refused(post, f"target_{lock}", lambda: post.set_variant(by=USER, channel_id=a, text=None))
    assert_refused(post, f"target_{lock}", lambda: post.edit(by=USER, media=["m.png"]))
    assert post.text_for(a) == "own text"


@pytest.mark.parametrize("lock", sorted(LOCKERS))
def test_the_other_targets_stay_editable_while_one_is_locked(lock):
    post, (a, b) = make_post("mastodon", "bluesky")
    post.set_variant(by=USER, channel_id=a, text="mastodon's own")
    schedule(post)
    LOCKERS[lock](post, a)
    post.edit(by=USER, text="new base text")  # a has its own text, so only b changes
    post.set_variant(by=USER, channel_id=b, text="bluesky's own")
    reschedule(post, EVEN_LATER, channel_ids=[b])
    post.cancel(by=USER, channel_ids=[b])
    assert post.text_for(a) == "mastodon's own"
    assert post.targets[a].state is TargetState(lock)
    assert post.targets[b].state is TargetState.CANCELLED
    assert post.status is PostStatus.SCHEDULED


# --- persistence ------------------------------------------------------------------------

def test_post_survives_a_round_trip_through_the_event_store():
    app = build_application({})
    try:
        post, (a, b, c) = make_post("mastodon", "x", "instagram", text="Base", media=["p.jpg"])
        post.set_variant(by=USER, channel_id=b, text="For X")
        local = datetime(2026, 3, 2, 13, 30)
        at = datetime(2026, 3, 2, 12, 30, tzinfo=timezone.utc)
        post.schedule(by=USER, at=at, timezone="Europe/Paris", local_time=local, now=NOW)
        attempt = publishing(post, a)
        post.mark_failed(channel_id=a, attempt_id=attempt, reason="rate_limited", message="429",
                         retry_at=at + timedelta(minutes=10))
        published(post, b)
        unconfirmed(post, c)
        app.save(post)
        loaded = app.repository.get(post.id)
        assert state(loaded) == state(post)
        assert loaded.version == post.version == 9
        assert loaded.local_time == local and loaded.local_time.tzinfo is None
        assert loaded.scheduled_at == at and loaded.scheduled_at.utcoffset() == timedelta(0)
        assert loaded.targets[a].scheduled_at == at + timedelta(minutes=10)
        assert loaded.targets[b].state is TargetState.PUBLISHED and loaded.variants == {b: "For X"}
        assert loaded.targets[c].state is TargetState.UNCONFIRMED
        assert loaded.status is PostStatus.SCHEDULED
    finally:
        app.close()


# ----- a scheduled post keeps fitting its platforms ------------------------------------

def _scheduled_on(platform: str, text: str = "fits"):
    post = Post.draft(workspace_id=uuid4(), author_id=USER, text=text,
                      targets=[{"channel_id": str(uuid4()), "platform": platform}])
    post.schedule(by=USER, at=_LATER, timezone="UTC", local_time=_LATER.replace(tzinfo=None), now=_NOW)
    return post


_NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
_LATER = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)


def test_editing_a_scheduled_post_beyond_a_platforms_limit_is_refused_and_changes_nothing():
    post = _scheduled_on("x")
    version = post.version
    with pytest.raises(RuleViolated) as refused:
        post.edit(by=USER, text="x" * 281)
    assert refused.value.rule == "platform_rules.text_too_long"
    assert (post.text, post.version) == ("fits", version)


def test_a_too_long_variant_on_a_scheduled_post_is_refused():
    post = _scheduled_on("bluesky")
    channel = next(iter(post.targets))
    with pytest.raises(RuleViolated, match="Bluesky"):
        post.set_variant(by=USER, channel_id=channel, text="b" * 301)
    assert channel not in post.variants


def test_adding_instagram_to_a_scheduled_text_only_post_is_refused():
    post = _scheduled_on("mastodon")
    keep = [{"channel_id": str(c), "platform": "mastodon"} for c in post.targets]
    with pytest.raises(RuleViolated) as refused:
        post.change_targets(by=USER, targets=keep + [{"channel_id": str(uuid4()), "platform": "instagram"}], now=_NOW)
    assert refused.value.rule == "platform_rules.media_required"
    assert len(post.targets) == 1


def test_adding_a_channel_after_the_posts_time_has_passed_is_refused():
    post = _scheduled_on("mastodon")
    keep = [{"channel_id": str(c), "platform": "mastodon"} for c in post.targets]
    with pytest.raises(RuleViolated) as refused:
        post.change_targets(by=USER, targets=keep + [{"channel_id": str(uuid4()), "platform": "x"}],
                            now=_LATER.replace(hour=13))
    assert refused.value.rule == "schedule_in_past"


def test_a_draft_may_hold_text_too_long_until_it_is_scheduled():
    post = Post.draft(workspace_id=uuid4(), author_id=USER, text="x" * 400,
                      targets=[{"channel_id": str(uuid4()), "platform": "x"}])
    post.edit(by=USER, text="y" * 500)
    assert post.text == "y" * 500
