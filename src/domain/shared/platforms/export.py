"""The rules as JSON for the UI's live counters: one source of truth, never retyped.

Shape: {"version": 1, "platforms": {"<platform>": {<every TextRules field>,
"counting_description": "..."}}}. Bump ``version`` when the shape changes.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .rules import all_rules

RULES_JSON_VERSION = 1


def rules_as_json() -> dict[str, Any]:
    """A JSON-serialisable dict of every platform's rules (enums as plain strings)."""
    platforms: dict[str, Any] = {}
    for rules in all_rules():
        entry = {key: str(value) if isinstance(value, str) else value
                 for key, value in asdict(rules).items()}
        entry["counting_description"] = rules.counting_description
        platforms[rules.platform.value] = entry
    return {"version": RULES_JSON_VERSION, "platforms": platforms}
