"""The counting cases the Composer's counters are tested on (frontend/src/lib/compose-counting-cases.json)
hold for the domain's counting too: the UI and the backend count every text the same way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.shared.platforms.counting import count_length
from domain.shared.platforms.rules import rules_for

CASES = Path(__file__).resolve().parents[2] / "frontend" / "src" / "lib" / "compose-counting-cases.json"
TABLE = json.loads(CASES.read_text(encoding="utf-8"))["cases"]


def test_the_table_covers_every_counting_rule():
    assert {case["counting"] for case in TABLE} == {"weighted", "graphemes", "graphemes_urls_23",
                                                     "chars_emoji_bytes", "chars"}


@pytest.mark.parametrize("case", TABLE, ids=[f"{c['platform']}-{c['name']}" for c in TABLE])
def test_domain_counts_as_the_table_says(case):
    rules = rules_for(case["platform"])
    assert (rules.counting.value, rules.url_length) == (case["counting"], case["url_length"])
    assert count_length(case["platform"], case["text"]) == case["length"]
