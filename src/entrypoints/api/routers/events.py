"""Server-Sent Events: the changes users watch (a target's numbers, its publishing state), pushed to
every member of the workspace they belong to as they are committed.

`GET /api/events` (session cookie or API token, as the rest of the API) streams, for every workspace
the caller is a member of, `event: metrics` or `event: target` with `id:` (the change's number) and
`data: {"workspace_id", "post_id", "channel_id"}`; a comment line every 15 s keeps proxies from closing
a quiet stream. A client that reconnects sends the last id it got (`Last-Event-ID`, as EventSource
does by itself, or `?last_event_id=`) and first receives what it missed (kept about an hour).
Left out of the OpenAPI document: a stream that never ends is no operation for generated clients.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query
from sse_starlette import EventSourceResponse, ServerSentEvent

from application.live.commands import FollowLiveEvents
from application.live.ports import FellBehind, LiveEvent
from domain.shared.errors import InvalidValue
from entrypoints.api.dependencies import ContainerDep, PrincipalDep

router = APIRouter(tags=["events"])
HEARTBEAT_SECONDS = 15
RECONNECT_MS = 2000  # how long a browser waits before reconnecting a stream that ended


def _last_id(header: str | None, query: str | None) -> int | None:
    value = header if header is not None else query
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        raise InvalidValue("Last-Event-ID", "must be the id of an event this stream sent")
    return int(value)


@router.get("/api/events", include_in_schema=False)
async def events(who: PrincipalDep, c: ContainerDep,
                 last_event_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
                 last_event_id: Annotated[str | None, Query()] = None) -> EventSourceResponse:
    stream = await c.follow_live_events()(FollowLiveEvents(who.user_id, _last_id(last_event_header, last_event_id)))

    async def sent() -> AsyncIterator[ServerSentEvent]:
        try:
            async for event in stream:
                # None: subscribed. Said with the reconnection delay, so a client knows it is heard.
                yield _sse(event) if event is not None else ServerSentEvent(comment="subscribed", retry=RECONNECT_MS)
        except FellBehind:
            return  # the browser reconnects with the last id it got and resumes from the journal

    return EventSourceResponse(sent(), ping=HEARTBEAT_SECONDS, headers={"Cache-Control": "no-store",
                                                                        "X-Accel-Buffering": "no"})


def _sse(event: LiveEvent) -> ServerSentEvent:
    data = {"workspace_id": str(event.workspace_id), "post_id": str(event.post_id), "channel_id": str(event.channel_id)}
    return ServerSentEvent(data=json.dumps(data, separators=(",", ":")), id=str(event.id), event=event.kind.value)
