"""Uploading an image (UploadMediaHandler) and what a platform receives of it when the post is published
(PublishTargetHandler fits it to the platform), with the real Pillow codec and file store, in-memory
records and a fake platform."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from application.publishing.commands import SchedulePost
from application.publishing.outcomes import Failed, Published
from application.publishing.publish_target import PublishTarget
from application.publishing.upload_media import UploadMedia, UploadMediaHandler
from application.shared.errors import Forbidden
from domain.publishing.post import Post
from domain.publishing.states import FailureReason, TargetState
from domain.shared.errors import InvalidValue
from tests.unit.conftest import START

DUE = START + timedelta(hours=1)


def png_noise(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "PNG", compress_level=1)
    return out.getvalue()


def animated_gif(width: int, height: int, frames: int) -> bytes:
    out = io.BytesIO()
    images = [Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).quantize() for _ in range(frames)]
    images[0].save(out, "GIF", save_all=True, append_images=images[1:])
    return out.getvalue()


@pytest.fixture
def upload(kit, uow, clock) -> UploadMediaHandler:
    return UploadMediaHandler(kit.publish.media, kit.publish.images, uow, clock, max_bytes=16 * 1024 * 1024)


async def put(upload: UploadMediaHandler, member, data: bytes, alt: str = "") -> str:
    return (await upload(UploadMedia(member.actor, io.BytesIO(data), len(data), alt))).ref


async def test_an_upload_is_recorded_with_its_decoded_size_and_only_editors_may_upload(app, upload, uow):
    owner = await app.owner()
    data = png_noise(30, 20)
    uploaded = await upload(UploadMedia(owner.actor, io.BytesIO(data), len(data), "  noise  "))
    assert (uploaded.mime_type, uploaded.size, uploaded.width, uploaded.height) == ("image/png", len(data), 30, 20)
    async with uow() as tx:
        record = await tx.media.get(owner.actor.workspace_id, uploaded.ref)
    assert (record.format, record.alt, record.uploaded_by) == ("PNG", "noise", owner.user_id)
    viewer = await app.member(owner, "viewer")
    with pytest.raises(Forbidden):
        await upload(UploadMedia(viewer.actor, io.BytesIO(data), len(data)))


async def test_a_refused_upload_records_nothing(app, upload, uow):
    owner = await app.owner()
    for data, size, field in ((b"\x89PNG\r\n\x1a\n<html>", 14, "file"), (png_noise(10, 10), 17 * 1024 * 1024, "file"),
                              (b"", 0, "file")):
        with pytest.raises(InvalidValue) as caught:
            await upload(UploadMedia(owner.actor, io.BytesIO(data), size))
        assert caught.value.field == field
    with pytest.raises(InvalidValue) as caught:
        await upload(UploadMedia(owner.actor, io.BytesIO(png_noise(4, 4)), 60, alt="x" * 1501))
    assert caught.value.field == "alt"
    assert uow.state.media == {}


async def test_a_published_image_is_fitted_to_the_platform_and_the_original_kept(app, kit, store, clock, upload, tmp_path):
    owner = await app.owner()
    channel_id = await kit.connect_bluesky(owner)
    original = png_noise(800, 700)
    assert len(original) > 1_000_000
    ref = await put(upload, owner, original, alt="static")
    post_id = await app.draft(owner, [channel_id], "Noise", media=[ref])
    await app.schedule_post(SchedulePost(owner.actor, post_id, DUE, "UTC"))
    clock.advance(DUE - clock.now())
    assert isinstance(await kit.publish(PublishTarget(post_id, channel_id, DUE)), Published)
    [sent] = kit.bluesky.publish_calls[-1].media
    assert len(sent.data) <= 1_000_000 and sent.mime_type == "image/jpeg" and sent.alt == "static"
    assert Image.open(io.BytesIO(sent.data)).size == (sent.width, sent.height) == (800, 700)
    stored = Path(tmp_path / "media" / str(owner.actor.workspace_id) / ref.removeprefix("media:"))
    assert stored.read_bytes() == original


async def test_an_image_that_cannot_be_fitted_fails_the_target_with_the_fix(app, kit, store, clock, upload):
    owner = await app.owner()
    channel_id = await kit.connect_bluesky(owner)
    moving = animated_gif(500, 500, 6)  # noise frames: well over 1,000,000 bytes, and never flattened to a still
    assert len(moving) > 1_000_000
    ref = await put(upload, owner, moving)
    post_id = await app.draft(owner, [channel_id], "Moving", media=[ref])
    await app.schedule_post(SchedulePost(owner.actor, post_id, DUE, "UTC"))
    clock.advance(DUE - clock.now())
    outcome = await kit.publish(PublishTarget(post_id, channel_id, DUE))
    assert isinstance(outcome, Failed) and outcome.reason is FailureReason.MEDIA_REJECTED
    failed = (await store.get(post_id, Post)).targets[channel_id]
    assert failed.state is TargetState.FAILED and failed.failure["reason"] == FailureReason.MEDIA_REJECTED.value
    assert "animated images are sent unchanged; upload a smaller one" in failed.failure["message"]
    assert kit.bluesky.publish_calls == []
