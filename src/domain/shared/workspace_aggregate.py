"""The aggregates a workspace owns (posts, campaigns).

Rule: such an aggregate belongs to exactly one workspace, named at creation and never changed;
a caller of another workspace is told it does not exist (`application.shared.loading`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.domain import Aggregate


class WorkspaceAggregate(Aggregate):
    """An aggregate owned by one workspace; each subclass's creation event sets `workspace_id`."""

    if TYPE_CHECKING:
        # Declared for the type checker only: a class annotation would make eventsourcing treat
        # this class and every subclass as a dataclass.
        workspace_id: UUID
