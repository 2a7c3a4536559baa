"""Text people give PostWizard: printable characters, line breaks and tabs.

Business rule: user text never carries C0 control characters other than tab, line feed and
carriage return (NUL above all: PostgreSQL text cannot hold it), nor unpaired UTF-16
surrogates, which are not characters at all and cannot be stored. Such text is refused
where it enters, naming the field, so it never reaches the event log or another user's view.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
Path = tuple[str | int, ...]


def unprintable_character(text: str) -> str | None:
    """The first character `text` may not contain, named like "U+0000", or None."""
    found = _UNPRINTABLE.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def find_unprintable(value: Any, path: Path = ()) -> tuple[Path, str] | None:
    """Where in `value` (text, or lists and mappings of it, keys included) the first refused
    character is, and which; None when all of it is acceptable."""
    if isinstance(value, str):
        character = unprintable_character(value)
        return (path, character) if character else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = find_unprintable(key, path) or find_unprintable(item, (*path, str(key)))
            if found:
                return found
    elif isinstance(value, (list, tuple, set, frozenset)):
        for index, item in enumerate(value):
            found = find_unprintable(item, (*path, index))
            if found:
                return found
    return None


def refusal(character: str) -> str:
    """The message that tells the user what to remove."""
    return (f"contains the control character {character}, which text may not hold "
            "(only tab, line feed and carriage return are allowed); remove it")
