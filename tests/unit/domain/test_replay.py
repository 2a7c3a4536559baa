"""Stored history is never judged again: a stream recorded under an older, looser rule replays.

Rules may tighten after events were stored; an `@event` body only changes state, so loading an
aggregate re-applies what happened without asking whether it would still be allowed today.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID, uuid4

import pytest

from adapters.shared.event_store import build_application
from domain.campaigns.campaign import Campaign
from domain.publishing.post import Post
from domain.publishing.states import PostStatus, TargetState
from tests.unit.factories import LATER, USER, WORKSPACE, make_post, schedule


def _recorded(event_class: type, aggregate, **attributes):
    """An event as an older release, with a looser rule, would have stored it after `aggregate`."""
    return event_class(originator_id=aggregate.id, originator_version=aggregate.version + 1,
                       timestamp=event_class.create_timestamp(), **attributes)


def _published_post() -> tuple[Post, UUID]:
    post, (channel,) = make_post("mastodon")
    schedule(post)
    attempt = uuid4()
    post.start_attempt(channel_id=channel, attempt_id=attempt, started_at=LATER)
    post.mark_published(channel_id=channel, attempt_id=attempt, remote_id="r-1", url=None, published_at=LATER)
    return post, channel


def _variant_of_a_published_target():
    post, channel = _published_post()
    return post, _recorded(Post.VariantSet, post, by=USER, channel_id=channel, text="edited after it went out"), \
        lambda loaded: loaded.variants[channel] == "edited after it went out" \
        and loaded.targets[channel].state is TargetState.PUBLISHED


def _edit_of_a_published_post():
    post, channel = _published_post()
    return post, _recorded(Post.ContentEdited, post, by=USER, text="new", media=[]), \
        lambda loaded: loaded.text == "new"


def _approval_without_review():
    post, _ = make_post("mastodon", requires_approval=True)
    return post, _recorded(Post.Approved, post, by=USER, note=""), \
        lambda loaded: loaded.status is PostStatus.APPROVED


def _retry_of_a_scheduled_target():
    post, (channel,) = make_post("mastodon")
    schedule(post)
    return post, _recorded(Post.RetryRequested, post, by=USER, channel_id=channel, at=LATER), \
        lambda loaded: loaded.targets[channel].scheduled_at == LATER


def _failure_for_a_reason_no_longer_known():
    post, (channel,) = make_post("mastodon")
    schedule(post)
    attempt = uuid4()
    post.start_attempt(channel_id=channel, attempt_id=attempt, started_at=LATER)
    return post, _recorded(Post.TargetFailed, post, channel_id=channel, attempt_id=attempt, reason="gone_reason",
                           message="old", retry_at=None), \
        lambda loaded: loaded.targets[channel].state is TargetState.FAILED \
        and loaded.targets[channel].failure["reason"] == "gone_reason"


def _x_text_longer_than_todays_limit():
    post, (channel,) = make_post("x", text="a" * 200)
    schedule(post)
    return post, _recorded(Post.ContentEdited, post, by=USER, text="b" * 400, media=[]), \
        lambda loaded: loaded.text == "b" * 400 and loaded.status is PostStatus.SCHEDULED


def _update_of_an_archived_campaign():
    campaign = Campaign.plan(workspace_id=WORKSPACE, created_by=USER, name="Spring")
    campaign.archive(by=USER)
    return campaign, _recorded(Campaign.Updated, campaign, by=USER, changes={"name": "Renamed"}), \
        lambda loaded: loaded.name == "Renamed" and loaded.archived


def _activation_of_a_completed_campaign():
    campaign = Campaign.plan(workspace_id=WORKSPACE, created_by=USER, name="Spring")
    campaign.activate(by=USER)
    campaign.complete(by=USER)
    return campaign, _recorded(Campaign.Activated, campaign, by=USER), \
        lambda loaded: loaded.status.value == "active"


@pytest.mark.parametrize("history", [
    _variant_of_a_published_target, _edit_of_a_published_post, _approval_without_review,
    _retry_of_a_scheduled_target, _failure_for_a_reason_no_longer_known, _x_text_longer_than_todays_limit,
    _update_of_an_archived_campaign, _activation_of_a_completed_campaign,
], ids=lambda f: f.__name__.strip("_"))
def test_a_stream_recorded_under_a_looser_rule_replays(history: Callable):
    app = build_application({})
    try:
        aggregate, old_event, expect = history()
        app.save(aggregate)
        app.save(old_event)
        loaded = app.repository.get(aggregate.id)
        assert loaded.version == old_event.originator_version
        assert expect(loaded)
    finally:
        app.close()
