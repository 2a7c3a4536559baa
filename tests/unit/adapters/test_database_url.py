"""One database location spelled for asyncpg, psycopg and the event store."""

from adapters.shared.database_url import DatabaseLocation


def test_unix_socket_url_from_the_embedded_server():
    loc = DatabaseLocation.parse("postgresql://postgres:@/postgres?host=/tmp/pg")
    assert (loc.host, loc.port, loc.dbname, loc.is_socket) == ("/tmp/pg", 5432, "postgres", True)
    assert loc.eventsourcing_env()["POSTGRES_HOST"] == "/tmp/pg"
    assert "host=%2Ftmp%2Fpg" in loc.libpq_url() or "host=/tmp/pg" in loc.libpq_url()


def test_tcp_url_with_password_never_described_with_it():
    loc = DatabaseLocation.parse("postgresql://pw:s3cret@db.internal:6543/postwizard")
    assert loc.sqlalchemy_url("asyncpg").render_as_string(hide_password=False) == \
        "postgresql+asyncpg://pw:s3cret@db.internal:6543/postwizard"
    assert "s3cret" not in loc.describe()
    assert loc.with_dbname("other").dbname == "other"
