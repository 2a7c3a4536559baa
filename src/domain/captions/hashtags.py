"""Hashtags in captions, as the platform rules count them (``count_hashtags``)."""

from __future__ import annotations

import regex

from domain.shared.platforms import count_hashtags

from .links import url_spans

# Candidates only: whether one is a hashtag is always asked of count_hashtags.
_CANDIDATE = regex.compile(r"[#＃][\w\p{M}]+")


def is_hashtag(token: str) -> bool:
    """Whether a whitespace-free ``token`` is exactly one hashtag (#tag, not #tag! or #1)."""
    return _CANDIDATE.fullmatch(token) is not None and count_hashtags(token) == 1


def drop_extra_hashtags(text: str, limit: int) -> tuple[str, int]:
    """``text`` with hashtags dropped from the end until at most ``limit`` are left, and how many went."""
    links = url_spans(text)
    dropped = 0
    for m in reversed(list(_CANDIDATE.finditer(text))):
        if count_hashtags(text) <= limit:
            break
        if any(start < m.end() and m.start() < end for start, end in links):
            continue
        shorter = _without(text, m.start(), m.end())
        if count_hashtags(shorter) < count_hashtags(text):
            text, dropped = shorter, dropped + 1
    return text, dropped


def _without(text: str, start: int, end: int) -> str:
    """``text`` without ``text[start:end]`` and the spaces that separated it."""
    head, tail = text[:start], text[end:]
    if not tail[:1].strip():  # followed by a space or nothing: take the spaces before it too
        head = head.rstrip(" \t")
        if not head or head.endswith("\n"):
            tail = tail.lstrip(" \t")
    return head + tail
