"""Small builders shared by the unit tests (plain functions, no fixtures)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.publishing.post import Post
from domain.shared.errors import RuleViolated

NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
LATER = NOW + timedelta(days=1)
USER = UUID("00000000-0000-4000-8000-000000000001")
WORKSPACE = UUID("00000000-0000-4000-8000-0000000000aa")


def make_post(*platforms: str, text: str = "Hello world", media: list[str] | None = None,
              requires_approval: bool = False, workspace_id: UUID = WORKSPACE) -> tuple[Post, list[UUID]]:
    """A draft post with one target per platform (mastodon when none given) and its channel ids."""
    platforms = platforms or ("mastodon",)
    channels = [uuid4() for _ in platforms]
    post = Post.draft(workspace_id=workspace_id, author_id=USER, text=text, media=media,
                      targets=[{"channel_id": c, "platform": p} for c, p in zip(channels, platforms)],
                      requires_approval=requires_approval)
    return post, channels


def schedule(post: Post, at: datetime = LATER, now: datetime = NOW, **kwargs: Any) -> None:
    post.schedule(by=USER, at=at, timezone="UTC", local_time=at.replace(tzinfo=None), now=now, **kwargs)


def reschedule(post: Post, at: datetime, channel_ids: list[UUID] | None = None, now: datetime = NOW) -> None:
    post.reschedule(by=USER, at=at, timezone="UTC", local_time=at.replace(tzinfo=None), now=now,
                    channel_ids=channel_ids)


def state(aggregate: Any) -> dict:
    """A deep copy of an aggregate's state (pending events excluded)."""
    return copy.deepcopy({k: v for k, v in vars(aggregate).items() if k != "_pending_events"})


def event_names(aggregate: Any) -> list[str]:
    """Names of the aggregate's pending events (collected, so the next call sees only new ones)."""
    return [type(e).__name__ for e in aggregate.collect_events()]


def assert_refused(aggregate: Any, rule: str, command: Callable[[], Any]) -> RuleViolated:
    """The command is refused by `rule` and leaves no trace: same state, same version, no new event."""
    before, pending = state(aggregate), len(aggregate._pending_events)
    with pytest.raises(RuleViolated) as info:
        command()
    assert info.value.rule == rule, info.value.message
    assert len(aggregate._pending_events) == pending
    assert state(aggregate) == before
    return info.value
