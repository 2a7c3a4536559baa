"""How events reach PostgreSQL: saves grouped into one statement, committed on the server in one round trip.

Notification ids must commit in the order they were issued, or the projector, which reads
past its position, would skip an event that commits late. The eventsourcing library keeps that
order by taking `LOCK TABLE ... IN EXCLUSIVE MODE` in the saving transaction, and its default
insert then holds that lock across two client round trips (the pipelined insert, then COMMIT).
In a busy worker those round trips wait for the Python process as well (its event loop and the
other saving threads), so at a 09:00 burst every save queued behind the slowest one: the lock,
not the platforms, set the publishing rate.

Here the same lock is taken inside a server-side function that also inserts, and the call runs
on an autocommit connection: the lock is held from the insert to the end of the commit, on the
server only, whatever the client does meanwhile. Same guarantees (order, gap-free reads,
optimistic concurrency through the unique (originator_id, originator_version) key), shorter hold.
Saves of one process that arrive while a call is running wait and go together in the next call,
each in its own subtransaction: one lock and one WAL flush for the group, and a save that lost its
version race is refused alone. The function is created with the event tables (`create_table`, run
by `migrate`), and replaced in place when its body changes.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import DataError, IntegrityError, InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier


class ServerCommitRecorder(PostgresApplicationRecorder):
    """The library's application recorder with `insert_events` done by one function call per group of saves."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        names = {"schema": Identifier(datastore.schema), "table": Identifier(events_table_name),
                 "function": Identifier(f"{events_table_name}_append"),
                 "channel": Identifier(self.channel_name)}
        self.sql_create_statements.append(SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}"
            "(ids uuid[], versions bigint[], topics text[], states bytea[], saves int[]) "
            "RETURNS TABLE (save_index int, event_id bigint, error_state text, error_message text) "
            "LANGUAGE plpgsql AS $body$ "
            "DECLARE save_no int; "
            "BEGIN "
            "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
            "NOTIFY {channel}; "
            "FOR save_no IN SELECT DISTINCT s FROM unnest(saves) AS s ORDER BY s LOOP "
            "  BEGIN "
            "    RETURN QUERY INSERT INTO {schema}.{table} AS t (originator_id, originator_version, topic, state) "
            "    SELECT u.i, u.v, u.tp, u.st FROM unnest(ids, versions, topics, states, saves) "
            "    WITH ORDINALITY AS u(i, v, tp, st, s, n) WHERE u.s = save_no ORDER BY u.n "
            "    RETURNING save_no, t.notification_id, NULL::text, NULL::text; "
            "  EXCEPTION WHEN OTHERS THEN "
            "    save_index := save_no; event_id := NULL; error_state := SQLSTATE; error_message := SQLERRM; "
            "    RETURN NEXT; "
            "  END; "
            "END LOOP; "
            "END $body$").format(**names))
        self.select_before_statement = SQL(
            "SELECT e.originator_id, e.originator_version, e.topic, e.state FROM {schema}.{table} e "
            "JOIN unnest(%s::uuid[], %s::bigint[]) AS wanted(id, below) "
            "ON e.originator_id = wanted.id AND e.originator_version < wanted.below "
            "ORDER BY e.originator_id, e.originator_version").format(**names)
        self.append_statement = SQL(
            "SELECT save_index, event_id, error_state, error_message FROM {schema}.{function}"
            "(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[], %s::int[])").format(**names)
        self._queue: list[_Save] = []
        self._queue_lock = threading.Lock()
        self._flushing = False

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """Saves of this process that arrive while one is being written wait and go together in the
        next call: one lock and one WAL flush for all of them. Each stays atomic and is refused alone
        (IntegrityError: another writer saved that version first)."""
        if not stored_events:
            return []
        save = _Save(stored_events)
        with self._queue_lock:
            self._queue.append(save)
            lead, self._flushing = not self._flushing, True
        while True:
            if lead:
                self._write_queued()
            save.wake.wait()
            if save.written:
                break
            save.wake.clear()  # woken to write the saves queued behind the last call
            lead = True
        if save.error is not None:
            raise save.error
        return save.positions

    def _write_queued(self) -> None:
        """Write every queued save in one call, then wake their threads, and the first of the saves
        queued meanwhile to write the next call (or stand down when none is)."""
        with self._queue_lock:
            batch, self._queue = self._queue, []
        try:
            self._write(batch)
        except Exception as exc:  # the call itself failed (connection, database): every save in it did
            for save in batch:
                save.error = exc
        finally:
            for save in batch:
                save.written = True
            with self._queue_lock:
                successor = self._queue[0] if self._queue else None
                self._flushing = successor is not None
            for save in batch:
                save.wake.set()
            if successor is not None:
                successor.wake.set()

    def _write(self, batch: list[_Save]) -> None:
        columns: tuple[list[Any], ...] = ([], [], [], [], [])
        for index, save in enumerate(batch):
            for event in save.events:
                for column, value in zip(columns, (event.originator_id, event.originator_version, event.topic,
                                                   event.state, index)):
                    column.append(value)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            assert conn.autocommit  # the statement is its own transaction: committed when it returns
            curs.execute(self.append_statement, columns, prepare=True)
            rows = curs.fetchall()
        for row in rows:
            save = batch[row["save_index"]]
            if row["error_state"] == _UNIQUE_VIOLATION:
                save.error = IntegrityError(row["error_message"])
            elif row["error_state"] is not None:
                save.error = DataError(f"{row['error_message']} (SQLSTATE {row['error_state']})")
            else:
                save.positions.append(row["event_id"])


    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_events_before(self, versions: Mapping[UUID, int]) -> dict[UUID, list[StoredEvent]]:
        """Of each aggregate, its events below the given version, in order: one query for a whole
        projection batch instead of one per aggregate."""
        found: dict[UUID, list[StoredEvent]] = {}
        if not versions:
            return found
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.select_before_statement, (list(versions), list(versions.values())), prepare=True)
            for row in curs.fetchall():
                found.setdefault(row["originator_id"], []).append(StoredEvent(
                    originator_id=row["originator_id"], originator_version=row["originator_version"],
                    topic=row["topic"], state=bytes(row["state"])))
        return found


_UNIQUE_VIOLATION = "23505"


class _Save:
    """One caller's events, waiting to be written with others."""

    def __init__(self, events: Sequence[StoredEvent]) -> None:
        self.events = events
        self.positions: list[int] = []
        self.error: Exception | None = None
        self.written = False
        self.wake = threading.Event()
