"""Who may sign up (POSTWIZARD_SIGNUP), and when API tokens expire."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.identity.api_tokens import has_expired, token_expiry
from domain.identity.sign_up_policy import SignUpMode, check_sign_up_allowed
from domain.shared.errors import InvalidValue, RuleViolated
from tests.unit.factories import NOW


@pytest.mark.parametrize(("mode", "first", "invited", "operator", "refusal"), [
    (SignUpMode.OPEN, False, False, False, None),
    (SignUpMode.INVITE, False, True, False, None),
    (SignUpMode.INVITE, False, False, False, "invitation_required"),
    (SignUpMode.CLOSED, False, True, False, "sign_up_closed"),
    (SignUpMode.CLOSED, True, False, False, None),     # the installation's first user
    (SignUpMode.INVITE, True, False, False, None),
    (SignUpMode.CLOSED, False, False, True, None),     # the operator on the server
])
def test_sign_up_modes(mode, first, invited, operator, refusal):
    if refusal is None:
        check_sign_up_allowed(mode, first_user=first, invited=invited, by_operator=operator)
        return
    with pytest.raises(RuleViolated) as info:
        check_sign_up_allowed(mode, first_user=first, invited=invited, by_operator=operator)
    assert info.value.rule == refusal


def test_token_lifetimes_in_days_or_as_an_instant():
    assert token_expiry(NOW, None, None) is None
    assert token_expiry(NOW, 30, None) == NOW + timedelta(days=30)
    at = datetime(2027, 1, 31, 9, tzinfo=timezone(timedelta(hours=2)))
    assert token_expiry(NOW, None, at) == at


@pytest.mark.parametrize(("days", "at", "field"), [
    (0, None, "expires_in_days"),
    (3651, None, "expires_in_days"),
    (10**30, None, "expires_in_days"),
    (None, NOW, "expires_at"),
    (None, NOW - timedelta(days=1), "expires_at"),
    (None, NOW + timedelta(days=3651), "expires_at"),
    (None, datetime(2030, 1, 1), "expires_at"),          # no time zone
    (30, NOW + timedelta(days=30), "expires_at"),       # both
])
def test_bad_token_lifetimes_name_their_field(days, at, field):
    with pytest.raises(InvalidValue) as info:
        token_expiry(NOW, days, at)
    assert info.value.field == field


def test_a_token_is_refused_from_its_expiry_instant_on():
    assert not has_expired(None, NOW)
    assert not has_expired(NOW + timedelta(seconds=1), NOW)
    assert has_expired(NOW, NOW)
