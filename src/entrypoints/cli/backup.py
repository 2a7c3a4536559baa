"""`postwizard backup` and `postwizard restore`: the archive work is in adapters.shared.backup;
this module resolves the installation from the settings and shows progress."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, Task, TaskID, TextColumn, TimeElapsedColumn
from rich.text import Text

from adapters.shared.backup import BackupError, Installation, create_backup, read_manifest, restore_backup
from adapters.shared.postgres_client_tools import PostgresToolError
from entrypoints.database import embedded_server, resolve_location
from entrypoints.settings import Settings

console = Console()


class _Steps:
    """The backup module's Progress port on a rich progress display: one line per step."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def step(self, description: str, total: int | None = None) -> None:
        self._finish()
        self.task = self.progress.add_task(description, total=total, counts_bytes=total is not None)

    def advance(self, amount: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, amount)

    def note(self, message: str, *, warning: bool = False) -> None:
        self.progress.console.print(f"[yellow]warning:[/yellow] {message}" if warning else message)

    def _finish(self) -> None:
        if self.task is not None:
            task: TaskID = self.task
            total = self.progress.tasks[task].total or 1
            self.progress.update(task, total=total, completed=total)

    def __enter__(self) -> "_Steps":
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self._finish()
        self.progress.stop()


class _Bytes(DownloadColumn):
    """Bytes done and due, for steps that count bytes; nothing for the others."""

    def render(self, task: Task) -> Text:
        return super().render(task) if task.fields.get("counts_bytes") else Text("")


def _steps() -> _Steps:
    return _Steps(Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), _Bytes(),
                           TimeElapsedColumn(), console=console))


def _installation(settings: Settings) -> Installation:
    location = resolve_location(settings)  # starts the embedded server when there is no URL
    server = embedded_server()
    return Installation(location=location, data_dir=settings.data_dir, key_file=settings.key_file,
                        environment_key=settings.secret_key, embedded_bin=getattr(server, "bin_path", None))


def _failed(what: str, exc: Exception) -> typer.Exit:
    console.print(f"[red]{what} failed[/red]: {exc}")
    return typer.Exit(1)


def backup(file: Annotated[Path, typer.Argument(help="the archive to write (.tar.gz); replaced if it exists")]) -> None:
    """Back up the database, the secret key and the uploaded media into one archive (mode 0600).
    Safe while PostWizard runs."""
    settings = Settings()
    logging.basicConfig(level=logging.WARNING)
    try:
        with _steps() as steps:
            manifest = create_backup(file, _installation(settings), steps)
    except (BackupError, PostgresToolError) as exc:
        raise _failed("backup", exc) from None
    console.print(f"backup written to [bold]{file}[/bold] (mode 0600): database at schema revision "
                  f"{manifest['database']['schema_revision']}, {manifest['media']['files']} media files")
    if manifest["secret_key"] == "archive":
        console.print("[bold yellow]This archive contains the secret key that decrypts every platform token: keep it "
                      "as safe as a password. Losing the key loses every platform token (channels must be "
                      "reconnected).[/bold yellow]")
    else:
        console.print("[bold yellow]POSTWIZARD_SECRET_KEY comes from the environment and is NOT in this archive: keep "
                      "it with the archive yourself. Losing the key loses every platform token (channels must be "
                      "reconnected).[/bold yellow]")


def restore(file: Annotated[Path, typer.Argument(help="an archive written by `postwizard backup`")],
            force: Annotated[bool, typer.Option(help="replace a database that already holds data (and the data "
                                                     "dir's key and media)")] = False) -> None:
    """Restore a backup into a fresh data dir (or an empty database), then migrate it. Stop PostWizard first."""
    if not file.is_file():
        console.print(f"[red]restore failed[/red]: no file {file}")
        raise typer.Exit(1)
    settings = Settings()
    logging.basicConfig(level=logging.WARNING)
    try:
        read_manifest(file)  # a wrong file is refused before any database is started
        with _steps() as steps:
            manifest = restore_backup(file, _installation(settings), steps, force=force)
    except (BackupError, PostgresToolError) as exc:
        raise _failed("restore", exc) from None
    console.print(f"restored the backup of {manifest['created_at']} ({manifest['media']['files']} media files) into "
                  f"{settings.data_dir}; the database is up to date")
