"""Campaign handlers on the POPO event store: roles, tenancy, transitions, concurrency; queries
against a fake reader."""

from __future__ import annotations

from datetime import date, datetime, timezone
from uuid import UUID, uuid4

import pytest

from application.campaigns.commands import (
    ActivateCampaign,
    ArchiveCampaign,
    CompleteCampaign,
    CreateCampaign,
    GetCampaign,
    ListCampaigns,
    UpdateCampaign,
)
from application.campaigns.get_campaign import GetCampaignHandler
from application.campaigns.list_campaigns import ListCampaignsHandler
from application.campaigns.views import CampaignView
from application.shared.errors import ConcurrencyConflict, Forbidden, NotFound
from domain.campaigns.campaign import Campaign, CampaignStatus
from domain.shared.errors import InvalidValue, RuleViolated


async def test_create_campaign_stores_it_in_the_callers_workspace(app, store):
    owner = await app.owner()
    saved = await app.create_campaign(CreateCampaign(
        owner.actor, " Spring ", objective="sell", starts_on=date(2026, 4, 1), ends_on=date(2026, 4, 30),
        brand_voice={"tone": "warm"}, utm_defaults={"utm_source": "pw"}))
    assert saved.version == 1 and saved.position == 1
    campaign = await store.get(saved.id, Campaign)
    assert campaign.workspace_id == owner.actor.workspace_id and campaign.created_by == owner.user_id
    assert (campaign.name, campaign.objective, campaign.starts_on) == ("Spring", "sell", date(2026, 4, 1))
    assert campaign.brand_voice["tone"] == "warm" and campaign.utm_defaults == {"utm_source": "pw"}


async def test_editors_create_campaigns(app, store):
    owner = await app.owner()
    editor = await app.member(owner, "editor")
    saved = await app.create_campaign(CreateCampaign(editor.actor, "By the editor"))
    assert (await store.get(saved.id, Campaign)).created_by == editor.user_id


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
async def test_viewers_and_reviewers_cannot_create_or_change_campaigns(app, store, role):
    owner = await app.owner()
    campaign_id = await app.campaign(owner)
    someone = await app.member(owner, role)
    with pytest.raises(Forbidden):
        await app.create_campaign(CreateCampaign(someone.actor, "Nope"))
    for handler, command in [
        (app.update_campaign, UpdateCampaign(someone.actor, campaign_id, {"name": "Nope"})),
        (app.activate_campaign, ActivateCampaign(someone.actor, campaign_id)),
        (app.complete_campaign, CompleteCampaign(someone.actor, campaign_id)),
        (app.archive_campaign, ArchiveCampaign(someone.actor, campaign_id)),
    ]:
        with pytest.raises(Forbidden):
            await handler(command)
    campaign = await store.get(campaign_id, Campaign)
    assert campaign.version == 1 and campaign.name == "Spring"
    assert store.app.recorder.max_notification_id() == 1


async def test_invalid_campaign_is_not_stored(app, store):
    owner = await app.owner()
    with pytest.raises(InvalidValue) as info:
        await app.create_campaign(CreateCampaign(owner.actor, "Bad", starts_on=date(2026, 5, 2),
                                                 ends_on=date(2026, 5, 1)))
    assert info.value.field == "ends_on"
    with pytest.raises(InvalidValue) as info:
        await app.create_campaign(CreateCampaign(owner.actor, "Bad", utm_defaults={"utm_x": "1"}))
    assert info.value.field == "utm_defaults.utm_x"
    assert store.app.recorder.max_notification_id() is None


async def test_update_campaign(app, store):
    owner = await app.owner()
    campaign_id = await app.campaign(owner)
    saved = await app.update_campaign(UpdateCampaign(owner.actor, campaign_id, {
        "name": "Summer", "ends_on": date(2026, 8, 31), "brand_voice": {"keywords": ["sun"]}}, expected_version=1))
    assert saved.version == 2
    campaign = await store.get(campaign_id, Campaign)
    assert (campaign.name, campaign.ends_on, campaign.brand_voice["keywords"]) == ("Summer", date(2026, 8, 31), ["sun"])


async def test_update_with_a_stale_version_is_a_conflict(app, store):
    owner = await app.owner()
    campaign_id = await app.campaign(owner)
    await app.update_campaign(UpdateCampaign(owner.actor, campaign_id, {"name": "Second"}))
    with pytest.raises(ConcurrencyConflict) as info:
        await app.update_campaign(UpdateCampaign(owner.actor, campaign_id, {"name": "Lost"}, expected_version=1))
    assert info.value.rule == "concurrent_modification"
    assert (await store.get(campaign_id, Campaign)).name == "Second"


