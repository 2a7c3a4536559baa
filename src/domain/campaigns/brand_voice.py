"""Brand voice and UTM defaults: the campaign's value objects.

Stored in events as plain dicts (JSON-safe); these helpers validate and normalise them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from domain.shared.errors import InvalidValue

_HASHTAG = re.compile(r"^#?[\w]{1,100}$")
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


@dataclass(frozen=True)
class BrandVoice:
    """How the campaign speaks. Banned words never appear in generated captions."""

    tone: str = ""
    audience: str = ""
    keywords: tuple[str, ...] = ()
    banned_words: tuple[str, ...] = ()
    default_hashtags: tuple[str, ...] = field(default=())

    @classmethod
    def from_dict(cls, data: dict | None) -> "BrandVoice":
        data = dict(data or {})
        unknown = set(data) - {"tone", "audience", "keywords", "banned_words", "default_hashtags"}
        if unknown:
            raise InvalidValue(f"brand_voice.{sorted(unknown)[0]}", "is not a brand voice field")
        tags = []
        for tag in data.get("default_hashtags") or ():
            if not isinstance(tag, str) or not _HASHTAG.match(tag.strip()):
                raise InvalidValue("brand_voice.default_hashtags", f"'{tag}' is not a hashtag (letters, digits, _)")
            tags.append("#" + tag.strip().lstrip("#"))
        voice = cls(
            tone=str(data.get("tone") or "").strip(),
            audience=str(data.get("audience") or "").strip(),
            keywords=_words(data.get("keywords"), "brand_voice.keywords"),
            banned_words=_words(data.get("banned_words"), "brand_voice.banned_words"),
            default_hashtags=tuple(dict.fromkeys(tags)),
        )
        clash = {w.lower() for w in voice.keywords} & {w.lower() for w in voice.banned_words}
        if clash:
            raise InvalidValue("brand_voice.banned_words", f"'{sorted(clash)[0]}' is both a keyword and banned")
        return voice

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def _words(value, field_name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)) or not all(isinstance(w, str) for w in value):
        raise InvalidValue(field_name, "must be a list of words")
    return tuple(dict.fromkeys(w.strip() for w in value if w.strip()))


def utm_defaults(data: dict | None) -> dict[str, str]:
    """UTM parameters added to links per channel; only the five standard keys are allowed."""
    result: dict[str, str] = {}
    for key, value in (data or {}).items():
        if key not in UTM_KEYS:
            raise InvalidValue(f"utm_defaults.{key}", f"must be one of {', '.join(UTM_KEYS)}")
        if not isinstance(value, str) or not value.strip():
            raise InvalidValue(f"utm_defaults.{key}", "must be a non-empty string")
        result[key] = value.strip()
    return result
