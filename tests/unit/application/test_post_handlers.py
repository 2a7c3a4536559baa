"""Publishing handlers on the POPO event store and the in-memory unit of work: drafts, variants,
approval, scheduling in zones, cancelling, locks, tenancy and concurrency; queries against fake
readers."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from application.campaigns.commands import ArchiveCampaign
from application.identity.commands import UpdateWorkspaceSettings
from application.publishing.commands import (
    ApprovePost,
    CalendarRange,
    CancelPost,
    CreateDraftPost,
    EditPost,
    GetPost,
    ListPosts,
    RequestChanges,
    ReschedulePost,
    SchedulePost,
    SetVariant,
    SubmitForReview,
)
from application.publishing.edit_post import EditPostHandler
from application.publishing.list_posts import ListPostsHandler
from application.publishing.ports import MediaRecord
from application.publishing.queries import CalendarRangeHandler, GetPostHandler
from application.publishing.views import CalendarEntry, PostFilters, PostPosition, PostView
from application.shared.errors import ConcurrencyConflict, Forbidden, NotFound
from domain.publishing.post import Post
from domain.publishing.states import PostStatus, TargetState
from domain.shared.errors import InvalidValue, RuleViolated
from tests.unit.conftest import START

UTC = timezone.utc
JULY_9AM = datetime(2026, 7, 1, 9, 0)                                # a wall time in Europe/Paris (CEST, +2)
JULY_9AM_UTC = datetime(2026, 7, 1, 7, 0, tzinfo=UTC)


def stored_events(store) -> int:
    return store.app.recorder.max_notification_id() or 0


async def load(store, post_id: UUID) -> Post:
    return await store.get(post_id, Post)


async def image(app, member, name: str) -> str:
    """An image uploaded to the member's workspace (its record; the bytes are not needed here)."""
    ref = "media:" + hashlib.sha256(name.encode()).hexdigest()
    async with app.uow() as uow:
        await uow.media.add(MediaRecord(workspace_id=member.actor.workspace_id, ref=ref, mime_type="image/png", format="PNG",
                                        width=10, height=10, byte_size=100, animated=False, alt="", uploaded_by=member.user_id,
                                        uploaded_at=START))
        await uow.commit()
    return ref


@pytest.fixture
async def scene(app):
    """An owner with a Mastodon and an X channel."""
    owner = await app.owner("Acme")
    mastodon = await app.channel(owner, "mastodon")
    x = await app.channel(owner, "x")
    return owner, mastodon, x


# --- drafts -----------------------------------------------------------------------------

async def test_create_draft_targets_the_channels_with_their_platforms(app, store, scene):
    owner, mastodon, x = scene
    campaign_id = await app.campaign(owner)
    picture = await image(app, owner, "a.png")
    saved = await app.create_draft_post(CreateDraftPost(owner.actor, "Hello", [mastodon, x], campaign_id=campaign_id,
                                                        media=[picture], variants={x: "Hi X"}))
    post = await load(store, saved.id)
    assert saved.version == post.version == 2  # Drafted + VariantSet in one save
    assert saved.position == stored_events(store)
    assert post.workspace_id == owner.actor.workspace_id and post.author_id == owner.user_id
    assert post.campaign_id == campaign_id and post.media == [picture]
    assert {c: t.platform for c, t in post.targets.items()} == {mastodon: "mastodon", x: "x"}
    assert post.text_for(x) == "Hi X" and post.text_for(mastodon) == "Hello"
    assert post.status is PostStatus.DRAFT and post.requires_approval is False


async def test_media_of_another_workspace_or_never_uploaded_are_named_as_invalid_and_nothing_is_stored(app, store, scene):
    owner, mastodon, _ = scene
    other = await app.owner("Other")
    own, foreign = await image(app, owner, "own.png"), await image(app, other, "foreign.png")
    before = stored_events(store)
    for media, field in (([foreign], "media.0"), ([own, "media:" + "0" * 64], "media.1")):
        with pytest.raises(InvalidValue) as info:
            await app.create_draft_post(CreateDraftPost(owner.actor, "Hi", [mastodon], media=media))
        assert info.value.field == field
    assert stored_events(store) == before
    post_id = await app.draft(owner, [mastodon])
    with pytest.raises(InvalidValue) as info:
        await app.edit_post(EditPost(owner.actor, post_id, media=[own, foreign]))
    assert info.value.field == "media.1" and (await load(store, post_id)).media == []


