"""The rules as JSON for the UI's live counters: one source of truth, never retyped.

Shape: {"version": 1, "platforms": {"<platform>": {<every TextRules field>,
"counting_description": "...", "images": {"max_bytes", "max_side", "max_pixels", "max_alt"} or null}}}.
``images`` are the defaults of ``images.image_limits`` (an image over them is fitted at publish,
except an animated one) and the alt text the platform keeps; null where no publishing adapter
knows them. Bump ``version`` when a field changes meaning or goes away (adding one does not).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .images import image_limits, max_alt_length
from .rules import all_rules

RULES_JSON_VERSION = 1


def rules_as_json() -> dict[str, Any]:
    """A JSON-serialisable dict of every platform's rules (enums as plain strings)."""
    platforms: dict[str, Any] = {}
    for rules in all_rules():
        entry = {key: str(value) if isinstance(value, str) else value
                 for key, value in asdict(rules).items()}
        entry["counting_description"] = rules.counting_description
        limits = image_limits(rules.platform)
        entry["images"] = None if limits is None else {
            "max_bytes": limits.max_bytes, "max_side": limits.max_side, "max_pixels": limits.max_pixels,
            "max_alt": max_alt_length(rules.platform)}
        platforms[rules.platform.value] = entry
    return {"version": RULES_JSON_VERSION, "platforms": platforms}
