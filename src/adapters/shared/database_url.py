"""One PostgreSQL location, spelled for each driver that needs it (asyncpg, psycopg, eventsourcing)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url


@dataclass(frozen=True)
class DatabaseLocation:
    user: str
    password: str
    host: str  # a host name, or a directory holding the Unix socket
    port: int
    dbname: str

    @classmethod
    def parse(cls, url: str) -> "DatabaseLocation":
        parsed = make_url(url)
        host = parsed.host or parsed.query.get("host") or "localhost"
        if isinstance(host, tuple):
            host = host[0]
        return cls(user=parsed.username or "postgres", password=parsed.password or "", host=host,
                   port=parsed.port or 5432, dbname=parsed.database or "postgres")

    @property
    def is_socket(self) -> bool:
        return self.host.startswith("/")

    def sqlalchemy_url(self, driver: str = "asyncpg", dbname: str | None = None) -> URL:
        query = {"host": self.host} if self.is_socket else {}
        return URL.create(f"postgresql+{driver}", username=self.user, password=self.password or None,
                          host=None if self.is_socket else self.host, port=self.port,
                          database=dbname or self.dbname, query=query)

    def libpq_url(self, dbname: str | None = None) -> str:
        return self.sqlalchemy_url("psycopg", dbname).render_as_string(hide_password=False).replace(
            "postgresql+psycopg://", "postgresql://")

    def eventsourcing_env(self) -> dict[str, str]:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_CONNECT_TIMEOUT": "10",
        }

    def with_dbname(self, dbname: str) -> "DatabaseLocation":
        return DatabaseLocation(self.user, self.password, self.host, self.port, dbname)

    def describe(self) -> str:
        """Where, without the password (safe to log)."""
        return f"{self.user}@{self.host}:{self.port}/{self.dbname}"
