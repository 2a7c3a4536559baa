"""`postwizard backup` and `restore`: one tar.gz holding everything an installation needs.

The archive holds, in this order: `postwizard-backup.json` (the manifest: format, version,
what is inside), `database.dump` (pg_dump's custom format of the PostWizard database),
`secret.key` (the key file from the data dir, unless POSTWIZARD_SECRET_KEY comes from the
environment, in which case the operator keeps it) and `media/` (uploaded images).

Rules:
- The archive is written to a temporary file beside the target and renamed into place, mode
  0600: it carries the key that decrypts every platform token.
- A restore checks everything before it changes anything: the archive's format and version,
  that this PostWizard knows the archive's schema revision, that no one else is connected to
  the target database, that the target holds no data (any row in any table) and no different
  key or media, unless forced. It then restores the database in one transaction, the key (an
  existing different key is kept beside it, never deleted), the media, and migrates.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import IO, Protocol

import psycopg
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from psycopg import sql

from adapters.shared import postgres_client_tools as tools
from adapters.shared.database_url import DatabaseLocation
from adapters.shared.migrate import alembic_config, migrate
from adapters.shared.single_value import single_value

FORMAT, VERSION = "postwizard-backup", 1
MANIFEST, DUMP, KEY, MEDIA = "postwizard-backup.json", "database.dump", "secret.key", "media"
KEY_IN_ARCHIVE, KEY_IN_ENVIRONMENT = "archive", "environment"
_CHUNK = 1 << 20


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


class Progress(Protocol):
    def step(self, description: str, total: int | None = None) -> None:
        """A new step begins (`total` in bytes when it is known)."""

    def advance(self, amount: int) -> None: ...

    def note(self, message: str, *, warning: bool = False) -> None:
        """Something the operator should read (which tool is used, a warning)."""


@dataclass(frozen=True)
class Installation:
    """Where an installation keeps its state. `environment_key` is POSTWIZARD_SECRET_KEY when set;
    `embedded_bin` holds the embedded server's binaries when the database is the embedded one."""

    location: DatabaseLocation
    data_dir: Path
    key_file: Path
    environment_key: str | None = None
    embedded_bin: Path | None = None

    @property
    def media_dir(self) -> Path:
        return self.data_dir / MEDIA


# ----- backup ----------------------------------------------------------------------------

def create_backup(target: Path, source: Installation, progress: Progress) -> dict:
    """Writes the archive to `target` (replacing it atomically) and returns its manifest."""
    major = _server_major(source.location)
    tool = tools.choose_tool("pg_dump", major, preferred_bin=source.embedded_bin)
    progress.note(f"database: PostgreSQL {major} at {source.location.describe()}, dumped with {tool.describe()}")
    revision = _schema_revision(source.location)
    if revision is None:
        raise BackupError(f"{source.location.describe()} holds no PostWizard schema: nothing to back up")
    key_text = None
    if source.environment_key is None:
        if not source.key_file.is_file():
            raise BackupError(f"no secret key at {source.key_file}: set POSTWIZARD_DATA_DIR to the data dir "
                              "PostWizard runs with (or POSTWIZARD_SECRET_KEY, if it comes from the environment)")
        key_text = source.key_file.read_text().strip()
    media = sorted(p for p in source.media_dir.rglob("*") if p.is_file()) if source.media_dir.is_dir() else []
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".postwizard-backup-") as work:
        dump_file = Path(work) / DUMP
        progress.step("dumping the database")
        try:
            tools.dump(tool, source.location, dump_file)
        except tools.PostgresToolError as exc:
            raise BackupError(str(exc)) from None
        media_bytes = sum(p.stat().st_size for p in media)
        manifest = {
            "format": FORMAT, "version": VERSION,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "postwizard_version": _postwizard_version(),
            "database": {"server_major": major, "dumped_with": tool.version, "schema_revision": revision},
            "secret_key": KEY_IN_ARCHIVE if key_text else KEY_IN_ENVIRONMENT,
            "media": {"files": len(media), "bytes": media_bytes},
        }
        partial = Path(work) / "archive.tar.gz"
        total = dump_file.stat().st_size + media_bytes
        progress.step(f"writing {target.name} (database, {'key, ' if key_text else ''}{len(media)} media files)", total)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
            _add_file(tar, dump_file, DUMP, progress)
            if key_text:
                _add_bytes(tar, KEY, key_text.encode(), mode=0o600)
            for path in media:
                _add_file(tar, path, f"{MEDIA}/{path.relative_to(source.media_dir).as_posix()}", progress)
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    return manifest


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, int(datetime.now(timezone.utc).timestamp())
    tar.addfile(info, io.BytesIO(data))


