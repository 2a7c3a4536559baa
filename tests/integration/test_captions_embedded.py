"""The embedded model, for real on this machine: llama.cpp loads the packaged GGUF and writes
captions; whatever it writes, every variant handed back passes its platform's rules."""

from __future__ import annotations

import uuid

import pytest

from adapters.captions import embedded_model
from adapters.captions.configured import build_caption_generator
from adapters.captions.examples import NoEngagementYet
from adapters.shared.clock import SystemClock
from application.campaigns.commands import CreateCampaign
from application.captions.commands import GenerateCaptions
from application.captions.generate_captions import GenerateCaptionsHandler
from application.captions.ports import CaptionBrief, Controls
from application.shared.actor import Actor
from domain.captions import caption_violations
from domain.shared.roles import Role
from tests.integration.test_cli import _cli
from tests.integration.users import sign_up


def test_make_install_put_the_embedded_model_in_place():
    assert embedded_model.available(), embedded_model.NOT_INSTALLED_FIX


@pytest.fixture(scope="module")
async def embedded():
    generator = build_caption_generator(base_url=None, api_key=None, model="", api_version=None, structured=None,
                                        timeout=120, max_retries=0, threads=2)
    yield generator
    await generator.aclose()


async def test_every_embedded_variant_passes_its_platforms_rules(container, embedded):
    actor = Actor(uuid.uuid4(), uuid.uuid4(), Role.OWNER)
    saved = await container.create_campaign()(CreateCampaign(
        actor=actor, name="Bakery", brand_voice={"tone": "warm", "banned_words": ["cheap", "bakery"],
                                                 "default_hashtags": ["FreshBread"]},
        utm_defaults={"utm_campaign": "opening"}))
    await container.projector().wait_for(saved.position)
    handler = GenerateCaptionsHandler(embedded, container.campaign_reader(), container.usage_ledger(),
                                      NoEngagementYet(), SystemClock(), limit_per_hour=10)
    result = await handler(GenerateCaptions(
        actor=actor, campaign_id=saved.id, alternatives=2, platforms=["x", "bluesky", "mastodon"],
        brief=CaptionBrief(topic="Our bakery opens on Saturday", key_message="Fresh sourdough every morning",
                           link="https://bakery.example/open", call_to_action="Come by and taste"),
        controls=Controls(length="short")))
    assert result.model.startswith("SmolLM2") and result.usage.completion_tokens > 0
    assert [p.platform for p in result.platforms] == ["x", "bluesky", "mastodon"]
    for entry in result.platforms:
        assert len({v.text for v in entry.variants}) == 2  # two different captions, not one twice
        for v in entry.variants:
            assert caption_violations(v.platform, v.text, banned_words=("cheap", "bakery")) == [], v
            assert f"utm_source={v.platform}" in v.text and "utm_campaign=opening" in v.text
            assert v.text.strip() and v.length <= v.limit


async def test_the_cli_streams_captions_from_the_embedded_model(settings, base_url):
    ann = await sign_up(base_url)
    env = {"POSTWIZARD_LLM_BASE_URL": ""}  # no endpoint: the embedded model answers
    r = await _cli(settings, "caption", "-u", ann.email, "--workspace", ann.workspace_id, "--topic",
                   "A rainy-day reading list", "--platform", "x", "--length", "short", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "writing for x" in r.stdout and "SmolLM2-135M-Instruct (embedded)" in r.stdout
    assert "/280" in r.stdout and "prompt +" in r.stdout
