"""CaptionGenerator on the ``openai`` SDK: any OpenAI-compatible endpoint, the embedded model included.

OpenAI, Azure-style deployments, Ollama, vLLM, LM Studio, OpenRouter and llama.cpp all speak
this protocol. The SDK retries 429s, 5xx and timeouts with backoff (honouring Retry-After);
what still fails becomes a CaptionModelError that says what to change.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import openai
from openai import AsyncAzureOpenAI, AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam

from adapters.captions.parsing import captions_from
from adapters.captions.prompts import SEPARATOR, captions_schema, repair_messages, write_messages
from application.captions.ports import CaptionModelError, CaptionTask, Delta, Drafts, Usage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Endpoint:
    """Where the model answers. ``api_version`` selects Azure-style deployment URLs;
    ``structured`` False skips JSON-schema output (None: try it, and remember a refusal);
    ``one_per_request`` asks for one caption at a time (small models lose track of several)."""

    base_url: str
    api_key: str
    model: str
    api_version: str | None = None
    structured: bool | None = None
    one_per_request: bool = False
    sampling: tuple[tuple[str, float], ...] = ()  # server-specific sampler settings, sent as extra body
    fresh_seed: bool = False  # servers that otherwise reuse one seed would write the same caption twice


class OpenAICaptionGenerator:
    def __init__(self, endpoint: Callable[[], Awaitable[Endpoint]], model_name: str, *,
                 timeout: float, max_retries: int, temperature: float = 0.7) -> None:
        self._endpoint = endpoint
        self._model_name = model_name
        self.timeout = timeout
        self.max_retries = max_retries
        self.temperature = temperature
        self._clients: dict[Endpoint, AsyncOpenAI] = {}
        self._no_structured: set[str] = set()

    @property
    def model_name(self) -> str:
        return self._model_name

    async def warm_up(self) -> str:
        """Reach the endpoint now (the embedded model loads on its first use); returns its URL."""
        return (await self._endpoint()).base_url

    async def write(self, task: CaptionTask) -> Drafts:
        endpoint, client = await self._client()
        if endpoint.one_per_request:
            return _merged([await self._write(endpoint, client, task, 1) for _ in range(task.alternatives)])
        return await self._write(endpoint, client, task, task.alternatives)

    async def stream(self, task: CaptionTask) -> AsyncIterator[Delta | Drafts]:
        endpoint, client = await self._client()
        rounds, per_round = (task.alternatives, 1) if endpoint.one_per_request else (1, task.alternatives)
        drafts = []
        for round_ in range(rounds):
            if round_:
                yield Delta(f"\n{SEPARATOR}\n")
            async for item in self._stream(endpoint, client, task, per_round):
                if isinstance(item, Delta):
                    yield item
                else:
                    drafts.append(item)
        yield _merged(drafts)

    async def _write(self, endpoint: Endpoint, client: AsyncOpenAI, task: CaptionTask, n: int) -> Drafts:
        if endpoint.structured is not False and endpoint.base_url not in self._no_structured:
            try:
                answer = await self._complete(client, endpoint, write_messages(task, structured=True, alternatives=n),
                                              task, n, response_format={"type": "json_schema", "json_schema": {
                                                  "name": "captions", "schema": captions_schema(n)}})
                return _drafts(answer)
            except openai.BadRequestError as exc:
                # Endpoints without JSON-schema output refuse the request; plain text works everywhere.
                log.info("%s refused structured output (%s); using plain text from now on", endpoint.base_url,
                         exc.status_code)
                self._no_structured.add(endpoint.base_url)
        answer = await self._complete(client, endpoint, write_messages(task, structured=False, alternatives=n),
                                      task, n)
        return _drafts(answer)

    async def _stream(self, endpoint: Endpoint, client: AsyncOpenAI, task: CaptionTask,
                      n: int) -> AsyncIterator[Delta | Drafts]:
        messages = write_messages(task, structured=False, alternatives=n)
        pieces: list[str] = []
        usage, truncated = None, False
        try:
            chunks = await client.chat.completions.create(
                model=endpoint.model, messages=messages, temperature=self.temperature,
                max_tokens=_max_tokens(task, n, endpoint), stream=True, stream_options={"include_usage": True},
                extra_body=_extra_body(endpoint))
            async for chunk in chunks:
                if chunk.usage:
                    usage = chunk.usage
                for choice in chunk.choices:
                    truncated = truncated or choice.finish_reason == "length"
                    if choice.delta and choice.delta.content:
                        pieces.append(choice.delta.content)
                        yield Delta(choice.delta.content)
        except (openai.OpenAIError, ValueError) as exc:  # ValueError: a body that is not JSON
            raise _model_error(exc, endpoint) from exc
        text = "".join(pieces)
        yield Drafts(tuple(captions_from(text, truncated=truncated)), _usage(usage, messages, text))

    async def repair(self, task: CaptionTask, text: str, problems: list[str]) -> Drafts:
        endpoint, client = await self._client()
        answer = await self._complete(client, endpoint, repair_messages(task, text, problems), task, 1)
        return _drafts(answer, limit=1)

    async def _client(self) -> tuple[Endpoint, AsyncOpenAI]:
        endpoint = await self._endpoint()
        client = self._clients.get(endpoint)
        if client is None:
            if endpoint.api_version:
                client = AsyncAzureOpenAI(azure_endpoint=endpoint.base_url, api_key=endpoint.api_key,
                                          api_version=endpoint.api_version, azure_deployment=endpoint.model,
                                          timeout=self.timeout, max_retries=self.max_retries)
            else:
                client = AsyncOpenAI(base_url=endpoint.base_url, api_key=endpoint.api_key,
                                     timeout=self.timeout, max_retries=self.max_retries)
            self._clients[endpoint] = client
        return endpoint, client

    async def _complete(self, client: AsyncOpenAI, endpoint: Endpoint, messages: list[ChatCompletionMessageParam], task: CaptionTask,
                        n: int, **extra):
        try:
            return await client.chat.completions.create(
                model=endpoint.model, messages=messages, temperature=self.temperature,
                max_tokens=_max_tokens(task, n, endpoint), extra_body=_extra_body(endpoint), **extra)
        except openai.BadRequestError as exc:
            if "response_format" in extra:
                raise
            raise _model_error(exc, endpoint) from exc
        except (openai.OpenAIError, ValueError) as exc:  # ValueError: a body that is not JSON
            raise _model_error(exc, endpoint) from exc

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.close()
        self._clients.clear()


def _max_tokens(task: CaptionTask, n: int, endpoint: Endpoint) -> int:
    """Enough for each caption at about three characters a token, with room for separators.

    Small models (one caption per request) ramble to the cap, so theirs is the length asked for."""
    if endpoint.one_per_request:
        return (task.limit * 4 // 5) // 4 + 8
    return min(4096, (min(task.limit, 1500) // 3 + 40) * n)


def _extra_body(endpoint: Endpoint) -> dict | None:
    body = dict(endpoint.sampling)
    if endpoint.fresh_seed:
        body["seed"] = secrets.randbelow(2**31)
    return body or None


def _merged(drafts: list[Drafts]) -> Drafts:
    usage = Usage()
    for d in drafts:
        usage += d.usage
    return Drafts(tuple(t for d in drafts for t in d.texts), usage)


def _drafts(answer, limit: int | None = None) -> Drafts:
    choice = answer.choices[0] if answer.choices else None
    content = choice.message.content if choice else ""
    texts = tuple(captions_from(content, truncated=bool(choice and choice.finish_reason == "length")))
    return Drafts(texts[:limit] if limit else texts, _usage(answer.usage, None, content or ""))


def _usage(reported, messages: list[ChatCompletionMessageParam] | None, text: str) -> Usage:
    if reported is not None:
        return Usage(reported.prompt_tokens or 0, reported.completion_tokens or 0)
    # Some servers report no usage when streaming: estimate at four characters a token.
    contents = (m.get("content") for m in messages or [])
    prompt_chars = sum(len(c) for c in contents if isinstance(c, str))
    return Usage(-(-prompt_chars // 4), -(-len(text) // 4))


def _model_error(exc: Exception, endpoint: Endpoint) -> CaptionModelError:
    where = endpoint.base_url
    settings = "POSTWIZARD_LLM_BASE_URL, POSTWIZARD_LLM_MODEL and POSTWIZARD_LLM_API_KEY"
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return CaptionModelError("auth", f"the model endpoint {where} refused the API key ({exc.status_code})",
                                 "set POSTWIZARD_LLM_API_KEY to a key this endpoint accepts")
    if isinstance(exc, openai.NotFoundError):
        return CaptionModelError("not_found", f"the model endpoint {where} has no model '{endpoint.model}'",
                                 "set POSTWIZARD_LLM_MODEL to a model this endpoint serves")
    if isinstance(exc, openai.RateLimitError):
        retry = exc.response.headers.get("retry-after")
        return CaptionModelError("rate_limited", f"the model endpoint {where} is rate limiting requests",
                                 "wait a minute and try again, or raise the endpoint's limits",
                                 retry_after=float(retry) if retry and retry.replace(".", "", 1).isdigit() else None)
    if isinstance(exc, openai.APITimeoutError):
        return CaptionModelError("timeout", f"the model endpoint {where} did not answer in time",
                                 "try again; if it keeps happening raise POSTWIZARD_LLM_TIMEOUT or use a faster model")
    if isinstance(exc, openai.APIConnectionError):
        return CaptionModelError("unavailable", f"could not reach the model endpoint {where}",
                                 f"check that it is running and that {settings} are right")
    if isinstance(exc, openai.BadRequestError):
        return CaptionModelError("refused", f"the model endpoint {where} refused the request: {_message(exc)}",
                                 "shorten the brief or choose a model with a larger context")
    if isinstance(exc, openai.APIStatusError):
        return CaptionModelError("unavailable", f"the model endpoint {where} failed ({exc.status_code})",
                                 "try again in a moment; if it keeps failing check the endpoint's status")
    return CaptionModelError("unavailable", f"the model endpoint {where} gave an unusable answer",
                             f"try again; if it keeps failing check {settings}")


def _message(exc: openai.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    message = body.get("message") or (body.get("error") or {}).get("message") if body else None
    return str(message or exc.message)[:300]
