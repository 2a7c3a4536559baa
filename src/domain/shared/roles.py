"""Workspace roles and what each may do (shared by identity and every context's handlers)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    EDITOR = "editor"
    REVIEWER = "reviewer"
    VIEWER = "viewer"


class Permission(StrEnum):
    READ = "read"
    EDIT_CONTENT = "edit_content"      # campaigns, drafts, variants, scheduling
    REVIEW = "review"                  # approve or request changes
    MANAGE_WORKSPACE = "manage_workspace"  # invitations, roles, settings, channels


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.EDITOR: frozenset({Permission.READ, Permission.EDIT_CONTENT}),
    Role.REVIEWER: frozenset({Permission.READ, Permission.REVIEW}),
    Role.VIEWER: frozenset({Permission.READ}),
}


def can(role: Role, permission: Permission) -> bool:
    return permission in GRANTS[role]
