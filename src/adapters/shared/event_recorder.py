"""How events reach PostgreSQL: one statement per save, committed on the server in one round trip.

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
The function is created with the event tables (`create_table`, run by `migrate`), and replaced
in place when its body changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier


class ServerCommitRecorder(PostgresApplicationRecorder):
    """The library's application recorder with `insert_events` done by one function call."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        names = {"schema": Identifier(datastore.schema), "table": Identifier(events_table_name),
                 "function": Identifier(f"{events_table_name}_append"),
                 "channel": Identifier(self.channel_name)}
        self.sql_create_statements.append(SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}"
            "(ids uuid[], versions bigint[], topics text[], states bytea[]) "
            "RETURNS SETOF bigint LANGUAGE plpgsql AS $body$ "
            "BEGIN "
            "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
            "NOTIFY {channel}; "
            "RETURN QUERY INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(ids, versions, topics, states) RETURNING notification_id; "
            "END $body$").format(**names))
        self.select_before_statement = SQL(
            "SELECT e.originator_id, e.originator_version, e.topic, e.state FROM {schema}.{table} e "
            "JOIN unnest(%s::uuid[], %s::bigint[]) AS wanted(id, below) "
            "ON e.originator_id = wanted.id AND e.originator_version < wanted.below "
            "ORDER BY e.originator_id, e.originator_version").format(**names)
        self.append_statement = SQL(
            "SELECT notification_id FROM {schema}.{function}"
            "(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[]) AS notification_id").format(**names)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if not stored_events:
            return []
        columns = ([e.originator_id for e in stored_events], [e.originator_version for e in stored_events],
                   [e.topic for e in stored_events], [e.state for e in stored_events])
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            assert conn.autocommit  # the statement is its own transaction: committed when it returns
            curs.execute(self.append_statement, columns, prepare=True)
            return [row["notification_id"] for row in curs.fetchall()]

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
