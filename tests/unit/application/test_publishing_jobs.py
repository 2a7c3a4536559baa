"""Which of a post's events call for which publishing job (`application.publishing.jobs.jobs_for`)."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from application.publishing.jobs import (
    RECONCILE_AFTER,
    PublishAt,
    PublishJob,
    ReconcileAttempt,
    RecoverAttempt,
    jobs_for,
    publish_job,
    recover_job,
)
from tests.unit.factories import LATER, USER, make_post, reschedule, schedule

EVEN_LATER = LATER + timedelta(hours=3)


def events_of(post):
    return post.collect_events()


def test_scheduling_calls_for_a_publish_job_per_target_at_its_due_time():
    post, (a, b) = make_post("mastodon", "bluesky")
    assert jobs_for(post, events_of(post)) == []  # a draft: nothing is due
    schedule(post)
    assert jobs_for(post, events_of(post)) == [publish_job(post.id, a, LATER), publish_job(post.id, b, LATER)]
    assert publish_job(post.id, a, LATER) == PublishJob(post.id, a, PublishAt(LATER), run_at=LATER)


def test_a_reschedule_calls_for_jobs_at_the_new_time_and_an_edit_for_none():
    post, (a,) = make_post("mastodon")
    schedule(post)
    events_of(post)
    post.edit(by=USER, text="Edited, same time")
    assert jobs_for(post, events_of(post)) == []  # the waiting job reads the new text when it runs
    reschedule(post, EVEN_LATER)
    [job] = jobs_for(post, events_of(post))
    assert job == publish_job(post.id, a, EVEN_LATER) and job.due_at == EVEN_LATER


def test_a_failure_with_a_retry_time_calls_for_a_job_then_and_a_final_one_for_none():
    post, (a,) = make_post("mastodon")
    schedule(post)
    events_of(post)
    attempt = uuid4()
    post.start_attempt(a, attempt, LATER)
    assert jobs_for(post, events_of(post)) == []
    post.mark_failed(a, attempt, "rate_limited", "429", retry_at=EVEN_LATER)
    assert jobs_for(post, events_of(post)) == [publish_job(post.id, a, EVEN_LATER)]
    attempt = uuid4()
    post.start_attempt(a, attempt, EVEN_LATER)
    post.mark_failed(a, attempt, "validation", "too long")
    assert jobs_for(post, events_of(post)) == []  # failed for good: the user retries


def test_an_unconfirmed_target_calls_for_a_reconcile_job_a_few_seconds_later():
    post, (a, b) = make_post("mastodon", "bluesky")
    schedule(post)
    events_of(post)
    attempt = uuid4()
    post.start_attempt(a, attempt, LATER)
    post.mark_unconfirmed(a, attempt, "timeout")
    events = events_of(post)
    [job] = jobs_for(post, events)
    assert job == PublishJob(post.id, a, ReconcileAttempt(attempt), run_at=events[-1].timestamp + RECONCILE_AFTER)
    assert job.due_at is None  # it finds the target whatever its schedule
    assert jobs_for(post, []) == []  # the same state without its event: already deferred


def test_a_recover_job_is_for_one_abandoned_attempt():
    post_id, channel_id = uuid4(), uuid4()
    job = recover_job(post_id, channel_id, LATER)
    assert job == PublishJob(post_id, channel_id, RecoverAttempt(LATER)) and job.run_at is None and job.due_at is None
    assert job != recover_job(post_id, channel_id, EVEN_LATER)
