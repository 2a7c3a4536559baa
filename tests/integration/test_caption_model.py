"""The OpenAI-compatible caption adapter against a fake model server: the real ``openai`` client
over a real socket, every kind of answer and failure."""

from __future__ import annotations

import pytest

from adapters.captions.embedded_model import EmbeddedModel
from adapters.captions.openai_generator import Endpoint, OpenAICaptionGenerator
from application.captions.ports import CaptionBrief, CaptionModelError, CaptionTask, Controls, Delta, Drafts
from tests.integration.fake_openai import API_KEY, MODEL, Reply

TASK = CaptionTask(platform="mastodon", platform_name="Mastodon", limit=500, counting="graphemes_urls_23",
                   brief=CaptionBrief(topic="Bakery opening", key_message="Fresh sourdough"), language="en",
                   controls=Controls(), alternatives=2)


def _generator(url: str, *, key: str = API_KEY, model: str = MODEL, timeout: float = 2.0, retries: int = 1,
               structured: bool | None = None, api_version: str | None = None) -> OpenAICaptionGenerator:
    base = url if api_version else f"{url}/v1"
    endpoint = Endpoint(base_url=base, api_key=key, model=model, structured=structured, api_version=api_version)

    async def source() -> Endpoint:
        return endpoint

    return OpenAICaptionGenerator(source, model, timeout=timeout, max_retries=retries)


async def test_structured_output_asks_for_a_json_schema_and_reads_every_alternative(fake_llm, fake_llm_url):
    fake_llm.answer(Reply("Fresh bread, every morning.", prompt_tokens=50, completion_tokens=12))
    drafts = await _generator(fake_llm_url).write(TASK)
    assert drafts.texts == ("Fresh bread, every morning.", "Fresh bread, every morning. (2)")
    assert (drafts.usage.prompt_tokens, drafts.usage.completion_tokens) == (50, 12)
    sent = fake_llm.requests[0]
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["schema"]["properties"]["captions"]["minItems"] == 2


async def test_an_endpoint_without_json_schema_gets_plain_text_from_then_on(fake_llm, fake_llm_url):
    fake_llm.json_schema = False
    generator = _generator(fake_llm_url)
    fake_llm.answer("Here are two:\n1. First caption about bread.\n---\n2. Second caption about bread.",
                    "Only one this time.")
    drafts = await generator.write(TASK)
    assert drafts.texts == ("First caption about bread.", "Second caption about bread.")
    assert ["response_format" in r for r in fake_llm.requests] == [True, False]
    await generator.write(TASK)  # remembered: no second refusal
    assert ["response_format" in r for r in fake_llm.requests] == [True, False, False]


async def test_streamed_text_arrives_in_pieces_then_as_parsed_captions_with_usage(fake_llm, fake_llm_url):
    fake_llm.answer(Reply("One loaf at a time.\n---\nBread worth waking up for.", prompt_tokens=33,
                          completion_tokens=11))
    items = [item async for item in _generator(fake_llm_url).stream(TASK)]
    deltas = [i.text for i in items if isinstance(i, Delta)]
    assert len(deltas) > 3 and "".join(deltas) == "One loaf at a time.\n---\nBread worth waking up for."
    assert isinstance(items[-1], Drafts)
    assert items[-1].texts == ("One loaf at a time.", "Bread worth waking up for.")
    assert (items[-1].usage.prompt_tokens, items[-1].usage.completion_tokens) == (33, 11)
    assert fake_llm.requests[0]["stream"] is True and "response_format" not in fake_llm.requests[0]


async def test_a_429_is_retried_after_the_time_it_asks_for(fake_llm, fake_llm_url):
    fake_llm.answer(Reply(status=429, headers={"retry-after": "0"}), Reply("After the wait."))
    drafts = await _generator(fake_llm_url).write(TASK)
    assert drafts.texts[0] == "After the wait." and len(fake_llm.requests) == 2


async def test_a_500_that_persists_says_the_endpoint_failed(fake_llm, fake_llm_url):
    fake_llm.answer(Reply(status=500), Reply(status=500))
    with pytest.raises(CaptionModelError) as failure:
        await _generator(fake_llm_url).write(TASK)
    assert failure.value.kind == "unavailable" and "failed (500)" in failure.value.message
    assert len(fake_llm.requests) == 2  # one retry, then an answer rather than a hang


async def test_a_model_that_does_not_answer_in_time_is_a_timeout(fake_llm, fake_llm_url):
    fake_llm.answer(Reply(delay=1.5))
    with pytest.raises(CaptionModelError) as failure:
        await _generator(fake_llm_url, timeout=0.3, retries=0).write(TASK)
    assert failure.value.kind == "timeout" and "POSTWIZARD_LLM_TIMEOUT" in failure.value.fix


async def test_a_refused_api_key_says_so_and_how_to_fix_it(fake_llm, fake_llm_url):
    with pytest.raises(CaptionModelError) as failure:
        await _generator(fake_llm_url, key="sk-wrong").write(TASK)
    assert failure.value.kind == "auth"
    assert "refused the API key" in failure.value.message and "POSTWIZARD_LLM_API_KEY" in failure.value.fix
    assert "sk-wrong" not in str(failure.value) + failure.value.fix


async def test_an_unknown_model_names_the_setting(fake_llm, fake_llm_url):
    with pytest.raises(CaptionModelError) as failure:
        await _generator(fake_llm_url, model="gpt-nine").write(TASK)
    assert failure.value.kind == "not_found" and "POSTWIZARD_LLM_MODEL" in failure.value.fix


async def test_an_answer_that_is_not_json_is_an_error_not_a_crash(fake_llm, fake_llm_url):
    fake_llm.answer(Reply(raw="{this is not json"), Reply(raw="{this is not json"))
    with pytest.raises(CaptionModelError) as failure:
        await _generator(fake_llm_url, retries=0).write(TASK)
    assert failure.value.kind == "unavailable"


async def test_malformed_json_content_is_read_as_plain_text(fake_llm, fake_llm_url):
    fake_llm.json_schema = False
    fake_llm.answer('```json\n{"captions": ["Cut off mid-str', )
    drafts = await _generator(fake_llm_url, structured=False).write(TASK)
    assert drafts.texts == ("Cut off mid-str",)  # the handler's rules decide what survives


async def test_an_azure_style_deployment_is_reached_by_its_deployment_url_and_api_key_header(fake_llm, fake_llm_url):
    fake_llm.answer("From the deployment.")
    drafts = await _generator(fake_llm_url, api_version="2024-10-21").write(TASK)
    assert drafts.texts[0] == "From the deployment."
    assert fake_llm.urls[0] == (f"{fake_llm_url}/openai/deployments/{MODEL}/chat/completions"
                                "?api-version=2024-10-21")


async def test_without_an_endpoint_or_the_embedded_model_the_error_says_how_to_configure_one(tmp_path):
    missing = EmbeddedModel(path=tmp_path / "no-model.gguf")
    with pytest.raises(CaptionModelError) as failure:
        await missing.endpoint()
    assert failure.value.kind == "not_configured"
    assert "POSTWIZARD_LLM_BASE_URL" in failure.value.fix and "make install" in failure.value.fix
