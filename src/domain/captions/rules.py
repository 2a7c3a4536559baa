"""What a caption must pass: its platform's text rules plus the brand's banned words.

A ``banned_word`` violation names each banned word or phrase the caption uses.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.shared.platforms import Platform, RuleViolation, check_text

from .banned import BannedWords, describe

# Rules about attachments: a caption's text cannot fix them.
MEDIA_RULES = frozenset({"media_required", "too_many_media"})


def caption_violations(
    platform: Platform | str,
    text: str,
    *,
    banned_words: Iterable[str] | BannedWords = (),
    media_count: int = 0,
    max_length: int | None = None,
) -> list[RuleViolation]:
    """Every rule ``text`` breaks on ``platform`` (see ``check_text``), then one
    ``banned_word`` violation per banned word or phrase it uses. Empty means it may go out."""
    banned = banned_words if isinstance(banned_words, BannedWords) else BannedWords(banned_words)
    violations = check_text(platform, text, media_count=media_count, max_length=max_length)
    violations += [
        RuleViolation("banned_word", f"The caption uses {describe(word)}; remove it.")
        for word in banned.found(text)
    ]
    return violations
