"""Per-platform text rules of the shared kernel: limits, length counting, checks.

Pure functions over the standard library, ``regex`` and ``twitter_text``; the UI's
counters use the same rules through ``rules_as_json()``.
"""

from .checks import RuleViolation, check_text
from .counting import count_hashtags, count_length
from .export import RULES_JSON_VERSION, rules_as_json
from .rules import COUNTING_DESCRIPTIONS, Counting, Platform, TextRules, all_rules, rules_for

__all__ = [
    "COUNTING_DESCRIPTIONS",
    "RULES_JSON_VERSION",
    "Counting",
    "Platform",
    "RuleViolation",
    "TextRules",
    "all_rules",
    "check_text",
    "count_hashtags",
    "count_length",
    "rules_as_json",
    "rules_for",
]