async def test_a_channel_of_another_workspace_is_named_as_invalid(app, store, scene):
    owner, mastodon, _ = scene
    other = await app.owner("Other")
    foreign = await app.channel(other, "mastodon")
    before = stored_events(store)
    with pytest.raises(InvalidValue) as info:
        await app.create_draft_post(CreateDraftPost(owner.actor, "Hi", [foreign]))
    assert info.value.field == "channel_ids.0"
    with pytest.raises(InvalidValue) as info:
        await app.create_draft_post(CreateDraftPost(owner.actor, "Hi", [mastodon, uuid4()]))
    assert info.value.field == "channel_ids.1"
    assert stored_events(store) == before


async def test_a_post_joins_only_a_live_campaign_of_its_workspace(app, store, scene):
    owner, mastodon, _ = scene
    other = await app.owner("Other")
    foreign_campaign = await app.campaign(other)
    archived = await app.campaign(owner, "Old")
    await app.archive_campaign(ArchiveCampaign(owner.actor, archived))
    post_id = await app.draft(owner, [mastodon])
    before = stored_events(store)
    for campaign_id in (foreign_campaign, uuid4(), post_id):
        with pytest.raises(InvalidValue) as info:
            await app.create_draft_post(CreateDraftPost(owner.actor, "Hi", [mastodon], campaign_id=campaign_id))
        assert info.value.field == "campaign_id"
    with pytest.raises(RuleViolated) as info:
        await app.create_draft_post(CreateDraftPost(owner.actor, "Hi", [mastodon], campaign_id=archived))
    assert info.value.rule == "campaign_archived"
    assert stored_events(store) == before


async def test_a_variant_for_a_channel_that_is_not_a_target_stores_nothing(app, store, scene):
    owner, mastodon, x = scene
    with pytest.raises(InvalidValue) as info:
        await app.create_draft_post(CreateDraftPost(owner.actor, "Hi", [mastodon], variants={x: "X only"}))
    assert info.value.field == "channel_id"
    assert stored_events(store) == 0


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
async def test_viewers_and_reviewers_cannot_write_posts(app, store, scene, role):
    owner, mastodon, _ = scene
    post_id = await app.draft(owner, [mastodon])
    someone = await app.member(owner, role)
    with pytest.raises(Forbidden):
        await app.create_draft_post(CreateDraftPost(someone.actor, "Hi", [mastodon]))
    for handler, command in [
        (app.edit_post, EditPost(someone.actor, post_id, text="nope")),
        (app.set_variant, SetVariant(someone.actor, post_id, mastodon, "nope")),
        (app.submit_for_review, SubmitForReview(someone.actor, post_id)),
        (app.schedule_post, SchedulePost(someone.actor, post_id, JULY_9AM, "Europe/Paris")),
        (app.reschedule_post, ReschedulePost(someone.actor, post_id, JULY_9AM, "Europe/Paris")),
        (app.cancel_post, CancelPost(someone.actor, post_id)),
    ]:
        with pytest.raises(Forbidden):
            await handler(command)
    assert (await load(store, post_id)).version == 1


# --- scheduling in the user's zone ------------------------------------------------------

async def test_schedule_turns_the_wall_time_into_a_utc_instant(app, store, scene):
    owner, mastodon, x = scene
    post_id = await app.draft(owner, [mastodon, x])
    saved = await app.schedule_post(SchedulePost(owner.actor, post_id, JULY_9AM, "Europe/Paris", expected_version=1))
    post = await load(store, post_id)
    assert saved.version == post.version == 2
    assert post.scheduled_at == JULY_9AM_UTC and post.timezone == "Europe/Paris"
    assert post.local_time == JULY_9AM and post.local_time.tzinfo is None
    assert all(t.state is TargetState.SCHEDULED and t.scheduled_at == JULY_9AM_UTC for t in post.targets.values())


