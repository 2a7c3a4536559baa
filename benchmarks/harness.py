"""What the benchmarks share: stderr logging and a progress bar (rich), so stdout stays pure JSON."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

_stderr = Console(stderr=True)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Progress:
    """A progress bar on stderr: `update(done, note)` as work completes, `close()` at the end."""

    def __init__(self, label: str, total: int) -> None:
        self.bar = RichProgress(TextColumn(f"  {label}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                                TimeElapsedColumn(), TextColumn("{task.fields[note]}"), console=_stderr,
                                transient=False)
        self.task = self.bar.add_task(label, total=max(total, 1), note="")
        self.bar.start()

    def update(self, done: int, note: str = "") -> None:
        self.bar.update(self.task, completed=done, note=note)

    def close(self, done: int | None = None) -> None:
        if done is not None:
            self.update(done)
        self.bar.stop()
