"""A post target's state and failure are typed in the API (the UI's client is generated from them)."""

from __future__ import annotations

from typing import get_args
from uuid import uuid4

import pytest
from pydantic import ValidationError

from application.publishing.views import TargetView
from domain.publishing.states import FailureReason, TargetState
from entrypoints.api.schemas import FailureOut, TargetOut


def test_the_documented_states_and_reasons_are_the_domains():
    assert set(get_args(TargetOut.model_fields["state"].annotation)) == {s.value for s in TargetState}
    assert set(get_args(FailureOut.model_fields["reason"].annotation)) == {r.value for r in FailureReason} | {"unconfirmed"}


def test_a_failed_target_reads_its_reason_message_and_fix():
    failure = {"reason": "auth_expired", "message": "401 from the platform", "fix": FailureReason.AUTH_EXPIRED.fix,
               "retry_at": None}
    out = TargetOut.model_validate(TargetView(channel_id=uuid4(), platform="bluesky", state="failed", scheduled_at=None,
                                              attempts=1, remote_id=None, url=None, failure=failure))
    assert out.failure is not None and out.failure.reason == "auth_expired"
    assert out.failure.fix == "Reconnect this channel, then retry." and out.failure.retry_at is None
    # An unconfirmed attempt's failure has no retry_at at all.
    unconfirmed = FailureOut.model_validate({"reason": "unconfirmed", "message": "timed out", "fix": "wait"})
    assert unconfirmed.retry_at is None


def test_an_unknown_state_is_refused_rather_than_passed_on():
    with pytest.raises(ValidationError):
        TargetOut.model_validate({"channel_id": uuid4(), "platform": "x", "state": "lost", "scheduled_at": None,
                                  "attempts": 0, "remote_id": None, "url": None, "failure": None})
