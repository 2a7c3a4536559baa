"""Captions: generate checked variants from a brief (JSON or streamed), and the workspace's usage."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict

from fastapi import APIRouter
from fastapi.sse import EventSourceResponse, format_sse_event

from application.captions.commands import GenerateCaptions, GetCaptionUsage
from application.captions.ports import CaptionBrief, CaptionModelError, Controls
from application.captions.views import Finished, PlatformReady, TextArrived
from entrypoints.api.dependencies import ActorDep, ContainerDep
from entrypoints.api.errors import model_problem
from entrypoints.api.schemas import CaptionModelOut, CaptionSetOut, CaptionsIn, CaptionUsageOut, PlatformCaptionsOut

router = APIRouter(prefix="/api/workspaces/{workspace_id}/captions", tags=["captions"])
log = logging.getLogger(__name__)


def _command(actor, body: CaptionsIn) -> GenerateCaptions:
    return GenerateCaptions(
        actor=actor, brief=CaptionBrief(**body.brief.model_dump()), platforms=body.platforms,
        campaign_id=body.campaign_id, language=body.language,
        controls=Controls(tone=body.tone, length=body.length, emoji=body.emoji, hashtags=body.hashtags),
        alternatives=body.alternatives, media_count=body.media_count)


@router.post("", response_model=CaptionSetOut)
async def generate(body: CaptionsIn, actor: ActorDep, c: ContainerDep) -> CaptionSetOut:
    """Per platform, `alternatives` captions that pass that platform's rules. A caption the
    model got wrong is repaired by the model once, then cut or cleaned by PostWizard;
    `source` and `changes` say which happened."""
    return CaptionSetOut.model_validate(await c.generate_captions()(_command(actor, body)))


@router.post("/stream", response_model=None, responses={200: {"content": {"text/event-stream": {}}}})
async def generate_streamed(body: CaptionsIn, actor: ActorDep, c: ContainerDep) -> EventSourceResponse:
    """Server-Sent Events: `token` (platform, text) as the model writes, `variants` (platform,
    checked variants) per platform, then `done` (model, usage) or `error` (problem+json)."""
    handler = c.generate_captions()
    job = await handler.prepare(_command(actor, body))  # bad input and the rate limit answer before streaming

    async def events():
        try:
            async for event in handler.run(job, stream=True):
                if isinstance(event, TextArrived):
                    yield _sse("token", {"platform": event.platform, "text": event.text})
                elif isinstance(event, PlatformReady):
                    yield _sse("variants", PlatformCaptionsOut.model_validate(event.captions).model_dump())
                elif isinstance(event, Finished):
                    yield _sse("done", {"model": event.result.model, "usage": asdict(event.result.usage)})
        except CaptionModelError as exc:
            yield _sse("error", model_problem(exc))
        except Exception:
            log.exception("caption stream failed")
            yield _sse("error", {"type": "/problems/internal", "title": "Caption generation failed", "status": 500,
                                 "detail": "an unexpected error stopped the generation; try again"})

    return EventSourceResponse(events())


@router.get("/usage", response_model=CaptionUsageOut)
async def usage(actor: ActorDep, c: ContainerDep) -> CaptionUsageOut:
    """Generations and tokens today and this month, the hourly limit, and which model writes."""
    summary = await c.get_caption_usage()(GetCaptionUsage(actor))
    return CaptionUsageOut(**asdict(summary), model=CaptionModelOut.model_validate(c.caption_model_status()))


def _sse(event: str, data: dict) -> bytes:
    return format_sse_event(event=event, data_str=json.dumps(data))
