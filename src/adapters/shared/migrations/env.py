"""Alembic environment: runs migrations on the URL the migrate command passes in."""

from alembic import context
from sqlalchemy import create_engine, pool

url = context.config.attributes["sqlalchemy_url"]
engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)
    with context.begin_transaction():
        # Two processes migrating at once take turns instead of failing half-way.
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7385211)")
        context.run_migrations()
    connection.commit()
engine.dispose()
