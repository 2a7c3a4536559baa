"""Backup archives are checked before anything is touched; client tools are chosen by version."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from adapters.shared.backup import MANIFEST, BackupError, Installation, read_manifest, restore_backup
from adapters.shared.database_url import DatabaseLocation
from adapters.shared.postgres_client_tools import PostgresToolError, _candidates, choose_tool

NOWHERE = DatabaseLocation.parse("postgresql://postwizard@127.0.0.1:1/never")  # never connected to


def _archive(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _manifest(**changes) -> bytes:
    manifest = {"format": "postwizard-backup", "version": 1, "postwizard_version": "9.0.0", "secret_key": "archive",
                "database": {"server_major": 16, "dumped_with": "16.4", "schema_revision": "0001"},
                "media": {"files": 0, "bytes": 0}}
    return json.dumps({**manifest, **changes}).encode()


def test_a_backup_of_a_newer_format_version_is_refused_naming_both_versions(tmp_path):
    archive = _archive(tmp_path / "b.tar.gz", {MANIFEST: _manifest(version=2)})
    with pytest.raises(BackupError, match="version 2 backup; this PostWizard reads version 1.*9.0.0"):
        read_manifest(archive)


def test_an_archive_without_the_manifest_first_is_not_a_backup(tmp_path):
    archive = _archive(tmp_path / "b.tar.gz", {"database.dump": b"x", MANIFEST: _manifest()})
    with pytest.raises(BackupError, match="not a PostWizard backup"):
        read_manifest(archive)
    archive = _archive(tmp_path / "c.tar.gz", {MANIFEST: json.dumps({"format": "something-else"}).encode()})
    with pytest.raises(BackupError, match="not a PostWizard backup"):
        read_manifest(archive)


def test_an_archive_with_a_directory_in_place_of_its_manifest_is_damaged(tmp_path):
    archive = tmp_path / "b.tar.gz"
    directory = tarfile.TarInfo(MANIFEST)
    directory.type = tarfile.DIRTYPE
    with tarfile.open(archive, "w:gz") as tar:
        tar.addfile(directory)
    with pytest.raises(BackupError, match=f"is damaged: its {MANIFEST} is not a file"):
        read_manifest(archive)


def test_a_schema_newer_than_this_code_is_refused_before_any_database_is_touched(tmp_path):
    manifest = json.loads(_manifest())
    manifest["database"]["schema_revision"] = "9999"
    archive = _archive(tmp_path / "b.tar.gz", {MANIFEST: json.dumps(manifest).encode()})
    target = Installation(location=NOWHERE, data_dir=tmp_path / "data", key_file=tmp_path / "data" / "secret.key")
    with pytest.raises(BackupError, match="revision 9999.*upgrade PostWizard first"):
        restore_backup(archive, target, progress=None)
    assert not (tmp_path / "data").exists()


def test_no_client_tool_old_enough_names_what_was_found_and_what_to_install():
    with pytest.raises(PostgresToolError, match=r"PostgreSQL 99 needs pg_dump 99 or newer; found: pg_dump 1\d\..*"
                                                r"apt install postgresql-client-99"):
        choose_tool("pg_dump", 99)


def test_the_closest_fitting_client_tool_is_chosen():
    """This machine has the embedded server's 16 and 18 and possibly others: the lowest that fits wins."""
    found = sorted({t.major for t in _candidates("pg_restore", None)})
    assert len(found) >= 2
    assert choose_tool("pg_restore", found[0]).major == found[0]
    assert choose_tool("pg_restore", found[0] + 1).major == found[1]
