"""Checking a post's text and media against a platform's rules.

Each broken rule is one RuleViolation with a stable machine name and a message
that names the platform and says what to change:

- text_empty: blank text and no media (every platform needs one or the other).
- text_too_long: count_length > limit (the default, or the run-time ``max_length``).
- text_too_many_bytes: UTF-8 size over ``max_bytes`` (Bluesky 3000).
- too_many_hashtags: more hashtags than ``max_hashtags`` (Instagram 30).
- media_required: the platform has no text-only posts (Instagram).
- too_many_media: more attachments than ``max_media``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .counting import count_hashtags, count_length, count_utf8_bytes
from .rules import Counting, Platform, rules_for


@dataclass(frozen=True)
class RuleViolation:
    rule: str
    message: str


_COUNTING_HINTS: dict[Counting, str] = {
    Counting.WEIGHTED: " X counts emoji and CJK characters as 2 and every link as 23.",
    Counting.GRAPHEMES_URLS_23: " Mastodon counts every link as 23.",
    Counting.CHARS_EMOJI_BYTES: (
        " Threads counts each emoji as several characters (its size in UTF-8 bytes)."
    ),
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def check_text(
    platform: Platform | str,
    text: str,
    *,
    media_count: int = 0,
    max_length: int | None = None,
) -> list[RuleViolation]:
    """Every rule ``text`` with ``media_count`` attachments breaks on ``platform``.

    ``max_length`` replaces the default limit (e.g. a Mastodon instance's
    ``configuration.statuses.max_characters``, an X premium account's limit).
    An empty list means the post may be sent.
    """
    rules = rules_for(platform)
    name = rules.display_name
    if media_count < 0:
        raise ValueError(f"media_count must not be negative, got {media_count}.")
    if max_length is not None and max_length < 1:
        raise ValueError(f"max_length must be a positive number, got {max_length}.")
    limit = rules.max_length if max_length is None else max_length
    violations: list[RuleViolation] = []

    if not text.strip() and media_count == 0:
        violations.append(RuleViolation(
            "text_empty", f"The post for {name} is empty; write some text or attach media."))

    length = count_length(rules.platform, text)
    if length > limit:
        violations.append(RuleViolation(
            "text_too_long",
            f"Text is {length} of {limit} characters on {name}; "
            f"shorten it by {length - limit}.{_COUNTING_HINTS.get(rules.counting, '')}",
        ))

    if rules.max_bytes is not None and (size := count_utf8_bytes(text)) > rules.max_bytes:
        violations.append(RuleViolation(
            "text_too_many_bytes",
            f"Text is {size} of {rules.max_bytes} bytes on {name}; shorten it by "
            f"{size - rules.max_bytes} bytes (emoji and non-Latin scripts take 2-4 bytes each).",
        ))

    if rules.max_hashtags is not None and (tags := count_hashtags(text)) > rules.max_hashtags:
        violations.append(RuleViolation(
            "too_many_hashtags",
            f"Text has {tags} of {rules.max_hashtags} hashtags allowed on {name}; "
            f"remove {_plural(tags - rules.max_hashtags, 'hashtag')}.",
        ))

    if rules.requires_media and media_count == 0:
        violations.append(RuleViolation(
            "media_required", f"{name} posts need at least one image or video; attach one."))

    if rules.max_media is not None and media_count > rules.max_media:
        violations.append(RuleViolation(
            "too_many_media",
            f"{media_count} attachments but {name} allows {rules.max_media}; "
            f"remove {media_count - rules.max_media}.",
        ))
    return violations
