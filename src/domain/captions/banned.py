"""Banned words: a brand voice's words and phrases that never appear in a caption.

- Matched case-insensitively as whole words, not glued to a letter or digit: banned
  "cheap" hits "Cheap!" and "CHEAP", not "cheapest"; "c++" hits "c++!", not "c++11".
  A phrase matches across any whitespace ("free  money").
- A banned word used as a hashtag or mention (#cheap, @cheap) is that word too, and is
  removed with its # or @.
- Words inside links do not count: a caption cannot reword the address it links to.
- Removal tidies the spaces and punctuation left behind, and repeats until none is
  left, since a removal or its tidy-up can join text into a new occurrence.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex

from .links import url_spans

_WORD_CHAR = regex.compile(r"\w")
_SPACES = regex.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCTUATION = regex.compile(r"(?<=\S)[ \t]+(?=[,.;:!?…])")
_LINE_EDGE_SPACES = regex.compile(r"^[ \t]+|[ \t]+$", regex.MULTILINE)
_ORPHAN_PUNCTUATION = regex.compile(r"^[,.;:!?…]+[ \t]*", regex.MULTILINE)
_BLANK_LINES = regex.compile(r"\n{3,}")


def _pattern(word: str) -> regex.Pattern[str]:
    core = r"\s+".join(regex.escape(part) for part in word.split())
    # Not glued to a letter or digit on either side (lookarounds rather than \b, so that
    # words starting or ending with punctuation, "c++", work); a word's # or @ goes with it.
    prefix = r"[#＃@]?" if _WORD_CHAR.match(word) else ""
    return regex.compile(prefix + r"(?<!\w)" + core + r"(?!\w)", regex.IGNORECASE)


class BannedWords:
    """Compiled banned words; blank and repeated (case-insensitively) entries are ignored."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        if isinstance(words, str):
            words = (words,)
        unique: dict[str, str] = {}
        for word in (" ".join(w.split()) for w in words):
            if word:
                unique.setdefault(word.lower(), word)
        self._patterns = [(word, _pattern(word)) for word in unique.values()]

    def _matches(self, text: str) -> list[tuple[str, int, int]]:
        links = url_spans(text)
        return [
            (word, m.start(), m.end())
            for word, pattern in self._patterns
            for m in pattern.finditer(text)
            if not any(start < m.end() and m.start() < end for start, end in links)
        ]

    def found(self, text: str) -> list[str]:
        """The banned words ``text`` uses, in the order they were given."""
        return list(dict.fromkeys(word for word, _, _ in self._matches(text)))

    def remove(self, text: str) -> tuple[str, tuple[str, ...]]:
        """``text`` without any banned word, tidied; and the words removed."""
        removed: dict[str, None] = {}
        while matches := self._matches(text):
            removed.update(dict.fromkeys(word for word, _, _ in matches))
            cut = [False] * len(text)
            for _, start, end in matches:
                cut[start:end] = [True] * (end - start)
            text = _tidy("".join(ch for ch, drop in zip(text, cut) if not drop))
        return text, tuple(w for w, _ in self._patterns if w in removed)


def _tidy(text: str) -> str:
    """Spaces and punctuation left behind by a removal: doubled spaces, " ," and a
    line starting with punctuation. A space before punctuation right after a link stays,
    so the punctuation does not become part of the link."""
    link_ends = {end for _, end in url_spans(text)}
    text = _SPACE_BEFORE_PUNCTUATION.sub(lambda m: m.group() if m.start() in link_ends else "", text)
    text = _LINE_EDGE_SPACES.sub("", _SPACES.sub(" ", text))
    text = _ORPHAN_PUNCTUATION.sub("", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def describe(word: str) -> str:
    """Names a banned word for messages: "the banned phrase 'free money'"."""
    kind = "phrase" if " " in word else "word"
    return f"the banned {kind} '{word}'"
