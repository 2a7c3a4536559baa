"""Length counting per platform; never ``len()`` of the raw text.

- weighted (X): twitter-text v3 via ``twitter_text.parse_tweet`` (NFC, weights 1/2,
  URLs 23) [v: XDOC counting-characters].
- graphemes (Bluesky): extended grapheme clusters (``regex`` ``\\X``), URLs as written
  [v: BDOC lexicon post.json maxGraphemes].
- graphemes_urls_23 (Mastodon): as mastodon's StatusLengthValidator: http(s) URLs
  become 23 characters, ``@user@domain`` becomes ``@user``, then grapheme clusters
  are counted; blank text counts 0 [v: MDOC user/posting.md].
- chars_emoji_bytes (Threads): code points, but a grapheme cluster holding an emoji
  counts its UTF-8 bytes [v: TH posts]. Which symbols Threads treats as emoji is not
  documented; any pictographic, regional-indicator or keycap cluster counts as emoji,
  which can only over-count, never let an over-long post through.
- chars (Facebook, Instagram, LinkedIn): code points.
"""

from __future__ import annotations

import regex
from twitter_text import extract_urls_with_indices, parse_tweet

from .rules import Counting, Platform, rules_for

_GRAPHEME = regex.compile(r"\X")
_EMOJI = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}\u20e3]")
# Account::MENTION_RE of Mastodon (the username is group 1; the domain part is dropped).
_REMOTE_MENTION = regex.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[a-z0-9_.\-]+[a-z0-9_]+)?)@[\w.\-]+\w",
    regex.IGNORECASE,
)
# A hashtag: # or fullwidth ＃ not inside a word, URL path or entity (&#...;),
# not a keycap (#️⃣), with at least one letter, so "#1" is not a tag.
_HASHTAG = regex.compile(
    r"(?<![\w&/#＃])[#＃](?![\ufe0f\u20e3])[\w\p{M}]*\p{L}[\w\p{M}]*",
)


def count_graphemes(text: str) -> int:
    """User-perceived characters: a ZWJ family emoji or e + combining accent is 1."""
    return len(_GRAPHEME.findall(text))


def count_weighted(text: str) -> int:
    """X's weighted length (twitter-text v3 configuration)."""
    return parse_tweet(text).weightedLength


def count_mastodon(text: str, url_length: int = 23) -> int:
    """Mastodon's status length: URLs fixed, remote mentions shortened, graphemes."""
    if not text.strip():
        return 0
    entities: list[tuple[int, int, str]] = [
        (u["indices"][0], u["indices"][1], "x" * url_length)
        for u in extract_urls_with_indices(text, False)
    ]
    entities += [(m.start(), m.end(), "@" + m.group(1)) for m in _REMOTE_MENTION.finditer(text)]
    entities.sort()
    parts: list[str] = []
    position = 0
    for start, end, replacement in entities:
        if start < position:  # overlapping entity: the earlier one wins, as in Mastodon
            continue
        parts += [text[position:start], replacement]
        position = end
    parts.append(text[position:])
    return count_graphemes("".join(parts))


def count_threads(text: str) -> int:
    """Threads: characters, with each emoji counted as its UTF-8 byte length."""
    total = 0
    for cluster in _GRAPHEME.findall(text):
        total += len(cluster.encode("utf-8")) if _EMOJI.search(cluster) else len(cluster)
    return total


def count_utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def count_length(platform: Platform | str, text: str) -> int:
    """The length of ``text`` as ``platform`` counts it against its limit."""
    rules = rules_for(platform)
    match rules.counting:
        case Counting.WEIGHTED:
            return count_weighted(text)
        case Counting.GRAPHEMES:
            return count_graphemes(text)
        case Counting.GRAPHEMES_URLS_23:
            return count_mastodon(text, rules.url_length or 23)
        case Counting.CHARS_EMOJI_BYTES:
            return count_threads(text)
        case Counting.CHARS:
            return len(text)
    raise AssertionError(f"unhandled counting {rules.counting}")  # pragma: no cover


def count_hashtags(text: str) -> int:
    """Hashtags in ``text``, repeats included (#tag, #café, ＃tag; not #1, a#b, url/#frag)."""
    return len(_HASHTAG.findall(text))
