"""Projection tracking: the last notification id each projector applied."""

from sqlalchemy import BigInteger, Column, Table, Text

from adapters.shared.database import metadata

projection_tracking = Table(
    "projection_tracking", metadata,
    Column("name", Text, primary_key=True),
    Column("position", BigInteger, nullable=False),
)