async def test_status_transitions_through_handlers(app, store):
    owner = await app.owner()
    campaign_id = await app.campaign(owner)
    with pytest.raises(RuleViolated) as info:
        await app.complete_campaign(CompleteCampaign(owner.actor, campaign_id))
    assert info.value.rule == "campaign_status_transition"
    assert (await app.activate_campaign(ActivateCampaign(owner.actor, campaign_id))).version == 2
    with pytest.raises(RuleViolated) as info:
        await app.archive_campaign(ArchiveCampaign(owner.actor, campaign_id))
    assert info.value.rule == "campaign_active"
    assert (await app.complete_campaign(CompleteCampaign(owner.actor, campaign_id))).version == 3
    assert (await app.archive_campaign(ArchiveCampaign(owner.actor, campaign_id))).version == 4
    campaign = await store.get(campaign_id, Campaign)
    assert campaign.status is CampaignStatus.COMPLETED and campaign.archived
    with pytest.raises(RuleViolated) as info:
        await app.update_campaign(UpdateCampaign(owner.actor, campaign_id, {"name": "Too late"}))
    assert info.value.rule == "campaign_archived"
    assert (await store.get(campaign_id, Campaign)).version == 4


async def test_another_workspaces_campaign_is_not_found_by_any_handler(app, store):
    a = await app.owner("A")
    b = await app.owner("B")
    campaign_id = await app.campaign(a)
    for handler, command in [
        (app.update_campaign, UpdateCampaign(b.actor, campaign_id, {"name": "Mine now"})),
        (app.activate_campaign, ActivateCampaign(b.actor, campaign_id)),
        (app.complete_campaign, CompleteCampaign(b.actor, campaign_id)),
        (app.archive_campaign, ArchiveCampaign(b.actor, campaign_id)),
    ]:
        with pytest.raises(NotFound) as info:
            await handler(command)
        assert info.value.kind == "campaign"
    campaign = await store.get(campaign_id, Campaign)
    assert campaign.version == 1 and campaign.name == "Spring"


async def test_unknown_or_non_campaign_ids_are_not_found(app):
    owner = await app.owner()
    channel = await app.channel(owner)
    post_id = await app.draft(owner, [channel])
    for ident in (uuid4(), post_id):
        with pytest.raises(NotFound):
            await app.activate_campaign(ActivateCampaign(owner.actor, ident))


# --- queries ----------------------------------------------------------------------------

def view(campaign_id: UUID, name: str = "Spring") -> CampaignView:
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    return CampaignView(id=campaign_id, name=name, objective="", status="planned", archived=False, starts_on=None,
                        ends_on=None, brand_voice={}, utm_defaults={}, version=1, post_count=0, created_at=now,
                        updated_at=now)


class FakeCampaignReader:
    """Implements the CampaignReader protocol over a dict {(workspace_id, campaign_id): view}."""

    def __init__(self, views: dict[tuple[UUID, UUID], CampaignView]) -> None:
        self.views = views
        self.calls: list[tuple] = []

    async def list(self, workspace_id: UUID, include_archived: bool) -> list[CampaignView]:
        self.calls.append(("list", workspace_id, include_archived))
        return [v for (w, _), v in self.views.items() if w == workspace_id]

    async def get(self, workspace_id: UUID, campaign_id: UUID) -> CampaignView | None:
        self.calls.append(("get", workspace_id, campaign_id))
        return self.views.get((workspace_id, campaign_id))


async def test_campaign_queries_read_the_callers_workspace_only(app):
    a, b = await app.owner("A"), await app.owner("B")
    viewer = await app.member(a, "viewer")
    mine, theirs = uuid4(), uuid4()
    reader = FakeCampaignReader({(a.actor.workspace_id, mine): view(mine, "Ours"),
                                 (b.actor.workspace_id, theirs): view(theirs, "Theirs")})
    get, list_ = GetCampaignHandler(reader), ListCampaignsHandler(reader)
    assert (await get(GetCampaign(viewer.actor, mine))).name == "Ours"
    with pytest.raises(NotFound):
        await get(GetCampaign(viewer.actor, theirs))
    with pytest.raises(NotFound):
        await get(GetCampaign(b.actor, mine))
    assert [v.name for v in await list_(ListCampaigns(viewer.actor, include_archived=True))] == ["Ours"]
    assert reader.calls[-1] == ("list", a.actor.workspace_id, True)
    assert [v.name for v in await list_(ListCampaigns(b.actor))] == ["Theirs"]
    assert reader.calls[-1] == ("list", b.actor.workspace_id, False)
