"""The Campaign aggregate: fields, value objects, status transitions, archive rules."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.shared.event_store import build_application
from domain.campaigns.brand_voice import BrandVoice, utm_defaults
from domain.campaigns.campaign import Campaign, CampaignStatus
from domain.shared.errors import InvalidValue, RuleViolated
from tests.unit.factories import USER, WORKSPACE, assert_refused, event_names, state


def plan(**kwargs) -> Campaign:
    kwargs.setdefault("name", "Spring launch")
    return Campaign.plan(workspace_id=WORKSPACE, created_by=USER, **kwargs)


def invalid_field(call) -> str:
    with pytest.raises(InvalidValue) as info:
        call()
    return info.value.field


# --- planning ---------------------------------------------------------------------------

def test_plan_normalises_fields_and_starts_planned():
    campaign = plan(name="  Spring launch  ", objective="  sell more  ", starts_on=date(2026, 4, 1),
                    ends_on=date(2026, 4, 30), brand_voice={"tone": " warm ", "default_hashtags": ["spring"]},
                    utm={"utm_source": " newsletter "})
    assert campaign.name == "Spring launch"
    assert campaign.objective == "sell more"
    assert (campaign.starts_on, campaign.ends_on) == (date(2026, 4, 1), date(2026, 4, 30))
    assert campaign.status is CampaignStatus.PLANNED
    assert campaign.archived is False
    assert campaign.workspace_id == WORKSPACE and campaign.created_by == USER
    assert campaign.brand_voice["tone"] == "warm"
    assert campaign.brand_voice["default_hashtags"] == ["#spring"]
    assert campaign.utm_defaults == {"utm_source": "newsletter"}
    assert event_names(campaign) == ["Planned"]


@pytest.mark.parametrize("name", ["", "   ", None, "x" * 121])
def test_name_is_required_and_at_most_120_characters(name):
    assert invalid_field(lambda: plan(name=name)) == "name"


def test_name_of_120_characters_is_accepted():
    assert plan(name="x" * 120).name == "x" * 120


def test_end_date_before_start_date_is_refused():
    assert invalid_field(lambda: plan(starts_on=date(2026, 5, 2), ends_on=date(2026, 5, 1))) == "ends_on"


@pytest.mark.parametrize(("starts_on", "ends_on"), [
    (date(2026, 5, 1), date(2026, 5, 1)),  # one-day campaign
    (date(2026, 5, 1), None),
    (None, date(2026, 5, 1)),
    (None, None),
])
def test_valid_or_open_date_ranges(starts_on, ends_on):
    campaign = plan(starts_on=starts_on, ends_on=ends_on)
    assert (campaign.starts_on, campaign.ends_on) == (starts_on, ends_on)


# --- brand voice and UTM ----------------------------------------------------------------

def test_brand_voice_normalises_words_and_hashtags():
    voice = BrandVoice.from_dict({
        "keywords": [" bikes ", "", "bikes", "city"],
        "banned_words": ["cheap"],
        "default_hashtags": ["spring", "#Spring2026", " #spring "],
    })
    assert voice.keywords == ("bikes", "city")
    assert voice.banned_words == ("cheap",)
    assert voice.default_hashtags == ("#spring", "#Spring2026")
    assert voice.to_dict()["keywords"] == ["bikes", "city"]


def test_empty_brand_voice_has_every_field():
    assert BrandVoice.from_dict(None).to_dict() == {
        "tone": "", "audience": "", "keywords": [], "banned_words": [], "default_hashtags": []}


@pytest.mark.parametrize(("voice", "field"), [
    ({"colour": "blue"}, "brand_voice.colour"),
    ({"default_hashtags": ["two words"]}, "brand_voice.default_hashtags"),
    ({"default_hashtags": ["#"]}, "brand_voice.default_hashtags"),
    ({"default_hashtags": [7]}, "brand_voice.default_hashtags"),
    ({"keywords": "bikes"}, "brand_voice.keywords"),
    ({"keywords": ["ok", 3]}, "brand_voice.keywords"),
    ({"banned_words": "cheap"}, "brand_voice.banned_words"),
    ({"keywords": ["Cheap"], "banned_words": ["cheap"]}, "brand_voice.banned_words"),
])
def test_invalid_brand_voice_names_the_field(voice, field):
    assert invalid_field(lambda: plan(brand_voice=voice)) == field


@pytest.mark.parametrize(("utm", "field"), [
    ({"utm_id": "x"}, "utm_defaults.utm_id"),
    ({"source": "x"}, "utm_defaults.source"),
    ({"utm_source": "  "}, "utm_defaults.utm_source"),
    ({"utm_medium": 3}, "utm_defaults.utm_medium"),
])
def test_invalid_utm_defaults_name_the_key(utm, field):
    assert invalid_field(lambda: plan(utm=utm)) == field


def test_all_five_utm_keys_are_accepted_and_stripped():
    keys = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
    assert utm_defaults({k: f" {k}-value " for k in keys}) == {k: f"{k}-value" for k in keys}
    assert utm_defaults(None) == {}


# --- updates ----------------------------------------------------------------------------

def test_update_changes_only_what_differs():
    campaign = plan(objective="old")
    campaign.collect_events()
    campaign.update(by=USER, name=" New name ", objective="old")
    events = campaign.collect_events()
    assert [type(e).__name__ for e in events] == ["Updated"]
    assert events[0].changes == {"name": "New name"}
    assert campaign.name == "New name" and campaign.objective == "old"


def test_update_without_a_real_change_records_nothing():
    campaign = plan(name="Same", utm={"utm_source": "a"})
    campaign.collect_events()
    campaign.update(by=USER, name=" Same ", utm_defaults={"utm_source": " a "})
    assert campaign.collect_events() == []
    assert campaign.version == 1


def test_update_validates_values_like_plan():
    campaign = plan(starts_on=date(2026, 5, 10))
    assert invalid_field(lambda: campaign.update(by=USER, name="")) == "name"
    assert invalid_field(lambda: campaign.update(by=USER, ends_on=date(2026, 5, 9))) == "ends_on"
    assert invalid_field(lambda: campaign.update(by=USER, brand_voice={"x": 1})) == "brand_voice.x"
    assert invalid_field(lambda: campaign.update(by=USER, utm_defaults={"utm_x": "1"})) == "utm_defaults.utm_x"
    assert invalid_field(lambda: campaign.update(by=USER, status="active")) == "status"
    assert campaign.version == 1


def test_update_checks_the_new_start_against_the_existing_end():
    campaign = plan(starts_on=date(2026, 5, 1), ends_on=date(2026, 5, 31))
    assert invalid_field(lambda: campaign.update(by=USER, starts_on=date(2026, 6, 1))) == "ends_on"
    campaign.update(by=USER, starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 30))
    assert (campaign.starts_on, campaign.ends_on) == (date(2026, 6, 1), date(2026, 6, 30))
    campaign.update(by=USER, ends_on=None)
    assert campaign.ends_on is None


def test_update_of_brand_voice_stores_the_normalised_dict():
    campaign = plan()
    campaign.update(by=USER, brand_voice={"keywords": [" a ", "a"], "default_hashtags": ["x"]})
    assert campaign.brand_voice["keywords"] == ["a"]
    assert campaign.brand_voice["default_hashtags"] == ["#x"]


# --- status -----------------------------------------------------------------------------

def test_planned_active_completed():
    campaign = plan()
    campaign.activate(by=USER)
    assert campaign.status is CampaignStatus.ACTIVE
    campaign.complete(by=USER)
    assert campaign.status is CampaignStatus.COMPLETED
    assert event_names(campaign) == ["Planned", "Activated", "Completed"]


def test_a_planned_campaign_cannot_be_completed():
    campaign = plan()
    assert_refused(campaign, "campaign_status_transition", lambda: campaign.complete(by=USER))


def test_an_active_campaign_cannot_be_activated_again():
    campaign = plan()
    campaign.activate(by=USER)
    assert_refused(campaign, "campaign_status_transition", lambda: campaign.activate(by=USER))


def test_a_completed_campaign_never_goes_back():
    campaign = plan()
    campaign.activate(by=USER)
    campaign.complete(by=USER)
    assert_refused(campaign, "campaign_status_transition", lambda: campaign.activate(by=USER))
    assert_refused(campaign, "campaign_status_transition", lambda: campaign.complete(by=USER))
    assert campaign.status is CampaignStatus.COMPLETED


# --- archive ----------------------------------------------------------------------------

def test_a_planned_campaign_can_be_archived():
    campaign = plan()
    campaign.archive(by=USER)
    assert campaign.archived is True
    assert campaign.status is CampaignStatus.PLANNED


def test_a_completed_campaign_can_be_archived():
    campaign = plan()
    campaign.activate(by=USER)
    campaign.complete(by=USER)
    campaign.archive(by=USER)
    assert campaign.archived is True


def test_an_active_campaign_is_completed_before_archiving():
    campaign = plan()
    campaign.activate(by=USER)
    assert_refused(campaign, "campaign_active", lambda: campaign.archive(by=USER))
    assert campaign.archived is False


@pytest.mark.parametrize("command", [
    lambda c: c.update(by=USER, name="Another"),
    lambda c: c.activate(by=USER),
    lambda c: c.complete(by=USER),
    lambda c: c.archive(by=USER),
])
def test_an_archived_campaign_is_read_only(command):
    campaign = plan()
    campaign.archive(by=USER)
    assert_refused(campaign, "campaign_archived", lambda: command(campaign))


# --- persistence ------------------------------------------------------------------------

def test_campaign_survives_a_round_trip_through_the_event_store():
    app = build_application({})
    try:
        campaign = plan(objective="o", starts_on=date(2026, 4, 1), ends_on=date(2026, 4, 30),
                        brand_voice={"keywords": ["k"], "default_hashtags": ["h"]}, utm={"utm_source": "s"})
        campaign.update(by=USER, ends_on=date(2026, 5, 15), objective="new")
        campaign.activate(by=USER)
        app.save(campaign)
        loaded = app.repository.get(campaign.id)
        assert state(loaded) == state(campaign)
        assert type(loaded.starts_on) is date and loaded.ends_on == date(2026, 5, 15)
        assert loaded.status is CampaignStatus.ACTIVE
        assert loaded.version == 3
    finally:
        app.close()



def test_even_a_no_op_update_of_an_archived_campaign_is_refused():
    campaign = Campaign.plan(workspace_id=WORKSPACE, created_by=USER, name="Old")
    campaign.archive(by=campaign.created_by)
    with pytest.raises(RuleViolated) as refused:
        campaign.update(by=campaign.created_by, name="Old")
    assert refused.value.rule == "campaign_archived"
