"""A projector process that stalls inside its transaction, so a test can SIGKILL it mid-projection.

Run: python -m tests.integration.stalled_projector <database url>
"""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy import text

from adapters.campaigns.projection import CampaignProjection
from adapters.publishing.projection import PostProjection
from adapters.shared.database import create_engine
from adapters.shared.database_url import DatabaseLocation
from adapters.shared.event_store import build_application
from adapters.shared.projector import Projector
from domain.publishing.post import Post


class Stall:
    kind = Post

    async def apply(self, conn, changes) -> None:
        # PostgreSQL notices the vanished client within 100 ms instead of when the sleep ends.
        await conn.execute(text("SET client_connection_check_interval = 100"))
        print("stalling", flush=True)
        await conn.execute(text("SELECT pg_sleep(120)"))

    async def mark_stale(self, conn, aggregate_id, stale) -> None:
        pass


async def main(url: str) -> None:
    location = DatabaseLocation.parse(url)
    app = build_application(location.eventsourcing_env())
    projector = Projector(app, create_engine(location), [CampaignProjection(), PostProjection(), Stall()])
    await projector.catch_up()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
