"""A user's live stream: the changes of every workspace they are a member of, as they are committed.

Rules:
- Only events of the user's workspaces are delivered. Membership is read when the stream starts and
  again every `recheck` seconds, so someone removed from a workspace stops hearing of it and someone
  who joins one starts, without reconnecting.
- Resuming (`last_event_id`) first delivers the recorded events after that id, then the live ones;
  the subscription is opened before the journal is read, so nothing committed in between is lost,
  and an event read from the journal is not delivered again when its notification follows. Live
  events are delivered in commit order, which is not always id order (ids are taken before commit).
- A subscriber too slow to take its events ends its stream (FellBehind): the browser reconnects with
  the last id it got and resumes from the journal.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from uuid import UUID

from application.live.commands import FollowLiveEvents
from application.live.ports import LiveEvent, LiveFeed, MemberWorkspaces

RESUME_LIMIT = 1000
RECHECK_SECONDS = 15.0


class FollowLiveEventsHandler:
    def __init__(self, feed: LiveFeed, members: MemberWorkspaces, recheck: float = RECHECK_SECONDS) -> None:
        self.feed, self.members, self.recheck = feed, members, recheck

    async def __call__(self, query: FollowLiveEvents) -> AsyncIterator[LiveEvent | None]:
        """Reads the user's workspaces at once, then answers the stream: first None, once subscribed
        (whatever is committed from then on will be delivered), then the events."""
        return self._stream(query, await self.members.of_user(query.user_id))

    async def _stream(self, query: FollowLiveEvents, workspaces: frozenset[UUID]) -> AsyncIterator[LiveEvent | None]:
        async with self.feed.subscribe() as subscription:
            yield None
            resumed: set[int] = set()
            if query.last_event_id is not None:
                for missed in await self.feed.since(query.last_event_id, workspaces, RESUME_LIMIT):
                    resumed.add(missed.id)
                    yield missed
            checked = time.monotonic()
            while True:
                event = await subscription.next(self.recheck)
                if time.monotonic() - checked >= self.recheck:
                    workspaces, checked = await self.members.of_user(query.user_id), time.monotonic()
                if event is not None and event.workspace_id in workspaces and event.id not in resumed:
                    yield event
