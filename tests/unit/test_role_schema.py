"""Roles are an enum in the API (the UI's client is generated from it), the same as the domain's."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from domain.shared.roles import Role
from entrypoints.api.schemas import InvitationIn, MemberOut, PendingInvitationOut, RoleIn, RoleName, WorkspaceOut


def test_the_documented_roles_are_the_domains_in_order():
    assert list(get_args(RoleName)) == [r.value for r in Role]


@pytest.mark.parametrize("schema", [WorkspaceOut, InvitationIn, RoleIn, MemberOut, PendingInvitationOut])
def test_every_role_field_is_the_enum(schema):
    assert schema.model_fields["role"].annotation == RoleName
    assert schema.model_json_schema()["properties"]["role"]["enum"] == [r.value for r in Role]


def test_an_unknown_role_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as info:
        RoleIn.model_validate({"role": "king"})
    assert info.value.errors()[0]["loc"] == ("role",)
