"""Which passwords an account may have (NIST SP 800-63B's rules for memorised secrets).

Rules:
- 10 to 1024 characters; no composition rules (a passphrase of plain words is the best choice);
- not one character repeated, nor a short group repeated ("aaaaaaaaaa", "abcabcabcabc");
- not one of the most common passwords, nor one of them with digits or symbols around it
  ("password12", "Summer2024!"), compared without regard to case;
- not containing the name of the user's email address (the part before the @, or a piece of it of
  four characters or more: "lovelace" for ada.lovelace@example.com), nor "postwizard".
"""

from __future__ import annotations

import re
from collections.abc import Container

from domain.shared.errors import InvalidValue

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
_REPEATED = re.compile(r"(.{1,4}?)\1+", re.DOTALL)
_DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_NAME_PARTS = re.compile(r"[._+-]")
_SERVICE_NAME = "postwizard"
_ADVICE = "choose a passphrase of three or four unrelated words"


def check_password(password: str | None, *, email: str = "", common: Container[str] = frozenset()) -> None:
    """Refuse a password that breaks a rule above, saying which (InvalidValue on `password`).

    `common` holds the common passwords in lower case; `email` is the account's (normalised) email."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise InvalidValue("password", f"must be at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidValue("password", f"must be at most {MAX_PASSWORD} characters")
    if _REPEATED.fullmatch(password):
        raise InvalidValue("password", f"repeats one character or a few characters over and over; {_ADVICE}")
    lowered = password.lower()
    core = _DECORATION.sub("", lowered)
    if lowered in common or (len(core) >= 4 and core in common):
        raise InvalidValue("password", "is one of the most commonly used passwords (or one with digits or symbols "
                                       f"added), which attackers try first; {_ADVICE}")
    local = email.partition("@")[0].lower()
    for name in sorted({local, *_NAME_PARTS.split(local)}, key=len, reverse=True):  # the whole name first
        if len(name) >= 4 and name in lowered:
            raise InvalidValue("password", f"must not contain your email address's name ({name}); {_ADVICE}")
    if _SERVICE_NAME in lowered:
        raise InvalidValue("password", f"must not contain the name of this service; {_ADVICE}")