@pytest.mark.parametrize(("at", "zone_name", "utc"), [
    (datetime(2026, 3, 28, 9, 0), "Europe/Paris", datetime(2026, 3, 28, 8, 0, tzinfo=UTC)),   # before DST: +1
    (datetime(2026, 3, 30, 9, 0), "Europe/Paris", datetime(2026, 3, 30, 7, 0, tzinfo=UTC)),   # after DST: +2
    (datetime(2026, 10, 25, 2, 30), "Europe/Paris", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # fold: first
    (datetime(2026, 11, 1, 1, 30), "America/New_York", datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
    (datetime(2026, 7, 1, 18, 0, tzinfo=ZoneInfo("Asia/Tokyo")), "Europe/Paris",
     datetime(2026, 7, 1, 9, 0, tzinfo=UTC)),  # an instant with an offset is taken as is
])
async def test_schedule_across_dst(app, store, scene, at, zone_name, utc):
    owner, mastodon, _ = scene
    post_id = await app.draft(owner, [mastodon])
    await app.schedule_post(SchedulePost(owner.actor, post_id, at, zone_name))
    post = await load(store, post_id)
    assert post.scheduled_at == utc
    assert post.local_time == utc.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)


@pytest.mark.parametrize(("at", "zone_name", "error", "name"), [
    (datetime(2026, 3, 29, 2, 30), "Europe/Paris", InvalidValue, "at"),          # skipped by DST
    (JULY_9AM, "Europe/Atlantis", InvalidValue, "timezone"),
    (datetime(2026, 2, 1, 9, 0), "Europe/Paris", RuleViolated, "schedule_in_past"),
])
async def test_schedule_refusals_store_nothing(app, store, scene, at, zone_name, error, name):
    owner, mastodon, _ = scene
    post_id = await app.draft(owner, [mastodon])
    with pytest.raises(error) as info:
        await app.schedule_post(SchedulePost(owner.actor, post_id, at, zone_name))
    assert getattr(info.value, "field", None) == name or getattr(info.value, "rule", None) == name
    assert (await load(store, post_id)).version == 1


async def test_platform_rules_are_checked_when_scheduling(app, store, scene):
    owner, mastodon, x = scene
    instagram = await app.channel(owner, "instagram")
    post_id = await app.draft(owner, [mastodon, x], text="a" * 281)
    with pytest.raises(RuleViolated) as info:
        await app.schedule_post(SchedulePost(owner.actor, post_id, JULY_9AM, "Europe/Paris"))
    assert info.value.rule == "platform_rules.text_too_long"
    await app.set_variant(SetVariant(owner.actor, post_id, x, "short for X"))
    await app.schedule_post(SchedulePost(owner.actor, post_id, JULY_9AM, "Europe/Paris"))
    insta_post = await app.draft(owner, [instagram], text="caption only")
    with pytest.raises(RuleViolated) as info:
        await app.schedule_post(SchedulePost(owner.actor, insta_post, JULY_9AM, "Europe/Paris"))
    assert info.value.rule == "platform_rules.media_required"


async def test_create_with_schedule_at_is_one_atomic_write(app, store, scene):
    owner, mastodon, _ = scene
    saved = await app.create_draft_post(CreateDraftPost(owner.actor, "Hi", [mastodon], schedule_at=JULY_9AM,
                                                        timezone="Europe/Paris"))
    post = await load(store, saved.id)
    assert post.status is PostStatus.SCHEDULED and post.scheduled_at == JULY_9AM_UTC
    assert saved.version == 2 and saved.position == stored_events(store) == 2


@pytest.mark.parametrize(("kwargs", "error", "name"), [
    ({"schedule_at": datetime(2026, 2, 1, 9, 0), "timezone": "Europe/Paris"}, RuleViolated, "schedule_in_past"),
    ({"schedule_at": datetime(2026, 3, 29, 2, 30), "timezone": "Europe/Paris"}, InvalidValue, "schedule_at"),
    ({"schedule_at": JULY_9AM}, InvalidValue, "timezone"),
    ({"schedule_at": JULY_9AM, "timezone": "Nowhere/Land"}, InvalidValue, "timezone"),
    ({"schedule_at": JULY_9AM, "timezone": "UTC", "text": "a" * 281}, RuleViolated, "platform_rules.text_too_long"),
])
async def test_create_with_an_invalid_schedule_stores_nothing(app, store, scene, kwargs, error, name):
    owner, mastodon, x = scene
    kwargs.setdefault("text", "Hi")
    with pytest.raises(error) as info:
        await app.create_draft_post(CreateDraftPost(owner.actor, channel_ids=[mastodon, x], **kwargs))
    assert getattr(info.value, "field", None) == name or getattr(info.value, "rule", None) == name
    assert stored_events(store) == 0


async def test_reschedule_one_target_in_its_zone(app, store, scene):
    owner, mastodon, x = scene
    post_id = await app.draft(owner, [mastodon, x])
    with pytest.raises(RuleViolated) as info:
        await app.reschedule_post(ReschedulePost(owner.actor, post_id, JULY_9AM, "Europe/Paris"))
    assert info.value.rule == "not_scheduled"
    await app.schedule_post(SchedulePost(owner.actor, post_id, JULY_9AM, "Europe/Paris"))
    saved = await app.reschedule_post(ReschedulePost(owner.actor, post_id, datetime(2026, 7, 2, 8, 0),
                                                     "America/New_York", channel_ids=[x], expected_version=2))
    post = await load(store, post_id)
    assert saved.version == 3
    assert post.targets[mastodon].scheduled_at == JULY_9AM_UTC
    assert post.targets[x].scheduled_at == datetime(2026, 7, 2, 12, 0, tzinfo=UTC)
    assert (post.timezone, post.local_time) == ("America/New_York", datetime(2026, 7, 2, 8, 0))
    with pytest.raises(InvalidValue) as info:
        await app.reschedule_post(ReschedulePost(owner.actor, post_id, datetime(2026, 3, 8, 2, 30),
                                                 "America/New_York"))
    assert info.value.field == "at"
    with pytest.raises(RuleViolated) as info:
        await app.reschedule_post(ReschedulePost(owner.actor, post_id, datetime(2026, 2, 1), "UTC"))
    assert info.value.rule == "schedule_in_past"
    assert (await load(store, post_id)).version == 3


async def test_schedule_is_refused_in_the_past_by_the_controlled_clock(app, store, scene, clock):
    owner, mastodon, _ = scene
    post_id = await app.draft(owner, [mastodon])
    clock.advance(timedelta(days=200))  # now September 2026
    with pytest.raises(RuleViolated) as info:
        await app.schedule_post(SchedulePost(owner.actor, post_id, JULY_9AM, "Europe/Paris"))
    assert info.value.rule == "schedule_in_past"


# --- editing ----------------------------------------------------------------------------

async def test_edit_text_media_and_channels(app, store, scene):
    owner, mastodon, x = scene
    bluesky = await app.channel(owner, "bluesky")
    post_id = await app.draft(owner, [mastodon, x])
    await app.set_variant(SetVariant(owner.actor, post_id, x, "for X", expected_version=1))
    picture = await image(app, owner, "m.png")
    saved = await app.edit_post(EditPost(owner.actor, post_id, text="New", media=[picture],
                                         channel_ids=[mastodon, bluesky], expected_version=2))
    post = await load(store, post_id)
    assert saved.version == post.version == 4  # TargetsChanged + ContentEdited
    assert (post.text, post.media) == ("New", [picture])
    assert {c: t.platform for c, t in post.targets.items()} == {mastodon: "mastodon", bluesky: "bluesky"}
    assert post.variants == {}


async def test_edit_to_a_foreign_channel_is_invalid(app, store, scene):
    owner, mastodon, _ = scene
    other = await app.owner("Other")
    foreign = await app.channel(other)
    post_id = await app.draft(owner, [mastodon])
    with pytest.raises(InvalidValue) as info:
        await app.edit_post(EditPost(owner.actor, post_id, channel_ids=[mastodon, foreign]))
    assert info.value.field == "channel_ids.1"
    assert (await load(store, post_id)).version == 1


@pytest.mark.parametrize("command", [
    lambda actor, post_id, channel: EditPost(actor, post_id, text="late", expected_version=1),
    lambda actor, post_id, channel: SetVariant(actor, post_id, channel, "late", expected_version=1),
    lambda actor, post_id, channel: SchedulePost(actor, post_id, JULY_9AM, "UTC", expected_version=1),
    lambda actor, post_id, channel: ReschedulePost(actor, post_id, JULY_9AM, "UTC", expected_version=1),
])
async def test_a_stale_expected_version_is_a_conflict(app, store, scene, command):
    owner, mastodon, _ = scene
    post_id = await app.draft(owner, [mastodon])
    await app.schedule_post(SchedulePost(owner.actor, post_id, JULY_9AM, "Europe/Paris"))
    cmd = command(owner.actor, post_id, mastodon)
    handler = {EditPost: app.edit_post, SetVariant: app.set_variant, SchedulePost: app.schedule_post,
               ReschedulePost: app.reschedule_post}[type(cmd)]
    with pytest.raises(ConcurrencyConflict):
        await handler(cmd)
    assert (await load(store, post_id)).version == 2


# --- approval ---------------------------------------------------------------------------

async def test_approval_flow_with_roles(app, store, scene):
    owner, mastodon, _ = scene
    await app.update_workspace_settings(UpdateWorkspaceSettings(owner.actor, requires_approval=True))
    editor = await app.member(owner, "editor")
    reviewer = await app.member(owner, "reviewer")
    post_id = await app.draft(editor, [mastodon])
    assert (await load(store, post_id)).requires_approval is True
    with pytest.raises(RuleViolated) as info:
        await app.schedule_post(SchedulePost(editor.actor, post_id, JULY_9AM, "Europe/Paris"))
    assert info.value.rule == "approval_required"
    await app.submit_for_review(SubmitForReview(editor.actor, post_id))
    with pytest.raises(Forbidden):
        await app.approve_post(ApprovePost(editor.actor, post_id))
    with pytest.raises(Forbidden):
        await app.request_changes(RequestChanges(editor.actor, post_id))
    await app.request_changes(RequestChanges(reviewer.actor, post_id, note="shorter"))
    assert (await load(store, post_id)).status is PostStatus.DRAFT
    await app.submit_for_review(SubmitForReview(editor.actor, post_id))
    await app.approve_post(ApprovePost(reviewer.actor, post_id, note="ship it"))
    assert (await load(store, post_id)).status is PostStatus.APPROVED
    await app.schedule_post(SchedulePost(editor.actor, post_id, JULY_9AM, "Europe/Paris"))
    assert (await load(store, post_id)).status is PostStatus.SCHEDULED
    await app.edit_post(EditPost(editor.actor, post_id, text="a late change"))
    post = await load(store, post_id)
    assert post.status is PostStatus.DRAFT and post.targets[mastodon].state is TargetState.DRAFT


async def test_owners_approve_too(app, store, scene):
    owner, mastodon, _ = scene
    await app.update_workspace_settings(UpdateWorkspaceSettings(owner.actor, requires_approval=True))
    post_id = await app.draft(owner, [mastodon])
    await app.submit_for_review(SubmitForReview(owner.actor, post_id))
    await app.approve_post(ApprovePost(owner.actor, post_id))
    with pytest.raises(RuleViolated) as info:
        await app.approve_post(ApprovePost(owner.actor, post_id))
    assert info.value.rule == "approval_transition"


async def test_submit_where_no_approval_is_needed_is_refused(app, scene):
    owner, mastodon, _ = scene
    post_id = await app.draft(owner, [mastodon])
    with pytest.raises(RuleViolated) as info:
        await app.submit_for_review(SubmitForReview(owner.actor, post_id))
    assert info.value.rule == "approval_not_required"


async def test_create_with_schedule_needs_approval_where_required(app, store, scene):
    owner, mastodon, _ = scene
    await app.update_workspace_settings(UpdateWorkspaceSettings(owner.actor, requires_approval=True))
    with pytest.raises(RuleViolated) as info:
        await app.create_draft_post(CreateDraftPost(owner.actor, "Hi", [mastodon], schedule_at=JULY_9AM,
                                                    timezone="Europe/Paris"))
    assert info.value.rule == "approval_required"
    assert stored_events(store) == 0


# --- cancelling and locked targets ------------------------------------------------------

async def test_cancel_some_then_all(app, store, scene):
    owner, mastodon, x = scene
    post_id = await app.draft(owner, [mastodon, x])
    await app.schedule_post(SchedulePost(owner.actor, post_id, JULY_9AM, "Europe/Paris"))
    await app.cancel_post(CancelPost(owner.actor, post_id, channel_ids=[x]))
    post = await load(store, post_id)
    assert post.targets[x].state is TargetState.CANCELLED and post.status is PostStatus.SCHEDULED
    saved = await app.cancel_post(CancelPost(owner.actor, post_id))
    post = await load(store, post_id)
    assert post.status is PostStatus.CANCELLED and saved.version == post.version == 4
    with pytest.raises(RuleViolated) as info:
        await app.edit_post(EditPost(owner.actor, post_id, text="revive"))
    assert info.value.rule == "post_cancelled"


async def start_publishing(store, post_id: UUID, channel_id: UUID) -> UUID:
    """What the publishing worker does first: record the attempt, then save."""
    post = await load(store, post_id)
    attempt = uuid4()
    post.start_attempt(channel_id=channel_id, attempt_id=attempt, started_at=START)
    await store.save(post)
    return attempt


@pytest.mark.parametrize("outcome", ["publishing", "published", "unconfirmed"])
async def test_a_locked_target_refuses_every_change(app, store, scene, outcome):
    owner, mastodon, x = scene
    post_id = await app.draft(owner, [mastodon, x])
    await app.schedule_post(SchedulePost(owner.actor, post_id, JULY_9AM, "Europe/Paris"))
    attempt = await start_publishing(store, post_id, mastodon)
    if outcome != "publishing":
        post = await load(store, post_id)
        if outcome == "published":
            post.mark_published(channel_id=mastodon, attempt_id=attempt, remote_id="1", url=None, published_at=START)
        else:
            post.mark_unconfirmed(channel_id=mastodon, attempt_id=attempt, detail="timeout")
        await store.save(post)
    version = (await load(store, post_id)).version
    for handler, command in [
        (app.edit_post, EditPost(owner.actor, post_id, text="changed")),
        (app.edit_post, EditPost(owner.actor, post_id, channel_ids=[x])),
        (app.set_variant, SetVariant(owner.actor, post_id, mastodon, "changed")),
        (app.reschedule_post, ReschedulePost(owner.actor, post_id, JULY_9AM, "UTC", channel_ids=[mastodon])),
        (app.cancel_post, CancelPost(owner.actor, post_id, channel_ids=[mastodon])),
        (app.cancel_post, CancelPost(owner.actor, post_id)),
    ]:
        with pytest.raises(RuleViolated) as info:
            await handler(command)
        assert info.value.rule == f"target_{outcome}"
    post = await load(store, post_id)
    assert post.version == version and post.targets[mastodon].state is TargetState(outcome)
    await app.cancel_post(CancelPost(owner.actor, post_id, channel_ids=[x]))  # the other target is free
    assert (await load(store, post_id)).targets[x].state is TargetState.CANCELLED


# --- tenancy ----------------------------------------------------------------------------

async def test_another_workspaces_post_is_not_found_by_any_handler(app, store, scene):
    owner, mastodon, _ = scene
    await app.update_workspace_settings(UpdateWorkspaceSettings(owner.actor, requires_approval=True))
    post_id = await app.draft(owner, [mastodon])
    await app.submit_for_review(SubmitForReview(owner.actor, post_id))
    intruder = await app.owner("Intruder")
    theirs = await app.channel(intruder)
    a = intruder.actor
    for handler, command in [
        (app.edit_post, EditPost(a, post_id, text="mine")),
        (app.edit_post, EditPost(a, post_id, channel_ids=[theirs])),
        (app.set_variant, SetVariant(a, post_id, mastodon, "mine")),
        (app.submit_for_review, SubmitForReview(a, post_id)),
        (app.approve_post, ApprovePost(a, post_id)),
        (app.request_changes, RequestChanges(a, post_id)),
        (app.schedule_post, SchedulePost(a, post_id, JULY_9AM, "Europe/Paris")),
        (app.reschedule_post, ReschedulePost(a, post_id, JULY_9AM, "Europe/Paris")),
        (app.cancel_post, CancelPost(a, post_id)),
    ]:
        with pytest.raises(NotFound) as info:
            await handler(command)
        assert info.value.kind == "post"
    post = await load(store, post_id)
    assert post.version == 2 and post.status is PostStatus.IN_REVIEW and post.text == "Hello world"


async def test_a_campaign_id_is_not_a_post(app, scene):
    owner, _, _ = scene
    campaign_id = await app.campaign(owner)
    for ident in (campaign_id, uuid4()):
        with pytest.raises(NotFound):
            await app.cancel_post(CancelPost(owner.actor, ident))


# --- concurrency ------------------------------------------------------------------------

async def test_two_copies_of_one_post_cannot_both_be_saved(app, store, scene):
    owner, mastodon, _ = scene
    post_id = await app.draft(owner, [mastodon])
    first, second = await load(store, post_id), await load(store, post_id)
    first.edit(by=owner.user_id, text="first")
    second.edit(by=owner.user_id, text="second")
    await store.save(first)
    with pytest.raises(ConcurrencyConflict):
        await store.save(second)
    assert (await load(store, post_id)).text == "first"


class RacingStore:
    """The real store, except that `get` waits until two handlers have loaded: a lost race for sure."""

    def __init__(self, store) -> None:
        self.store, self.loads, self.both_loaded = store, 0, asyncio.Event()

    async def get(self, aggregate_id, kind):
        aggregate = await self.store.get(aggregate_id, kind)
        self.loads += 1
        if self.loads == 2:
            self.both_loaded.set()
        await asyncio.wait_for(self.both_loaded.wait(), timeout=5)
        return aggregate

    async def save(self, *aggregates):
        return await self.store.save(*aggregates)


async def test_concurrent_edits_one_wins_one_conflicts(app, store, uow, scene):
    owner, mastodon, _ = scene
    post_id = await app.draft(owner, [mastodon])
    edit = EditPostHandler(RacingStore(store), uow, app.clock)
    results = await asyncio.gather(edit(EditPost(owner.actor, post_id, text="Alice's")),
                                   edit(EditPost(owner.actor, post_id, text="Bob's")), return_exceptions=True)
    conflicts = [r for r in results if isinstance(r, ConcurrencyConflict)]
    saved = [r for r in results if not isinstance(r, BaseException)]
    assert len(conflicts) == 1 and len(saved) == 1, results
    post = await load(store, post_id)
    assert post.version == saved[0].version == 2
    assert post.text == ("Alice's" if results[0] is saved[0] else "Bob's")


# --- queries ----------------------------------------------------------------------------

class FakeCalendarReader:
    """Implements the CalendarReader protocol; records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    async def range(self, workspace_id, start, end, channel_ids, campaign_id) -> list[CalendarEntry]:
        self.calls.append((workspace_id, start, end, channel_ids, campaign_id))
        return [CalendarEntry(post_id=uuid4(), channel_id=uuid4(), platform="x", campaign_id=campaign_id,
                              scheduled_at=start, timezone="UTC", state="scheduled", preview="Hi")]


def post_view(post_id: UUID) -> PostView:
    return PostView(id=post_id, campaign_id=None, author_id=uuid4(), status="draft", publish_state="draft",
                    text="Hi", variants={}, media=[], timezone=None, local_time=None, scheduled_at=None, version=1,
                    created_at=START, updated_at=START, targets=[], history=[])


class FakePostReader:
    """Implements the PostReader protocol over {(workspace_id, post_id): view}."""

    def __init__(self, views: dict[tuple[UUID, UUID], PostView] | None = None) -> None:
        self.views = views or {}
        self.calls: list[tuple] = []

    async def get(self, workspace_id, post_id, with_history):
        self.calls.append(("get", workspace_id, post_id, with_history))
        return self.views.get((workspace_id, post_id))

    async def list(self, workspace_id, filters, limit, offset, after=None):
        self.calls.append(("list", workspace_id, filters, limit, offset, after))
        return [v for (w, _), v in self.views.items() if w == workspace_id][:limit]


MAY_1 = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.mark.parametrize(("start", "end", "field"), [
    (MAY_1, MAY_1 + timedelta(days=92, seconds=1), "end"),
    (MAY_1, MAY_1 + timedelta(days=400), "end"),
    (MAY_1, MAY_1, "end"),
    (MAY_1, MAY_1 - timedelta(days=1), "end"),
    (MAY_1.replace(tzinfo=None), MAY_1 + timedelta(days=1), "start"),
    (MAY_1, (MAY_1 + timedelta(days=1)).replace(tzinfo=None), "start"),
])
async def test_calendar_range_is_validated(app, start, end, field):
    owner = await app.owner()
    reader = FakeCalendarReader()
    with pytest.raises(InvalidValue) as info:
        await CalendarRangeHandler(reader)(CalendarRange(owner.actor, start, end))
    assert info.value.field == field
    assert reader.calls == []


async def test_calendar_range_reads_the_callers_workspace(app):
    owner = await app.owner()
    viewer = await app.member(owner, "viewer")
    reader = FakeCalendarReader()
    channels, campaign = [uuid4()], uuid4()
    end = MAY_1 + timedelta(days=92)  # the longest range allowed
    entries = await CalendarRangeHandler(reader)(CalendarRange(viewer.actor, MAY_1, end, channels, campaign))
    assert reader.calls == [(owner.actor.workspace_id, MAY_1, end, channels, campaign)]
    assert len(entries) == 1 and entries[0].campaign_id == campaign
    paris = datetime(2026, 5, 1, tzinfo=ZoneInfo("Europe/Paris"))
    await CalendarRangeHandler(reader)(CalendarRange(viewer.actor, paris, paris + timedelta(hours=1)))
    assert len(reader.calls) == 2


async def test_get_post_reads_with_history_in_the_callers_workspace_only(app):
    a, b = await app.owner("A"), await app.owner("B")
    post_id = uuid4()
    reader = FakePostReader({(a.actor.workspace_id, post_id): post_view(post_id)})
    handler = GetPostHandler(reader)
    assert (await handler(GetPost(a.actor, post_id))).id == post_id
    assert reader.calls[-1] == ("get", a.actor.workspace_id, post_id, True)
    with pytest.raises(NotFound):
        await handler(GetPost(b.actor, post_id))
    assert reader.calls[-1] == ("get", b.actor.workspace_id, post_id, True)


@pytest.mark.parametrize(("limit", "offset", "field"), [(0, 0, "limit"), (501, 0, "limit"), (-5, 0, "limit"),
                                                        (50, -1, "offset")])
async def test_list_posts_bounds(app, limit, offset, field):
    owner = await app.owner()
    reader = FakePostReader()
    with pytest.raises(InvalidValue) as info:
        await ListPostsHandler(reader)(ListPosts(owner.actor, limit=limit, offset=offset))
    assert info.value.field == field
    assert reader.calls == []


@pytest.mark.parametrize("limit", [1, 50, 500])
async def test_list_posts_passes_filters_through(app, limit):
    owner = await app.owner()
    campaign, channel = uuid4(), uuid4()
    post_id = uuid4()
    reader = FakePostReader({(owner.actor.workspace_id, post_id): post_view(post_id)})
    paris = ZoneInfo("Europe/Paris")
    page = await ListPostsHandler(reader)(ListPosts(
        owner.actor, status="scheduled", campaign_id=campaign, limit=limit, offset=10, channel_ids=(channel,),
        state="failed", scheduled_from=datetime(2026, 5, 1, 2, tzinfo=paris), scheduled_to=MAY_1 + timedelta(days=1)))
    assert [p.id for p in page.posts] == [post_id] and page.next_cursor is None
    filters = PostFilters(status="scheduled", campaign_id=campaign, channel_ids=(channel,), state="failed",
                          scheduled_from=MAY_1, scheduled_to=MAY_1 + timedelta(days=1))
    assert reader.calls == [("list", owner.actor.workspace_id, filters, limit + 1, 10, None)]


async def test_list_posts_names_the_next_page_by_the_last_post_shown(app):
    owner = await app.owner()
    ids = sorted(uuid4() for _ in range(3))
    reader = FakePostReader({(owner.actor.workspace_id, i): post_view(i) for i in ids})
    handler = ListPostsHandler(reader)
    page = await handler(ListPosts(owner.actor, limit=2))
    assert [p.id for p in page.posts] == ids[:2] and page.next_cursor
    await handler(ListPosts(owner.actor, limit=2, cursor=page.next_cursor))
    assert reader.calls[-1][-1] == PostPosition(updated_at=START, id=ids[1])


@pytest.mark.parametrize(("query", "field"), [
    ({"status": "sheduled"}, "status"),
    ({"state": "queued"}, "state"),
    ({"cursor": "not a cursor"}, "cursor"),
    ({"cursor": "bm90fGEtdXVpZA"}, "cursor"),  # "not|a-uuid"
    ({"scheduled_from": MAY_1.replace(tzinfo=None)}, "from"),
    ({"scheduled_from": MAY_1, "scheduled_to": MAY_1}, "to"),
])
async def test_list_posts_refuses_bad_filters_naming_them(app, query, field):
    owner = await app.owner()
    reader = FakePostReader()
    with pytest.raises(InvalidValue) as info:
        await ListPostsHandler(reader)(ListPosts(owner.actor, **query))
    assert info.value.field == field
    assert reader.calls == []


async def test_a_channel_whose_platform_reports_a_higher_limit_accepts_longer_text(app, uow):
    """A Mastodon instance may allow 5000 characters: the limit it reported at connect time counts."""
    owner = await app.owner()
    roomy, default = await app.channel(owner, "mastodon", "@roomy"), await app.channel(owner, "mastodon", "@plain")
    async with uow() as tx:
        channel = await tx.channels.get(owner.actor.workspace_id, roomy)
        channel.max_characters = 5000
        await tx.channels.update(channel)
        await tx.commit()
    long_text = "word " * 200  # 1000 characters: over Mastodon's default 500
    ok = await app.draft(owner, [roomy], text=long_text)
    await app.schedule_post(SchedulePost(owner.actor, ok, datetime(2030, 1, 1, 9), "UTC"))
    refused = await app.draft(owner, [default], text=long_text)
    with pytest.raises(RuleViolated) as info:
        await app.schedule_post(SchedulePost(owner.actor, refused, datetime(2030, 1, 1, 9), "UTC"))
    assert info.value.rule == "platform_rules.text_too_long"


async def test_a_scheduled_post_is_edited_under_the_limit_it_was_scheduled_under(app, uow):
    """Edit and variants apply the channel's reported limit as scheduling did: 600 of 5000 fits."""
    owner = await app.owner()
    roomy = await app.channel(owner, "mastodon", "@roomy")
    async with uow() as tx:
        channel = await tx.channels.get(owner.actor.workspace_id, roomy)
        channel.max_characters = 5000
        await tx.channels.update(channel)
        await tx.commit()
    post_id = await app.draft(owner, [roomy], text="a" * 600)
    await app.schedule_post(SchedulePost(owner.actor, post_id, datetime(2030, 1, 1, 9), "UTC"))
    await app.edit_post(EditPost(owner.actor, post_id, text="b" * 650))
    await app.set_variant(SetVariant(owner.actor, post_id, roomy, "c" * 700))
    with pytest.raises(RuleViolated) as info:
        await app.set_variant(SetVariant(owner.actor, post_id, roomy, "d" * 5001))
    assert info.value.rule == "platform_rules.text_too_long" and "5000" in info.value.message
