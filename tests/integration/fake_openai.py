"""A fake OpenAI-compatible chat-completions server, for tests over real sockets with the real client.

It speaks both URL shapes: OpenAI's ``/v1/chat/completions`` with a Bearer key, and Azure's
``/openai/deployments/{deployment}/chat/completions?api-version=...`` with an ``api-key`` header.

It answers from a script of replies, one per request, and records every request. With an
empty script it writes a short valid caption. Replies can be plain or streamed text, HTTP
errors with OpenAI's error bodies, slow answers, or bodies that are not JSON at all.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

API_KEY = "sk-test-postwizard"
MODEL = "fake-gpt"


@dataclass
class Reply:
    content: str = "Fresh sourdough every morning at our new bakery. Come by and taste it this Saturday!"
    status: int = 200
    delay: float = 0.0
    headers: dict = field(default_factory=dict)
    raw: str | None = None          # a body sent as is (not JSON)
    prompt_tokens: int = 40
    completion_tokens: int = 20


@dataclass
class FakeOpenAI:
    json_schema: bool = True        # False: refuse response_format like many local servers
    script: deque = field(default_factory=deque)
    requests: list[dict] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def answer(self, *replies: Reply | str) -> None:
        self.script.extend(Reply(r) if isinstance(r, str) else r for r in replies)

    def reset(self) -> None:
        self.script.clear()
        self.requests.clear()
        self.urls.clear()
        self.json_schema = True

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/chat/completions", self._chat, methods=["POST"]),
                                 Route("/openai/deployments/{deployment}/chat/completions", self._chat,
                                       methods=["POST"]),
                                 Route("/v1/models", self._models, methods=["GET"])])

    async def _models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "tests"}]})

    async def _chat(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        self.urls.append(str(request.url))
        deployment = request.path_params.get("deployment")
        key = request.headers.get("api-key") if deployment else request.headers.get("authorization")
        if key != (API_KEY if deployment else f"Bearer {API_KEY}"):
            return _error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
        if deployment and not request.query_params.get("api-version"):
            return _error(404, "Resource not found", "invalid_request_error", "404")
        if (deployment or body.get("model")) != MODEL:
            return _error(404, f"The model `{body.get('model')}` does not exist.", "invalid_request_error",
                          "model_not_found")
        if "response_format" in body and not self.json_schema:
            return _error(400, "response_format of type json_schema is not supported by this server",
                          "invalid_request_error", None)
        reply = self.script.popleft() if self.script else Reply()
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.raw is not None:
            return Response(reply.raw, status_code=reply.status, media_type="application/json", headers=reply.headers)
        if reply.status != 200:
            kind = "rate_limit_exceeded" if reply.status == 429 else "server_error"
            return _error(reply.status, f"fake failure {reply.status}", kind, None, reply.headers)
        content = reply.content
        if "response_format" in body:
            content = json.dumps({"captions": [content if i == 0 else f"{content} ({i + 1})"
                                               for i in range(_wanted(body))]})
        if body.get("stream"):
            return StreamingResponse(_chunks(content, reply, body), media_type="text/event-stream")
        return JSONResponse({
            "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": MODEL,
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
            "usage": _usage(reply)})

    def prompts(self) -> list[str]:
        """The user messages received, in order."""
        return [m["content"] for r in self.requests for m in r["messages"] if m["role"] == "user"]


def _wanted(body: dict) -> int:
    schema = body["response_format"]["json_schema"]["schema"]
    return schema["properties"]["captions"].get("minItems", 1)


def _usage(reply: Reply) -> dict:
    return {"prompt_tokens": reply.prompt_tokens, "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens}


async def _chunks(content: str, reply: Reply, body: dict):
    base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()), "model": MODEL}
    words = content.split(" ")
    for i, word in enumerate(words):
        piece = word if i == 0 else " " + word
        yield "data: " + json.dumps({**base, "choices": [{"index": 0, "delta": {"content": piece},
                                                          "finish_reason": None}]}) + "\n\n"
        await asyncio.sleep(0)
    yield "data: " + json.dumps({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}) + "\n\n"
    if (body.get("stream_options") or {}).get("include_usage"):
        yield "data: " + json.dumps({**base, "choices": [], "usage": _usage(reply)}) + "\n\n"
    yield "data: [DONE]\n\n"


def _error(status: int, message: str, kind: str, code: str | None, headers: dict | None = None) -> Response:
    return JSONResponse({"error": {"message": message, "type": kind, "param": None, "code": code}},
                        status_code=status, headers=headers)
