"""The live feed of one process: ONE dedicated asyncpg connection LISTENs on `postwizard_live`, and
every notification is handed in memory to each subscriber (each open SSE stream) of this process.
Any number of API processes each listen for themselves; PostgreSQL delivers every notification to all.

The connection is opened at the first subscription. When it is lost (a database restart, a network
cut) it is opened again with backoff (0.5 s doubling to 10 s); subscribers present then may have
missed notifications, so they are told they fell behind and resume from the journal.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Collection
from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.live.journal import LIVE_CHANNEL
from adapters.live.tables import live_events
from adapters.shared.database_url import DatabaseLocation
from application.live.ports import ChangeKind, FellBehind, LiveEvent

log = logging.getLogger(__name__)

QUEUE_LIMIT = 1000        # events waiting for one subscriber before it is told it fell behind
READY_WAIT = 5.0          # how long a new subscriber waits for LISTEN to be in place
PING_EVERY = 15.0         # a quiet connection is checked this often (a dead one may never say so)
BACKOFF = (0.5, 10.0)
APPLICATION_NAME = "postwizard-live"  # how the listening connection shows in pg_stat_activity


class _Subscriber:
    """Implements Subscription: events in arrival order, at most `limit` waiting."""

    def __init__(self, limit: int) -> None:
        self.events: deque[LiveEvent] = deque()
        self.limit, self.behind = limit, False
        self.wake = asyncio.Event()

    def push(self, event: LiveEvent) -> None:
        if len(self.events) >= self.limit:
            self.fall_behind()
        else:
            self.events.append(event)
            self.wake.set()

    def fall_behind(self) -> None:
        self.behind = True
        self.events.clear()
        self.wake.set()

    async def next(self, timeout: float) -> LiveEvent | None:
        if not self.events and not self.behind:
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self.wake.wait()
        if self.behind:
            raise FellBehind("events were dropped; resume from the last event received")
        return self.events.popleft() if self.events else None


def _event(payload: str) -> LiveEvent:
    data = json.loads(payload)
    return LiveEvent(id=int(data["id"]), workspace_id=UUID(data["workspace_id"]), kind=ChangeKind(data["kind"]),
                     post_id=UUID(data["post_id"]), channel_id=UUID(data["channel_id"]))


class PostgresLiveFeed:
    """Implements LiveFeed."""

    def __init__(self, location: DatabaseLocation, engine: AsyncEngine, queue_limit: int = QUEUE_LIMIT) -> None:
        self.location, self.engine, self.queue_limit = location, engine, queue_limit
        self.subscribers: set[_Subscriber] = set()
        self.listening = asyncio.Event()
        self.task: asyncio.Task | None = None

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[_Subscriber]:
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._listen(), name="live-feed")
        subscriber = _Subscriber(self.queue_limit)
        self.subscribers.add(subscriber)
        try:
            with contextlib.suppress(TimeoutError):  # the database is away: resume will fill the gap later
                async with asyncio.timeout(READY_WAIT):
                    await self.listening.wait()
            yield subscriber
        finally:
            self.subscribers.discard(subscriber)

    async def since(self, after: int, workspace_ids: Collection[UUID], limit: int) -> list[LiveEvent]:
        if not workspace_ids:
            return []
        t = live_events
        query = (select(t.c.id, t.c.workspace_id, t.c.kind, t.c.post_id, t.c.channel_id)
                 .where(t.c.id > after, t.c.workspace_id.in_(list(workspace_ids))).order_by(t.c.id).limit(limit))
        async with self.engine.connect() as conn:
            return [LiveEvent(id, workspace_id, ChangeKind(kind), post_id, channel_id)
                    for id, workspace_id, kind, post_id, channel_id in await conn.execute(query)]

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None

    def _deliver(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            event = _event(payload)
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed live notification: %.200s", payload)
            return
        for subscriber in list(self.subscribers):
            subscriber.push(event)

    async def _listen(self) -> None:
        delay = BACKOFF[0]
        while True:
            try:
                await self._listen_once()
            except asyncio.CancelledError:
                raise
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("live feed: not listening (%s); trying again in %.1fs", error, delay)
            finally:
                if self.listening.is_set():  # it was up: its subscribers may have missed notifications
                    self.listening.clear()
                    delay = BACKOFF[0]
                    for subscriber in list(self.subscribers):
                        subscriber.fall_behind()
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF[1])

    async def _listen_once(self) -> None:
        loc = self.location
        conn = await asyncpg.connect(host=loc.host, port=loc.port, user=loc.user, password=loc.password or None,
                                     database=loc.dbname, timeout=10,
                                     server_settings={"application_name": APPLICATION_NAME})
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        try:
            await conn.add_listener(LIVE_CHANNEL, self._deliver)
            self.listening.set()
            log.info("live feed: listening on %s", LIVE_CHANNEL)
            while not lost.is_set():
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(PING_EVERY):
                        await lost.wait()
                if not lost.is_set():
                    await conn.fetchval("SELECT 1", timeout=5)
            raise ConnectionError("the listening connection was closed")
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 2)
            conn.terminate()
