"""The deterministic fallback: a caption that passes its platform's rules, whatever the
model wrote. Used when a model's caption still breaks a rule after a repair round.

``fit_caption`` applies, in order:

1. Banned words and phrases are removed (whole words, any case; see ``banned``).
2. Hashtags over the platform's limit (Instagram 30) are dropped from the end.
3. The brief's link is kept: appended when missing, never cut in the middle, left out
   only when the link on its own breaks a rule.
4. Too long (by the platform's own count, Bluesky's byte cap, ``max_length`` when given):
   the text is split into body, link and trailing hashtags; the body keeps the whole
   sentences that fit, else the words, else the start of its first word, with "…"
   (see ``cutting``); then the link, then each trailing hashtag that still fits, in order.
5. Never empty: with nothing left, a cut of the whole text; failing even that (all of it
   banned, or a limit of a character or two), the placeholder "…".

Every text handed back was checked with ``caption_violations``; ``changes`` says what
was done, one line each, and is empty when the text already passed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import regex

from domain.shared.platforms import Platform, count_length, rules_for

from .banned import BannedWords, describe
from .cutting import ELLIPSIS, cut_body
from .hashtags import drop_extra_hashtags, is_hashtag
from .links import has_link
from .rules import MEDIA_RULES, caption_violations

_TOKEN = regex.compile(r"\S+")
# Last resorts when nothing of the text fits: "." for limits too small even for "…" (2 on
# X), "-" should "…" and "." both be banned. Only banning all three defeats the guarantee.
_PLACEHOLDERS = (ELLIPSIS, ".", "-")


@dataclass(frozen=True)
class Fitted:
    """A caption that passes its platform's rules, and what was changed to get there."""

    text: str
    changes: tuple[str, ...] = ()


def fit_caption(
    platform: Platform | str,
    text: str,
    *,
    link: str | None = None,
    banned_words: Iterable[str] = (),
    max_length: int | None = None,
    media_count: int = 0,
) -> Fitted:
    """``text`` changed as little as the rules require (see the module's docstring).

    The result passes ``caption_violations`` with the same arguments whenever
    ``media_count`` itself meets the platform's media rules."""
    rules = rules_for(platform)
    banned = BannedWords(banned_words)
    link = link or None

    def fits(candidate: str) -> bool:
        violations = caption_violations(rules.platform, candidate, banned_words=banned,
                                        media_count=media_count, max_length=max_length)
        return bool(candidate.strip()) and all(v.rule in MEDIA_RULES for v in violations)

    if fits(text) and (link is None or has_link(text, link)):
        return Fitted(text)
    original, changes = text, []

    text, removed = banned.remove(text)
    changes += [f"removed {describe(word)}" for word in removed]
    if rules.max_hashtags is not None:
        text, dropped = drop_extra_hashtags(text, rules.max_hashtags)
        if dropped:
            changes.append(f"removed {_plural(dropped, 'hashtag')} over {rules.display_name}'s limit "
                           f"of {rules.max_hashtags}")
    text = text.strip()

    kept_link = link if link is not None and fits(link) else None
    whole = text
    if kept_link and not has_link(text, kept_link):
        whole = f"{text} {kept_link}".strip()
    if fits(whole):
        result = whole
    else:
        result, how, tags_left_out = _shorten(text, kept_link, fits, split=True)
        if not result:
            result, how, tags_left_out = _shorten(text, kept_link, fits, split=False)
        if not result:
            result, how = next((p for p in _PLACEHOLDERS if fits(p)), _PLACEHOLDERS[0]), ""
            changes.append(f"nothing of the text could be kept, so the caption is the placeholder '{result}'")
        if how:
            changes.append(f"shortened from {count_length(rules.platform, whole)} to "
                           f"{_plural(count_length(rules.platform, result), 'character')} {how}")
        if tags_left_out:
            changes.append(f"left out {_plural(tags_left_out, 'trailing hashtag')} that did not fit")

    if link is not None:
        if not has_link(result, link):
            changes.append(f"left out the link {link}, as it does not fit on {rules.display_name}")
        elif not has_link(original, link):
            changes.append(f"added the link {link}")
    if result != original and not changes:  # only whitespace was left to change
        changes.append("tidied the whitespace")
    return Fitted(result, tuple(changes))


def _shorten(text: str, link: str | None, fits: Callable[[str], bool], *, split: bool) -> tuple[str, str, int]:
    """The longest cut of ``text`` that fits (or ""), how the body was cut, and how many
    trailing hashtags were left out. ``split`` sets the link and trailing hashtags apart
    from the body first, so that they survive the cut."""
    body, separator, tags = _split(text, link) if split else (text, " ", [])

    def assemble(head: str, kept: Iterable[str] = ()) -> str:
        tail = ([link] if link and not has_link(head, link) else []) + list(kept)
        if not tail:
            return head
        return f"{head}{separator}{' '.join(tail)}" if head else " ".join(tail)

    head, how = cut_body(body, lambda candidate: fits(assemble(candidate)))
    if body and not head:
        how = "by leaving out the text, as only the link fits" if link else "by leaving out the text"
    kept: list[str] = []
    for tag in tags:
        if fits(assemble(head, [*kept, tag])):
            kept.append(tag)
    result = assemble(head, kept)
    return (result, how, len(tags) - len(kept)) if fits(result) else ("", "", 0)


def _split(text: str, link: str | None) -> tuple[str, str, list[str]]:
    """Body, the whitespace before the trailing block, and the hashtags of that block: the
    run of hashtags and ``link`` that ends the text (the link is set apart, not returned)."""
    tokens = list(_TOKEN.finditer(text))
    start = len(tokens)
    while start and (tokens[start - 1].group() == link or is_hashtag(tokens[start - 1].group())):
        start -= 1
    if start == len(tokens):
        return text, " ", []
    block = tokens[start].start()
    body = text[:block].rstrip()
    separator = text[len(body):block].strip(" \t") or " "
    return body, separator, [t.group() for t in tokens[start:] if t.group() != link]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def brief_fallback_text(topic: str | None, key_message: str | None, call_to_action: str | None) -> str:
    """A caption written from the brief itself, for when a model returns nothing usable:
    its non-empty parts as sentences, in order ("" if all are empty)."""
    sentences: list[str] = []
    for part in (topic, key_message, call_to_action):
        part = " ".join((part or "").split())
        sentence = part if not part or part[-1] in ".!?…" else f"{part}."
        if sentence and sentence not in sentences:
            sentences.append(sentence)
    return " ".join(sentences)
