"""CampaignOut is typed for the UI's generated client: the brand voice's five fields, the status's
three values and UTM values as strings (not a loose `dict`)."""

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from application.campaigns.views import CampaignView
from domain.campaigns.brand_voice import BrandVoice
from entrypoints.api.openapi_export import openapi_document
from entrypoints.api.schemas import CampaignOut


def _view(**changes) -> CampaignView:
    now = datetime.now(UTC)
    fields = dict(id=uuid4(), name="Spring", objective="", status="planned", archived=False, starts_on=date(2026, 3, 1),
                  ends_on=None, brand_voice=BrandVoice.from_dict({"keywords": ["fresh"], "default_hashtags": ["spring"]})
                  .to_dict(), utm_defaults={"utm_source": "social"}, version=1, post_count=0, created_at=now,
                  updated_at=now)
    return CampaignView(**(fields | changes))


def test_a_campaign_view_is_answered_with_its_brand_voice_fields():
    out = CampaignOut.model_validate(_view())
    assert out.brand_voice.keywords == ["fresh"] and out.brand_voice.default_hashtags == ["#spring"]
    assert out.model_dump(mode="json")["brand_voice"] == {"tone": "", "audience": "", "keywords": ["fresh"],
                                                         "banned_words": [], "default_hashtags": ["#spring"]}


def test_an_unknown_status_is_not_answered():
    with pytest.raises(ValidationError):
        CampaignOut.model_validate(_view(status="paused"))


def test_the_openapi_document_describes_the_brand_voice_and_status():
    schemas = openapi_document()["components"]["schemas"]
    campaign = schemas["CampaignOut"]["properties"]
    assert campaign["brand_voice"] == {"$ref": "#/components/schemas/BrandVoiceOut"}
    assert campaign["status"]["enum"] == ["planned", "active", "completed"]
    assert set(schemas["BrandVoiceOut"]["required"]) == {"tone", "audience", "keywords", "banned_words",
                                                         "default_hashtags"}