def _add_file(tar: tarfile.TarFile, path: Path, name: str, progress: Progress) -> None:
    info = tar.gettarinfo(str(path), arcname=name)
    with path.open("rb") as f:
        tar.addfile(info, _Counting(f, progress))


class _Counting:
    """A file reader that reports the bytes read, so big dumps move the progress bar."""

    def __init__(self, f: IO[bytes], progress: Progress) -> None:
        self.f, self.progress = f, progress

    def read(self, size: int = -1) -> bytes:
        data = self.f.read(size)
        self.progress.advance(len(data))
        return data


# ----- restore ---------------------------------------------------------------------------

def read_manifest(archive: Path) -> dict:
    """The manifest, checked: a PostWizard backup of a format version this code reads."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST:
                raise BackupError(f"{archive} is not a PostWizard backup (no {MANIFEST} at its start)")
            manifest = json.loads(_file_in(tar, first, archive).read())
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise BackupError(f"{archive} is not a readable PostWizard backup ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a PostWizard backup (format {manifest.get('format')!r})")
    if manifest.get("version") != VERSION:
        raise BackupError(f"{archive} is a version {manifest.get('version')} backup; this PostWizard reads version "
                          f"{VERSION}: restore it with the PostWizard version that made it "
                          f"({manifest.get('postwizard_version', 'unknown')}) or newer")
    return manifest


def restore_backup(archive: Path, target: Installation, progress: Progress, *, force: bool = False) -> dict:
    """Restores database, key and media from `archive` into `target`, then migrates. Returns the manifest."""
    manifest = read_manifest(archive)
    database = manifest["database"]
    _check_known_revision(database["schema_revision"], target.location, manifest)
    major = _server_major(target.location)
    needed = max(major, int(str(database["dumped_with"]).split(".")[0]))
    tool = tools.choose_tool("pg_restore", needed, preferred_bin=target.embedded_bin)
    progress.note(f"database: PostgreSQL {major} at {target.location.describe()}, restored with {tool.describe()}")
    if database["server_major"] > major:
        progress.note(f"the backup comes from PostgreSQL {database['server_major']}, this server is {major}: restoring "
                      "through psql into the older server (nothing is kept if it fails)", warning=True)
    key_text = _archive_key(archive) if manifest["secret_key"] == KEY_IN_ARCHIVE else None
    _check_target(target, key_text, force=force)

    target.data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.data_dir, prefix=".postwizard-restore-") as work:  # room for a big dump
        dump_file = Path(work) / DUMP
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.getmember(DUMP)
            progress.step("reading the database dump", member.size)
            with _file_in(tar, member, archive) as src, dump_file.open("wb") as dst:
                while chunk := src.read(_CHUNK):
                    dst.write(chunk)
                    progress.advance(len(chunk))
        progress.step("restoring the database")
        _clear_schema(target.location)
        try:
            if database["server_major"] > major:
                tools.restore_to_older_server(tool, target.location, dump_file, Path(work))
            else:
                tools.restore(tool, target.location, dump_file)
        except tools.PostgresToolError as exc:
            raise BackupError(f"{exc}\nthe database was left empty; nothing else was changed") from None

    if key_text is not None:
        _write_key(target.key_file, key_text, progress)
    elif target.environment_key is None:
        progress.note("this backup's key was POSTWIZARD_SECRET_KEY from the environment: set the same value before "
                      "starting PostWizard, or every platform token stays unreadable", warning=True)
    media_bytes = manifest["media"]["bytes"]
    progress.step(f"restoring {manifest['media']['files']} media files", media_bytes)
    with tarfile.open(archive, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(f"{MEDIA}/") and m.isfile()]
        tar.extractall(target.data_dir, members=members, filter="data")
    progress.advance(media_bytes)
    progress.step("migrating the schema to this version")
    migrate(target.location)
    return manifest


def _archive_key(archive: Path) -> str:
    with tarfile.open(archive, "r:gz") as tar:
        try:
            return _file_in(tar, tar.getmember(KEY), archive).read().decode().strip()
        except KeyError:
            raise BackupError(f"{archive} says it holds the secret key but has no {KEY}: it is damaged") from None


def _file_in(tar: tarfile.TarFile, member: tarfile.TarInfo, archive: Path) -> IO[bytes]:
    """A member's contents; a member that is not a regular file (a directory or link in its place) is damage."""
    contents = tar.extractfile(member)
    if contents is None:
        raise BackupError(f"{archive} is damaged: its {member.name} is not a file")
    return contents


