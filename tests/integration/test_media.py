"""Images end to end on the real app: uploads are decoded for real (bombs, fakes and broken files
refused with the reason), posts use only their own workspace's images, and every image goes out
fitted to each platform's limits while the stored original stays as uploaded."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import os
import struct
import time
import uuid
import zlib
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from PIL import Image
from sqlalchemy import text as sql

from entrypoints.worker.run import run_worker
from tests.integration.journeys import connect_bluesky, connect_oauth
from tests.integration.users import ApiUser, sign_up


@pytest.fixture
async def worker(container):
    task = asyncio.create_task(run_worker(container, install_signal_handlers=False, name="media-test-worker"))
    yield task
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb() -> bytes:
    """1 KB declaring 50000x50000 pixels (7.5 GB decoded)."""
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(b"\0" * 1024 * 1024, 9)) + _chunk(b"IEND", b""))


def noisy_png(width: int, height: int) -> bytes:
    """Random pixels: a PNG as large as a PNG gets (3 bytes a pixel), and the hardest case for JPEG too."""
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "PNG", compress_level=1)
    return out.getvalue()


def small_png(width: int = 120, height: int = 80) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 220)).save(out, "PNG")
    return out.getvalue()


async def upload(user: ApiUser, data: bytes, name: str = "image.png", alt: str = "") -> httpx.Response:
    return await user.client.post(user.url("/media"), files={"file": (name, data, "image/png")}, data={"alt": alt})


async def media_rows(container, workspace_id: str) -> int:
    async with container.engine().connect() as conn:
        return await conn.scalar(sql("SELECT count(*) FROM media WHERE workspace_id = :ws"), {"ws": workspace_id})


async def test_uploads_are_decoded_and_anything_but_a_whole_image_is_refused_with_the_reason(base_url, container):
    ann = await sign_up(base_url)
    r = await upload(ann, small_png(), alt="a blue card")
    assert r.status_code == 201, r.text
    assert {k: r.json()[k] for k in ("mime_type", "width", "height")} == {"mime_type": "image/png", "width": 120, "height": 80}
    assert r.json()["ref"] == "media:" + hashlib.sha256(small_png()).hexdigest()

    truncated = noisy_png(64, 64)[:3000]
    for data, reason in [(png_bomb(), "megapixels"), (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "not a PNG"),
                         (truncated, "damaged or incomplete"), (b"", "empty")]:
        r = await upload(ann, data)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        [error] = r.json()["errors"]
        assert error["field"] == "file" and reason in error["message"], error
    assert await media_rows(container, ann.workspace_id) == 1  # nothing of the refused ones was recorded


async def test_a_post_may_only_use_images_uploaded_to_its_own_workspace(base_url):
    ann, bob = await sign_up(base_url), await sign_up(base_url, "Bob")
    own = (await upload(ann, small_png(30, 30))).json()["ref"]
    others = (await upload(bob, small_png(31, 31))).json()["ref"]
    channel = await ann.channel("bluesky")

    for media in ([others], [own, others], ["media:" + "0" * 64], ["https://example.com/cat.png"]):
        r = await ann.post("/posts", {"text": "With a picture", "channel_ids": [channel], "media": media})
        assert r.status_code == 422, r.text
        [error] = r.json()["errors"]
        assert error["field"] == f"media.{len(media) - 1}" and "not an image of this workspace" in error["message"]
    assert (await ann.get("/posts")).json() == []  # nothing was written

    post = await ann.draft([channel], "With a picture", media=[own])
    r = await ann.patch(f"/posts/{post['id']}", {"media": [own, others]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "media.1", r.text
    after = (await ann.get(f"/posts/{post['id']}")).json()
    assert (after["media"], after["version"]) == ([own], post["version"])
    assert (await ann.patch(f"/posts/{post['id']}", {"media": []})).status_code == 200


async def test_an_image_reads_back_with_its_alt_text_and_bytes_only_in_its_own_workspace(base_url):
    ann, bob = await sign_up(base_url), await sign_up(base_url, "Bob")
    data = small_png(40, 20)
    uploaded = (await upload(ann, data, alt="  a blue strip  ")).json()
    assert (uploaded["alt"], uploaded["animated"]) == ("a blue strip", False)
    ref = uploaded["ref"]

    info = await ann.get(f"/media/{ref}")
    assert info.status_code == 200, info.text
    assert {k: info.json()[k] for k in ("alt", "width", "height", "size")} == {
        "alt": "a blue strip", "width": 40, "height": 20, "size": len(data)}
    content = await ann.get(f"/media/{ref}/content")
    assert (content.status_code, content.headers["content-type"], content.content) == (200, "image/png", data)

    described = await ann.patch(f"/media/{ref}", {"alt": " a blue strip on white "})
    assert (described.status_code, described.json()["alt"]) == (200, "a blue strip on white"), described.text
    assert (await ann.get(f"/media/{ref}")).json()["alt"] == "a blue strip on white"
    too_long = await ann.patch(f"/media/{ref}", {"alt": "x" * 1501})
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "alt", too_long.text
    assert (await bob.patch(f"/media/{ref}", {"alt": "mine now"})).status_code == 404

    for path in (f"/media/{ref}", f"/media/{ref}/content", "/media/media:" + "0" * 64, "/media/..%2Fsecrets/content"):
        r = await bob.get(path)
        assert r.status_code == 404, (path, r.text)


async def wait_published(user: ApiUser, post_id: str, timeout: float = 45) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        post = (await user.get(f"/posts/{post_id}")).json()
        if all(t["state"] in ("published", "failed") for t in post["targets"]):
            return post
        assert time.monotonic() < deadline, [t["state"] for t in post["targets"]]
        await asyncio.sleep(0.2)


async def test_an_image_over_each_platforms_limit_goes_out_fitted_and_the_original_is_kept(
        base_url, worker, sim_state, simulator_url, settings, control):
    """5.5 MB of noise: over X's 5 MB, Bluesky's 1,000,000 bytes, and the 300 KB this Mastodon instance
    advertises (stored with the channel when it connects)."""
    async with httpx.AsyncClient() as client:  # the simulated instance sets up its configuration on first use
        assert (await client.get(f"{simulator_url}/mastodon/api/v2/instance")).status_code == 200
    mastodon_media = sim_state.platform_data("mastodon")["configuration"]["media_attachments"]
    saved = dict(mastodon_media)
    mastodon_media["image_size_limit"] = 300_000
    try:
        ann = await sign_up(base_url)
        mastodon = await connect_oauth(ann, "mastodon", "sandbox.social")
        bluesky, x = await connect_bluesky(ann), await connect_oauth(ann, "x")
        original = noisy_png(1400, 1300)
        assert len(original) > 5_000_000
        r = await upload(ann, original, alt="static")
        assert r.status_code == 201, r.text
        ref = r.json()["ref"]

        text = f"Noise, fitted {uuid.uuid4().hex[:8]}"
        at = (datetime.now(timezone.utc) + timedelta(seconds=1)).isoformat()
        post = await ann.draft([mastodon["id"], bluesky["id"], x["id"]], text, media=[ref], schedule_at=at, timezone="UTC")
        done = await wait_published(ann, post["id"])
        assert {t["platform"]: t["state"] for t in done["targets"]} == {
            "mastodon": "published", "bluesky": "published", "x": "published"}, done["targets"]
    finally:
        mastodon_media.update(saved)

    posted = {p["platform"]: p for p in (await control.get("/posts")).json() if p["text"] == text}
    [blob] = [b for (_, cid), b in sim_state.platform_data("bluesky")["blobs"].items() if cid in posted["bluesky"]["media_ids"]]
    [tweet_media] = [sim_state.platform_data("x")["media"][m] for m in posted["x"]["media_ids"]]
    [toot_media] = [sim_state.platform_data("mastodon")["media"][m] for m in posted["mastodon"]["media_ids"]]
    assert blob["size"] <= 1_000_000 and blob["mimeType"] == "image/jpeg"
    assert tweet_media["size"] <= 5_000_000
    assert toot_media["size"] <= 300_000 and toot_media["description"] == "static"

    stored = settings.data_dir / "media" / ann.workspace_id / ref.removeprefix("media:")
    assert stored.read_bytes() == original  # the original is untouched
