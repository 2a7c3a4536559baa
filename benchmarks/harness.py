"""What the benchmarks share: stderr logging and a progress bar (rich), so stdout stays pure JSON;
the database to measure on, the machine's description, percentiles and the rerun command."""

from __future__ import annotations

import contextlib
import math
import os
import platform
import shlex
import socket
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from sqlalchemy.engine import make_url

from adapters.shared.database_url import DatabaseLocation
from adapters.shared.embedded_postgres import start_embedded_postgres

ROOT = Path(__file__).resolve().parents[1]
ENV_URL = "POSTWIZARD_BENCH_DATABASE_URL"
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_location(tmp: Path) -> tuple[DatabaseLocation, object | None, str]:
    """POSTWIZARD_BENCH_DATABASE_URL's server, else an embedded PostgreSQL under `tmp`."""
    url = os.environ.get(ENV_URL)
    if url:
        return DatabaseLocation.parse(url), None, "server"
    location, handle = start_embedded_postgres(tmp)
    return location, handle, "embedded"


def machine() -> dict[str, Any]:
    cpu_model = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    return {"cpus": os.cpu_count(), "cpu_model": cpu_model, "python": platform.python_version(),
            "implementation": platform.python_implementation(), "platform": platform.platform(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def percentile(sorted_values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_values:
        return math.nan
    k = (len(sorted_values) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def rerun(argv: list[str]) -> str:
    """The shell command that repeats this run (a database URL is shown without its password)."""
    prefix = ""
    url = os.environ.get(ENV_URL)
    if url:
        prefix = f"{ENV_URL}={shlex.quote(make_url(url).render_as_string(hide_password=True))} "
    return f"cd {shlex.quote(str(ROOT))} && {prefix}{shlex.join(argv)}"