def _same_key(a: str, b: str) -> bool:
    return a.strip().rstrip("=") == b.strip().rstrip("=")


def _check_target(target: Installation, key_text: str | None, *, force: bool) -> None:
    """Everything that would refuse the restore, before anything changes."""
    others = _other_sessions(target.location)
    if others:
        raise BackupError(f"{others} other session(s) are connected to {target.location.describe()}: stop PostWizard "
                          "(serve, api, workers) before restoring")
    if key_text is not None and target.environment_key and not _same_key(key_text, target.environment_key):
        raise BackupError("POSTWIZARD_SECRET_KEY is set and differs from the key in the backup, so the restored "
                          "tokens could not be read: unset it (the backup's key is restored to the data dir) or set "
                          "it to the backup's key")
    if force:
        return
    if _holds_data(target.location):
        raise BackupError(f"{target.location.describe()} already holds data: restore into a fresh data dir or an "
                          "empty database, or pass --force to replace it")
    if key_text is not None and target.key_file.is_file() and not _same_key(target.key_file.read_text(), key_text):
        raise BackupError(f"{target.key_file} holds a different key: restore into a fresh data dir, or pass --force "
                          "(the current key is kept beside it)")
    if target.media_dir.is_dir() and any(p.is_file() for p in target.media_dir.rglob("*")):
        raise BackupError(f"{target.media_dir} already holds media: restore into a fresh data dir, or pass --force")


def _write_key(key_file: Path, key_text: str, progress: Progress) -> None:
    if key_file.is_file():
        if _same_key(key_file.read_text(), key_text):
            return
        kept = key_file.with_name(f"{key_file.name}.replaced-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}")
        os.replace(key_file, kept)
        progress.note(f"the data dir's previous key is kept as {kept}")
    key_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key_text)


# ----- the database ----------------------------------------------------------------------

def _connect(location: DatabaseLocation) -> psycopg.Connection:
    try:
        return psycopg.connect(location.libpq_url(), connect_timeout=tools.CONNECT_TIMEOUT, autocommit=True)
    except psycopg.OperationalError as exc:
        raise BackupError(f"cannot reach the database at {location.describe()}: {str(exc).strip()}") from None


def _server_major(location: DatabaseLocation) -> int:
    with _connect(location) as conn:
        return conn.info.server_version // 10000


def _schema_revision(location: DatabaseLocation) -> str | None:
    with _connect(location) as conn:
        if single_value(conn, "SELECT to_regclass('public.alembic_version')") is None:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None


def _check_known_revision(revision: str, location: DatabaseLocation, manifest: dict) -> None:
    try:
        ScriptDirectory.from_config(alembic_config(location)).get_revision(revision)
    except CommandError:
        raise BackupError(f"the backup's schema (revision {revision}, PostWizard {manifest.get('postwizard_version')}) "
                          "is newer than this PostWizard knows: upgrade PostWizard first, then restore") from None


def _other_sessions(location: DatabaseLocation) -> int:
    with _connect(location) as conn:
        return single_value(conn, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                  "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")


def _user_tables(conn: psycopg.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()]


def _holds_data(location: DatabaseLocation) -> bool:
    """Any row in any table but Alembic's: a freshly migrated database counts as empty."""
    with _connect(location) as conn:
        for table in _user_tables(conn):
            if table == "alembic_version":
                continue
            query = sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier("public", table))
            if single_value(conn, query):
                return True
    return False


def _clear_schema(location: DatabaseLocation) -> None:
    """An empty `public` schema for pg_restore (a migrated or, with --force, a used database)."""
    with _connect(location) as conn:
        has_objects = single_value(conn, "SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                         "WHERE n.nspname = 'public')")
        has_functions = single_value(conn, "SELECT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                                           "WHERE n.nspname = 'public')")
        if not (has_objects or has_functions):
            return
        try:
            with conn.transaction():
                conn.execute("DROP SCHEMA public CASCADE")
                conn.execute("CREATE SCHEMA public")
        except psycopg.errors.InsufficientPrivilege:
            raise BackupError(f"cannot empty schema public of {location.describe()} (not its owner): restore into a new "
                              "database, or run `DROP SCHEMA public CASCADE; CREATE SCHEMA public;` as its owner") from None


def _postwizard_version() -> str:
    try:
        return package_version("postwizard")
    except PackageNotFoundError:
        return "unknown"
