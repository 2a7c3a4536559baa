"""Posts: drafts, variants, review, scheduling, cancelling; list, detail with history; the calendar."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Path, Query, Request, Response, UploadFile

from application.publishing.commands import (
    ApprovePost,
    CalendarRange,
    CancelPost,
    CreateDraftPost,
    EditPost,
    GetPost,
    ListPosts,
    RequestChanges,
    ReschedulePost,
    RetryTarget,
    SchedulePost,
    SetVariant,
    SubmitForReview,
)
from application.publishing.describe_media import DescribeMedia
from application.publishing.get_media import GetMedia
from application.publishing.ports import MediaRecord
from application.publishing.upload_media import UploadMedia
from application.publishing.views import CalendarEntry
from application.shared.actor import Actor
from entrypoints.api.dependencies import ActorDep, ContainerDep, ExpectedVersion, run
from entrypoints.api.json_views import JsonViews
from entrypoints.api.schemas import (
    CalendarEntryOut,
    CancelIn,
    MediaAltIn,
    MediaOut,
    NoteIn,
    PostIn,
    PostOut,
    PostPatch,
    PrintableText,
    RescheduleIn,
    RetryIn,
    ScheduleIn,
    VariantIn,
)

router = APIRouter(prefix="/api/workspaces/{workspace_id}", tags=["posts"])
MAX_OFFSET = 2**31 - 1  # PostgreSQL takes OFFSET as a bigint: larger numbers would fail in the driver, not here


async def _detail(c: ContainerDep, actor: Actor, post_id: UUID, response: Response) -> PostOut:
    view = await c.get_post()(GetPost(actor, post_id))
    response.headers["ETag"] = f'"{view.version}"'
    return PostOut.model_validate(view)


NEXT_CURSOR_HEADER = "X-Next-Cursor"
_PAGED: dict[int | str, dict[str, Any]] = {200: {"headers": {
    NEXT_CURSOR_HEADER: {"description": "the `cursor` of the next page; absent on the last page",
                         "schema": {"type": "string"}},
    "Link": {"description": 'RFC 8288 `<…>; rel="next"`: this request with the next cursor (absent on the last page)',
             "schema": {"type": "string"}}}}}


@router.get("/posts", response_model=list[PostOut], responses=_PAGED)
async def list_posts(
    request: Request, response: Response, actor: ActorDep, c: ContainerDep,
    status: str | None = None, campaign_id: UUID | None = None,
    channel_id: Annotated[list[UUID] | None, Query(description="a target on any of these channels")] = None,
    state: Annotated[str | None, Query(description="a target in this state (scheduled, failed, published, …)")] = None,
    from_: Annotated[datetime | None, Query(alias="from", description="scheduled at or after this instant")] = None,
    to: Annotated[datetime | None, Query(description="scheduled before this instant")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="the X-Next-Cursor of the page before")] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[PostOut]:
    """Posts, most recently changed first, `limit` at a time; follow `X-Next-Cursor` (or the `Link`
    header) for the next page. All filters given must hold."""
    page = await c.list_posts()(ListPosts(
        actor, status, campaign_id, limit, offset, channel_ids=tuple(channel_id or ()), state=state,
        scheduled_from=from_, scheduled_to=to, cursor=cursor))
    if page.next_cursor:
        response.headers[NEXT_CURSOR_HEADER] = page.next_cursor
        response.headers["Link"] = f'<{request.url.include_query_params(cursor=page.next_cursor)}>; rel="next"'
    return [PostOut.model_validate(v) for v in page.posts]


@router.post("/posts", response_model=PostOut, status_code=201)
async def create_post(body: PostIn, actor: ActorDep, c: ContainerDep, response: Response) -> PostOut:
    saved = await run(c, c.create_draft_post(), CreateDraftPost(
        actor=actor, text=body.text, channel_ids=body.channel_ids, campaign_id=body.campaign_id,
        media=body.media, variants=body.variants, schedule_at=body.schedule_at, timezone=body.timezone))
    return await _detail(c, actor, saved.id, response)


@router.get("/posts/{post_id}", response_model=PostOut)
async def get_post(post_id: UUID, actor: ActorDep, c: ContainerDep, response: Response) -> PostOut:
    """The post, its targets (state, remote link, failure and fix) and its history."""
    return await _detail(c, actor, post_id, response)


@router.patch("/posts/{post_id}", response_model=PostOut)
async def edit_post(post_id: UUID, body: PostPatch, actor: ActorDep, c: ContainerDep, version: ExpectedVersion,
                    response: Response) -> PostOut:
    await run(c, c.edit_post(), EditPost(actor, post_id, body.text, body.media, body.channel_ids, version))
    return await _detail(c, actor, post_id, response)


@router.put("/posts/{post_id}/variants/{channel_id}", response_model=PostOut)
async def set_variant(post_id: UUID, channel_id: UUID, body: VariantIn, actor: ActorDep, c: ContainerDep,
                      version: ExpectedVersion, response: Response) -> PostOut:
    await run(c, c.set_variant(), SetVariant(actor, post_id, channel_id, body.text, version))
    return await _detail(c, actor, post_id, response)


@router.delete("/posts/{post_id}/variants/{channel_id}", response_model=PostOut)
async def clear_variant(post_id: UUID, channel_id: UUID, actor: ActorDep, c: ContainerDep,
                        version: ExpectedVersion, response: Response) -> PostOut:
    await run(c, c.set_variant(), SetVariant(actor, post_id, channel_id, None, version))
    return await _detail(c, actor, post_id, response)


@router.post("/posts/{post_id}/submit", response_model=PostOut)
async def submit(post_id: UUID, actor: ActorDep, c: ContainerDep, response: Response) -> PostOut:
    await run(c, c.submit_for_review(), SubmitForReview(actor, post_id))
    return await _detail(c, actor, post_id, response)


@router.post("/posts/{post_id}/approve", response_model=PostOut)
async def approve(post_id: UUID, body: NoteIn, actor: ActorDep, c: ContainerDep, response: Response) -> PostOut:
    await run(c, c.approve_post(), ApprovePost(actor, post_id, body.note))
    return await _detail(c, actor, post_id, response)


@router.post("/posts/{post_id}/request-changes", response_model=PostOut)
async def request_changes(post_id: UUID, body: NoteIn, actor: ActorDep, c: ContainerDep,
                          response: Response) -> PostOut:
    await run(c, c.request_changes(), RequestChanges(actor, post_id, body.note))
    return await _detail(c, actor, post_id, response)


@router.post("/posts/{post_id}/schedule", response_model=PostOut)
async def schedule(post_id: UUID, body: ScheduleIn, actor: ActorDep, c: ContainerDep, version: ExpectedVersion,
                   response: Response) -> PostOut:
    """`at` without an offset is a wall-clock time in `timezone` (e.g. 2026-12-01T09:00 Europe/Paris)."""
    await run(c, c.schedule_post(), SchedulePost(actor, post_id, body.at, body.timezone, version))
    return await _detail(c, actor, post_id, response)


@router.post("/posts/{post_id}/reschedule", response_model=PostOut)
async def reschedule(post_id: UUID, body: RescheduleIn, actor: ActorDep, c: ContainerDep,
                     version: ExpectedVersion, response: Response) -> PostOut:
    await run(c, c.reschedule_post(), ReschedulePost(actor, post_id, body.at, body.timezone, body.channel_ids, version))
    return await _detail(c, actor, post_id, response)


@router.post("/posts/{post_id}/cancel", response_model=PostOut)
async def cancel(post_id: UUID, body: CancelIn, actor: ActorDep, c: ContainerDep, response: Response) -> PostOut:
    await run(c, c.cancel_post(), CancelPost(actor, post_id, body.channel_ids))
    return await _detail(c, actor, post_id, response)


@router.post("/posts/{post_id}/retry", response_model=PostOut)
async def retry(post_id: UUID, body: RetryIn, actor: ActorDep, c: ContainerDep, response: Response) -> PostOut:
    """Retry a failed target now (safe: it never posts a target twice)."""
    await run(c, c.retry_target(), RetryTarget(actor, post_id, body.channel_id))
    return await _detail(c, actor, post_id, response)


@router.post("/media", response_model=MediaOut, status_code=201, tags=["media"])
async def upload_media(actor: ActorDep, c: ContainerDep, file: UploadFile,
                       alt: Annotated[str, Form(max_length=1500), PrintableText] = "") -> MediaOut:
    """Upload an image (PNG, JPEG, GIF, WebP; at most 16 MB and 40 megapixels); put its `ref` in a post's `media`.

    The file is spooled to disk as it arrives (a body over the limit is cut with 413) and decoded from there."""
    uploaded = await c.upload_media()(UploadMedia(actor, file.file, file.size or 0, alt))
    return MediaOut(ref=uploaded.ref, mime_type=uploaded.mime_type, size=uploaded.size, width=uploaded.width,
                    height=uploaded.height, animated=uploaded.animated, alt=uploaded.alt)


MediaRef = Annotated[str, Path(max_length=200)]


def _media_out(record: MediaRecord) -> MediaOut:
    return MediaOut(ref=record.ref, mime_type=record.mime_type, size=record.byte_size, width=record.width,
                    height=record.height, animated=record.animated, alt=record.alt)


@router.get("/media/{ref}", response_model=MediaOut, tags=["media"])
async def media_info(ref: MediaRef, actor: ActorDep, c: ContainerDep) -> MediaOut:
    """What an uploaded image of the workspace is: type, size, dimensions and alt text."""
    return _media_out(await c.get_media().record(GetMedia(actor, ref)))


@router.patch("/media/{ref}", response_model=MediaOut, tags=["media"])
async def describe_media(ref: MediaRef, body: MediaAltIn, actor: ActorDep, c: ContainerDep) -> MediaOut:
    """Change an image's alt text; posts carrying it publish the new one from then on."""
    record = await c.describe_media()(DescribeMedia(actor, ref, body.alt))
    return _media_out(record)


@router.get("/media/{ref}/content", tags=["media"], response_class=Response,
            responses={200: {"content": {"image/*": {}}, "description": "the image as uploaded"}})
async def media_content(ref: MediaRef, actor: ActorDep, c: ContainerDep) -> Response:
    """The image's bytes as uploaded (never changed; stored by content, so cached for a day)."""
    content = await c.get_media()(GetMedia(actor, ref))
    return Response(content.data, media_type=content.record.mime_type,
                    headers={"Cache-Control": "private, max-age=86400"})


CALENDAR = JsonViews[list[CalendarEntry]]()  # the shape of list[CalendarEntryOut]


@router.get("/calendar", response_model=list[CalendarEntryOut], tags=["calendar"])
async def calendar(actor: ActorDep, c: ContainerDep, start: datetime, end: datetime,
                   channel_id: Annotated[list[UUID] | None, Query()] = None,
                   campaign_id: UUID | None = None) -> Response:
    """Targets scheduled in [start, end), filtered by channels and campaign."""
    return CALENDAR.response(await c.calendar_range()(CalendarRange(actor, start, end, channel_id, campaign_id)))
