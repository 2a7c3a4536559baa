"""The workspace's posts, filtered and paged, most recently changed first.

Business rules:
- filters combine: post status, campaign, channels (a target on any of them), a target state, and the
  post's scheduled instant in [from, to) (instants with their offset);
- pages are keyset-paged: each page names the cursor of the next one (None on the last), so a page
  never repeats or skips posts because others were added before it. A post changed while paging
  moves to the front of the order and shows up again on a fresh first page;
- a cursor is opaque: one not given by this API is refused, naming `cursor`.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from uuid import UUID

from application.publishing.commands import ListPosts
from application.publishing.views import PostFilters, PostPage, PostPosition, PostReader
from domain.publishing.states import PostStatus, TargetState
from domain.shared.errors import InvalidValue
from domain.shared.roles import Permission
from domain.shared.timezones import as_utc

MAX_PAGE = 500


def encode_cursor(position: PostPosition) -> str:
    raw = f"{position.updated_at.isoformat()}|{position.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> PostPosition:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, ident = raw.split("|")
        updated_at = datetime.fromisoformat(at)
        if updated_at.tzinfo is None:
            raise ValueError(at)
        return PostPosition(updated_at=updated_at, id=UUID(ident))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidValue("cursor", "is not a cursor this API gave; list again without it") from None


def _one_of(field: str, value: str | None, allowed: type[PostStatus] | type[TargetState]) -> None:
    if value is not None and value not in {s.value for s in allowed}:
        raise InvalidValue(field, f"must be one of {', '.join(s.value for s in allowed)}")


def _instant(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise InvalidValue(field, "needs a UTC offset, e.g. 2026-05-01T00:00:00Z")
    return as_utc(value, field)


class ListPostsHandler:
    def __init__(self, reader: PostReader) -> None:
        self.reader = reader

    async def __call__(self, query: ListPosts) -> PostPage:
        query.actor.require(Permission.READ)
        if not 1 <= query.limit <= MAX_PAGE:
            raise InvalidValue("limit", f"must be 1 to {MAX_PAGE}")
        if query.offset < 0:
            raise InvalidValue("offset", "must be at least 0")
        _one_of("status", query.status, PostStatus)
        _one_of("state", query.state, TargetState)
        start, end = _instant(query.scheduled_from, "from"), _instant(query.scheduled_to, "to")
        if start and end and end <= start:
            raise InvalidValue("to", "must be after from")
        after = decode_cursor(query.cursor) if query.cursor else None
        filters = PostFilters(status=query.status, campaign_id=query.campaign_id, channel_ids=query.channel_ids,
                              state=query.state, scheduled_from=start, scheduled_to=end)
        posts = await self.reader.list(query.actor.workspace_id, filters, query.limit + 1, query.offset, after)
        if len(posts) <= query.limit:
            return PostPage(posts=posts, next_cursor=None)
        last = posts[query.limit - 1]
        return PostPage(posts=posts[:query.limit],
                        next_cursor=encode_cursor(PostPosition(updated_at=last.updated_at, id=last.id)))
