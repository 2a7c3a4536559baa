"""Who may create an account on this installation (`POSTWIZARD_SIGNUP`).

Rules:
- the first user of an installation may always sign up (someone has to own it);
- the operator (`postwizard user create` on the server) may always create accounts;
- open: anyone may sign up;
- invite: only with an invitation a workspace owner sent (the invitation's rules still apply:
  for that email, once, before it expires);
- closed: nobody signs up; the operator creates accounts.
"""

from __future__ import annotations

from enum import StrEnum

from domain.shared.errors import RuleViolated


class SignUpMode(StrEnum):
    OPEN = "open"
    INVITE = "invite"
    CLOSED = "closed"


def check_sign_up_allowed(mode: SignUpMode, *, first_user: bool, invited: bool, by_operator: bool) -> None:
    if first_user or by_operator or mode is SignUpMode.OPEN:
        return
    if mode is SignUpMode.CLOSED:
        raise RuleViolated("sign_up_closed", "sign-up is closed on this server; its administrator creates accounts")
    if not invited:
        raise RuleViolated("invitation_required", "sign-up on this server is by invitation: ask a workspace owner "
                                                  "to invite your email, then sign up with the invitation's token")
