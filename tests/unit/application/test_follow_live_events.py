"""A user's live stream: only their workspaces' events, membership re-read as it goes, resume without
duplicates. An in-memory feed (the real one is exercised in tests/integration/test_live_events.py)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from application.live.commands import FollowLiveEvents
from application.live.follow_live_events import FollowLiveEventsHandler
from application.live.ports import ChangeKind, LiveEvent

MINE, OTHER = uuid.uuid4(), uuid.uuid4()
USER = uuid.uuid4()


class MemoryFeed:
    def __init__(self, journal: list[LiveEvent]) -> None:
        self.journal, self.queue = journal, asyncio.Queue[LiveEvent]()

    @contextlib.asynccontextmanager
    async def subscribe(self):
        yield self

    async def next(self, timeout: float) -> LiveEvent | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None

    async def since(self, after, workspace_ids, limit):
        return [e for e in self.journal if e.id > after and e.workspace_id in workspace_ids][:limit]


class Members:
    def __init__(self, *workspaces) -> None:
        self.workspaces = frozenset(workspaces)

    async def of_user(self, user_id):
        return self.workspaces


def event(id: int, workspace=MINE) -> LiveEvent:
    return LiveEvent(id, workspace, ChangeKind.METRICS, uuid.uuid4(), uuid.uuid4())


async def test_only_the_users_workspaces_are_delivered_and_membership_is_read_again():
    feed, members = MemoryFeed([]), Members(MINE)
    stream = await FollowLiveEventsHandler(feed, members, recheck=0.05)(FollowLiveEvents(USER))
    assert await anext(stream) is None  # subscribed
    for e in (event(1, OTHER), event(2)):
        feed.queue.put_nowait(e)
    assert (await anext(stream)).id == 2

    members.workspaces = frozenset({OTHER})  # moved to another workspace
    await asyncio.sleep(0.06)
    feed.queue.put_nowait(event(3))
    feed.queue.put_nowait(event(4, OTHER))
    assert (await anext(stream)).id == 4
    await stream.aclose()


async def test_resuming_delivers_the_missed_events_then_live_ones_without_repeating_any():
    journal = [event(1), event(2, OTHER), event(3), event(5)]
    feed = MemoryFeed(journal)
    stream = await FollowLiveEventsHandler(feed, Members(MINE))(FollowLiveEvents(USER, last_event_id=1))
    assert await anext(stream) is None
    feed.queue.put_nowait(journal[3])  # committed while the journal was read: its notification follows
    feed.queue.put_nowait(event(4))    # a lower id committed later still comes
    assert [(await anext(stream)).id for _ in range(3)] == [3, 5, 4]
    await stream.aclose()
