"""Shortening a caption's body so that it fits: whole sentences first, then whole words
with an ellipsis, then (one very long word) whole grapheme clusters with an ellipsis.

Cuts never fall inside a link or a grapheme cluster. Whether a cut fits is asked of the
caller's ``fits``, never estimated with ``len()``: platforms count differently, and
their counts are not even monotonic (on X, "a.co" counts 23 but "a.c" counts 3).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import regex

from .links import url_spans

ELLIPSIS = "…"

_SENTENCE_END = regex.compile(
    r"[.!?…]+[\"'”’»)\]]*(?=\s|$)"  # Latin punctuation, then a space
    r"|[。！？]+[」』”’）]*"  # CJK full stops need no space
    r"|(?=\n)"  # a line break ends a sentence too
)
_WORD = regex.compile(r"\S+")
_GRAPHEME = regex.compile(r"\X")
_DANGLING = " \t\n,;:-–—"


def _longest(cuts: Sequence[int], ok: Callable[[int], bool]) -> int | None:
    """The longest of the ascending ``cuts`` that is ``ok``, by bisection. Only a cut
    that was tested is returned, so a non-monotonic ``ok`` may miss one but never lies."""
    low, high, best = 0, len(cuts) - 1, None
    while low <= high:
        middle = (low + high) // 2
        if ok(cuts[middle]):
            best, low = cuts[middle], middle + 1
        else:
            high = middle - 1
    return best


def _with_ellipsis(head: str, links: list[tuple[int, int]]) -> str:
    head = head.rstrip()
    if any(end == len(head) for _, end in links):
        return f"{head} {ELLIPSIS}"  # glued on, the ellipsis would become part of the link
    head = head.rstrip(_DANGLING)
    return head + ELLIPSIS if head else ""


def cut_body(body: str, fits: Callable[[str], bool]) -> tuple[str, str]:
    """The longest start of ``body`` that ``fits``, and how it was cut: "" (whole body),
    "at a sentence boundary", "at a word boundary" or "inside a word". ("", "") if none fits."""
    links = url_spans(body)

    def outside_links(cuts: list[int]) -> list[int]:
        return [c for c in cuts if not any(start < c < end for start, end in links)]

    sentence_ends = sorted({m.end() for m in _SENTENCE_END.finditer(body) if body[:m.end()].strip()} | {len(body)})
    if (end := _longest(outside_links(sentence_ends), lambda e: fits(body[:e].rstrip()))) is not None:
        return body[:end].rstrip(), "" if end == len(body) else "at a sentence boundary"

    words = list(_WORD.finditer(body))
    if (end := _longest([w.end() for w in words[:-1]], lambda e: fits(_with_ellipsis(body[:e], links)))) is not None:
        return _with_ellipsis(body[:end], links), "at a word boundary"

    if words:
        first = words[0]
        inside = outside_links([g.end() for g in _GRAPHEME.finditer(body, first.start(), first.end())][:-1])
        if (end := _longest(inside, lambda e: fits(_with_ellipsis(body[:e], links)))) is not None:
            return _with_ellipsis(body[:end], links), "inside a word"
    return "", ""
