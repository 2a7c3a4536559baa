"""Who is calling, in which workspace, with which role."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.shared.errors import Forbidden, NotFound
from domain.shared.roles import Permission, Role, can


@dataclass(frozen=True)
class Actor:
    user_id: UUID
    workspace_id: UUID
    role: Role

    @classmethod
    def member(cls, user_id: UUID, workspace_id: UUID, role: Role | None) -> Actor:
        """The user acting in the workspace with their role there; a workspace they are not in
        (`role` None) does not exist for them."""
        if role is None:
            raise NotFound("workspace", workspace_id)
        return cls(user_id=user_id, workspace_id=workspace_id, role=role)

    def require(self, permission: Permission) -> None:
        if not can(self.role, permission):
            raise Forbidden(f"the {self.role.value} role cannot {permission.value.replace('_', ' ')} in this workspace")

    def owns(self, kind: str, ident: UUID, workspace_id: UUID) -> None:
        """Tenancy: a resource of another workspace is reported as not found."""
        if workspace_id != self.workspace_id:
            raise NotFound(kind, ident)
