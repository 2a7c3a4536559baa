"""Identity rules: emails, passwords, names, invitations, the last owner, role grants."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from domain.identity.model import (
    Invitation,
    Membership,
    check_name,
    check_time_zone,
    ensure_owner_remains,
    normalise_email,
)
from domain.identity.passwords import check_password
from domain.shared.errors import InvalidValue, RuleViolated
from domain.shared.roles import GRANTS, Permission, Role, can
from tests.unit.factories import NOW, WORKSPACE


def field_of(call) -> str:
    with pytest.raises(InvalidValue) as info:
        call()
    return info.value.field


def rule_of(call) -> str:
    with pytest.raises(RuleViolated) as info:
        call()
    return info.value.rule


# --- email, password, names -------------------------------------------------------------

@pytest.mark.parametrize(("raw", "normal"), [
    ("Ada@Example.COM", "ada@example.com"),
    ("  ada@example.com \n", "ada@example.com"),
    ("first.last+tag@sub.example.org", "first.last+tag@sub.example.org"),
])
def test_emails_are_trimmed_and_lower_cased(raw, normal):
    assert normalise_email(raw) == normal


@pytest.mark.parametrize("raw", [
    "", None, "ada", "ada@", "@example.com", "ada@example", "ada @example.com", "ada@@example.com",
    "a@b.c" + "c" * 250,
])
def test_invalid_emails_are_refused(raw):
    assert field_of(lambda: normalise_email(raw)) == "email"


def test_an_email_of_254_characters_is_accepted():
    email = "a" * 242 + "@example.com"
    assert len(email) == 254 and normalise_email(email) == email


@pytest.mark.parametrize("password", ["", None, "123456789", "x" * 1025])
def test_passwords_are_10_to_1024_characters(password):
    assert field_of(lambda: check_password(password)) == "password"


@pytest.mark.parametrize("password", ["zebra-27-quiet", ("correct horse battery staple " * 40)[:1024],
                                      "correct horse battery staple"])
def test_acceptable_passwords(password):
    check_password(password)


def test_names_are_trimmed_and_bounded():
    assert check_name("  Ada  ", "name") == "Ada"
    assert field_of(lambda: check_name("   ", "workspace_name")) == "workspace_name"
    assert field_of(lambda: check_name(None, "workspace_name")) == "workspace_name"
    assert field_of(lambda: check_name("x" * 81, "name", limit=80)) == "name"
    assert check_name("x" * 80, "name", limit=80) == "x" * 80


# --- a user's time zone -----------------------------------------------------------------

@pytest.mark.parametrize("name", ["Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC", "Asia/Kolkata"])
def test_an_iana_zone_is_kept_as_spelled(name):
    assert check_time_zone(name) == name


def test_no_zone_means_follow_the_browser():
    assert check_time_zone(None) is None


@pytest.mark.parametrize("name", ["Mars/Olympus", "europe/berlin", " Europe/Berlin", "", "CET+1", "localtime",
                                  "Factory", "../../etc/passwd", "Europe/"])
def test_anything_else_is_refused_naming_time_zone_and_the_format(name):
    with pytest.raises(InvalidValue) as info:
        check_time_zone(name)
    assert info.value.field == "time_zone" and "Europe/Berlin" in info.value.message


# --- invitations ------------------------------------------------------------------------

def invitation(**kwargs) -> Invitation:
    values = dict(id=uuid4(), workspace_id=WORKSPACE, email="bob@example.com", role=Role.EDITOR,
                  token_hash="h", invited_by=uuid4(), expires_at=NOW + timedelta(days=7))
    values.update(kwargs)
    return Invitation(**values)


def test_the_invited_email_accepts_once():
    inv = invitation()
    inv.accept(" BOB@example.com ", NOW)
    assert inv.accepted_at == NOW
    assert rule_of(lambda: inv.accept("bob@example.com", NOW + timedelta(minutes=1))) == "invitation_used"
    assert inv.accepted_at == NOW


def test_another_email_cannot_accept():
    inv = invitation()
    assert rule_of(lambda: inv.accept("eve@example.com", NOW)) == "invitation_email"
    assert inv.accepted_at is None


def test_an_expired_invitation_cannot_be_accepted():
    inv = invitation(expires_at=NOW)
    inv_late = invitation(expires_at=NOW)
    inv.accept("bob@example.com", NOW)  # at the expiry instant it is still valid
    assert rule_of(lambda: inv_late.accept("bob@example.com", NOW + timedelta(seconds=1))) == "invitation_expired"
    assert inv_late.accepted_at is None


# --- the last owner ---------------------------------------------------------------------

def members(*roles: Role) -> list[Membership]:
    return [Membership(WORKSPACE, uuid4(), role) for role in roles]


@pytest.mark.parametrize("new_role", [Role.EDITOR, Role.REVIEWER, Role.VIEWER, None])
def test_the_last_owner_cannot_be_demoted_or_removed(new_role):
    team = members(Role.OWNER, Role.EDITOR)
    assert rule_of(lambda: ensure_owner_remains(team, team[0].user_id, new_role)) == "last_owner"


def test_one_of_two_owners_can_step_down():
    team = members(Role.OWNER, Role.OWNER)
    ensure_owner_remains(team, team[0].user_id, Role.VIEWER)
    ensure_owner_remains(team, team[1].user_id, None)


def test_other_members_change_freely():
    team = members(Role.OWNER, Role.EDITOR, Role.VIEWER)
    ensure_owner_remains(team, team[1].user_id, Role.VIEWER)
    ensure_owner_remains(team, team[2].user_id, None)
    ensure_owner_remains(team, team[2].user_id, Role.OWNER)
    ensure_owner_remains(team, team[0].user_id, Role.OWNER)  # staying owner is fine


# --- roles ------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "allowed"), [
    (Role.OWNER, {Permission.READ, Permission.EDIT_CONTENT, Permission.REVIEW, Permission.MANAGE_WORKSPACE}),
    (Role.EDITOR, {Permission.READ, Permission.EDIT_CONTENT}),
    (Role.REVIEWER, {Permission.READ, Permission.REVIEW}),
    (Role.VIEWER, {Permission.READ}),
])
def test_what_each_role_may_do(role, allowed):
    assert {p for p in Permission if can(role, p)} == allowed
    assert GRANTS[role] == allowed
