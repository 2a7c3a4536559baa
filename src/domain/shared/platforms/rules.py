"""Each platform's text rules: the limits a post must meet before it is sent.

Facts come from /work/shared/design/platforms.md (its source tags are repeated
beside each value). Limits a live endpoint reports at run time (a Mastodon
instance's ``max_characters``) are passed to ``check_text(max_length=...)``;
the values here are the documented defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Platform(StrEnum):
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    X = "x"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    LINKEDIN = "linkedin"
    THREADS = "threads"


class Counting(StrEnum):
    """How a platform measures text length (implemented in ``counting.py``)."""

    WEIGHTED = "weighted"
    GRAPHEMES = "graphemes"
    GRAPHEMES_URLS_23 = "graphemes_urls_23"
    CHARS_EMOJI_BYTES = "chars_emoji_bytes"
    CHARS = "chars"


COUNTING_DESCRIPTIONS: dict[Counting, str] = {
    Counting.WEIGHTED: (
        "twitter-text v3 weighted length: text is NFC-normalised; most Latin characters "
        "weigh 1, emoji and CJK weigh 2, every URL counts as 23."
    ),
    Counting.GRAPHEMES: (
        "User-perceived characters (Unicode extended grapheme clusters); URLs count as "
        "written, and the text must also fit max_bytes in UTF-8."
    ),
    Counting.GRAPHEMES_URLS_23: (
        "User-perceived characters (grapheme clusters); every http(s) URL counts as "
        "url_length, and a mention @user@domain counts only as @user."
    ),
    Counting.CHARS_EMOJI_BYTES: (
        "Unicode characters, except that each emoji counts as its length in UTF-8 bytes."
    ),
    Counting.CHARS: "Unicode characters (code points), URLs as written.",
}


@dataclass(frozen=True)
class TextRules:
    """A platform's text and media rules.

    ``max_bytes`` is a second, UTF-8 byte cap on top of ``max_length`` (Bluesky).
    ``None`` means no documented limit for that rule.
    """

    platform: Platform
    display_name: str
    max_length: int
    counting: Counting
    url_length: int | None
    max_hashtags: int | None
    requires_media: bool
    max_media: int | None
    supports_threads: bool
    max_bytes: int | None = None

    @property
    def counting_description(self) -> str:
        return COUNTING_DESCRIPTIONS[self.counting]


_RULES: dict[Platform, TextRules] = {
    # 500 by default, URL = 23, mention counts only the username [v: MDOC user/posting.md];
    # the count is grapheme clusters (mastodon StatusLengthValidator#countable_length);
    # 4 images [v: MDOC user/posting.md]; chains via in_reply_to_id.
    Platform.MASTODON: TextRules(
        platform=Platform.MASTODON,
        display_name="Mastodon",
        max_length=500,
        counting=Counting.GRAPHEMES_URLS_23,
        url_length=23,
        max_hashtags=None,
        requires_media=False,
        max_media=4,
        supports_threads=True,
    ),
    # 300 graphemes and 3000 UTF-8 bytes [v: BDOC lexicon post.json]; no fixed URL
    # length [unverified: no rule seen]; 4 images [v: BDOC embed/images.json].
    Platform.BLUESKY: TextRules(
        platform=Platform.BLUESKY,
        display_name="Bluesky",
        max_length=300,
        counting=Counting.GRAPHEMES,
        url_length=None,
        max_hashtags=None,
        requires_media=False,
        max_media=4,
        supports_threads=True,
        max_bytes=3000,
    ),
    # 280 weighted characters, URL = 23 [v: XDOC counting-characters]; premium accounts
    # allow more (Postiz: 4000), pass it as max_length; 4 photos [v: XDOC media].
    Platform.X: TextRules(
        platform=Platform.X,
        display_name="X",
        max_length=280,
        counting=Counting.WEIGHTED,
        url_length=23,
        max_hashtags=None,
        requires_media=False,
        max_media=4,
        supports_threads=True,
    ),
    # 63,206 characters [v: PZ-facebook]; no documented image count.
    Platform.FACEBOOK: TextRules(
        platform=Platform.FACEBOOK,
        display_name="Facebook",
        max_length=63206,
        counting=Counting.CHARS,
        url_length=None,
        max_hashtags=None,
        requires_media=False,
        max_media=None,
        supports_threads=False,
    ),
    # Caption 2,200 [v: PZ-instagram]; media required [3p: Blotato, PZ validation];
    # carousel up to 10 [v: PZ-instagram]; 30 hashtags [3p: Ayrshare EN; newer
    # translations say 5, so this limit is conflicting/unverified]; no native threads.
    Platform.INSTAGRAM: TextRules(
        platform=Platform.INSTAGRAM,
        display_name="Instagram",
        max_length=2200,
        counting=Counting.CHARS,
        url_length=None,
        max_hashtags=30,
        requires_media=True,
        max_media=10,
        supports_threads=False,
    ),
    # Commentary 3,000 [v: PZ-linkedin]; multi-image 2-20 is unverified, so no cap;
    # no native threads (follow-ups are comments).
    Platform.LINKEDIN: TextRules(
        platform=Platform.LINKEDIN,
        display_name="LinkedIn",
        max_length=3000,
        counting=Counting.CHARS,
        url_length=None,
        max_hashtags=None,
        requires_media=False,
        max_media=None,
        supports_threads=False,
    ),
    # 500 characters, emoji count as their UTF-8 bytes [v: TH posts]; carousel
    # maximum unverified, so no cap; chains via reply_to_id.
    Platform.THREADS: TextRules(
        platform=Platform.THREADS,
        display_name="Threads",
        max_length=500,
        counting=Counting.CHARS_EMOJI_BYTES,
        url_length=None,
        max_hashtags=None,
        requires_media=False,
        max_media=None,
        supports_threads=True,
    ),
}


def parse_platform(platform: Platform | str) -> Platform:
    """The Platform for an enum member or its name (case and surrounding spaces ignored)."""
    if isinstance(platform, Platform):
        return platform
    if isinstance(platform, str):
        try:
            return Platform(platform.strip().lower())
        except ValueError:
            pass
    valid = ", ".join(p.value for p in Platform)
    raise ValueError(f"Unknown platform {platform!r}; expected one of: {valid}.")


def rules_for(platform: Platform | str) -> TextRules:
    """The default text rules of ``platform``; ValueError naming the valid ones if unknown."""
    return _RULES[parse_platform(platform)]


def all_rules() -> tuple[TextRules, ...]:
    """Every platform's rules, in Platform order."""
    return tuple(_RULES[p] for p in Platform)
