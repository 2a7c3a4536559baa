"""Caption generation ledger table (written directly, not a projection: it is accounting, not history)."""

from sqlalchemy import Column, DateTime, Integer, Table, Text

from adapters.shared.database import StdUuid, metadata

caption_generations = Table(
    "caption_generations", metadata,
    Column("id", StdUuid, primary_key=True),
    Column("workspace_id", StdUuid, nullable=False, index=True),
    Column("user_id", StdUuid),  # who asked (rows from before 0007 have none); indexed with started_at
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("model", Text),
    Column("prompt_tokens", Integer, nullable=False, server_default="0"),
    Column("completion_tokens", Integer, nullable=False, server_default="0"),
    Column("outcome", Text, nullable=False, server_default="running"),
)
