"""A Server-Sent Events client of `/api/events` for tests: reads the stream in a background task and
records each event with the moment it arrived."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import httpx
from httpx_sse import ServerSentEvent, aconnect_sse


@dataclass
class Received:
    at: float  # time.monotonic() on arrival
    id: int
    kind: str
    data: dict


@dataclass
class LiveClient:
    events: list[Received] = field(default_factory=list)
    status: int | None = None
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    def of_post(self, post_id: str, kind: str | None = None) -> list[Received]:
        return [e for e in self.events if e.data["post_id"] == post_id and (kind is None or e.kind == kind)]

    async def wait_for(self, found: Callable[[Received], bool], timeout: float, what: str) -> Received:
        deadline = time.monotonic() + timeout
        while True:
            hit = next((e for e in self.events if found(e)), None)
            if hit is not None:
                return hit
            assert time.monotonic() < deadline, f"{what}: not received in {timeout}s (got {self.events})"
            await asyncio.sleep(0.01)


def _received(sse: ServerSentEvent) -> Received:
    return Received(time.monotonic(), int(sse.id), sse.event, json.loads(sse.data))


@contextlib.asynccontextmanager
async def listening(client: httpx.AsyncClient, *, base_url: str | None = None, last_event_id: int | None = None,
                    headers: dict | None = None) -> AsyncIterator[LiveClient]:
    """`client` streams `/api/events` (on `base_url` if given) until the block ends; the block starts
    once the server says it is subscribed (or the stream is refused: see `status`)."""
    live, opened = LiveClient(), asyncio.Event()
    sent = dict(headers or {})
    if last_event_id is not None:
        sent["Last-Event-ID"] = str(last_event_id)
    url = f"{base_url}/api/events" if base_url else "/api/events"

    async def read() -> None:
        try:
            async with aconnect_sse(client, "GET", url, headers=sent, timeout=httpx.Timeout(30, read=None)) as source:
                live.status = source.response.status_code
                if live.status == 200:
                    async for sse in source.aiter_sse():
                        if sse.data:
                            live.events.append(_received(sse))
                        elif sse.retry is not None:
                            opened.set()  # the server is subscribed: what is committed from now on comes
        finally:
            opened.set()
            live.ended.set()

    task = asyncio.create_task(read())
    await asyncio.wait_for(opened.wait(), 10)
    try:
        yield live
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
