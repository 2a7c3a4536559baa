"""Links in captions: finding them, tagging them with UTM parameters.

- A link in a caption is an http(s) address up to the next whitespace; captions never
  cut one in the middle, and banned words inside one are not the caption's words.
- ``add_utm`` adds parameters but never overwrites or reorders those the link has.
- ``campaign_utm``: a campaign's links carry utm_source = the platform, utm_medium =
  "social" and utm_campaign = the campaign's name, unless its UTM defaults say otherwise.
- ``tag_link`` and ``has_link`` match the link exactly, as a whole: not as the start
  of a longer address (``.../a`` is not in ``.../abc``), trailing punctuation allowed.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import regex

from domain.shared.errors import InvalidValue

_URL = regex.compile(r"https?://\S+", regex.IGNORECASE)


def url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every http(s) link in ``text``."""
    return [m.span() for m in _URL.finditer(text)]


def add_utm(url: str, params: dict[str, str]) -> str:
    """``url`` with each of ``params`` it does not already have appended to its query."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InvalidValue("link", f"'{url}' is not an http(s) address such as https://example.com/page")
    present = {key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    extra = [(key, value) for key, value in params.items() if key not in present]
    if not extra:
        return url
    query = "&".join(q for q in (parts.query, urlencode(extra)) if q)
    return urlunsplit(parts._replace(query=query))


def campaign_utm(platform: str, campaign_name: str, defaults: dict[str, str]) -> dict[str, str]:
    """The UTM parameters of a campaign's link on one platform."""
    slug = regex.sub(r"[^\w]+", "-", campaign_name.lower()).strip("-") or "campaign"
    return {"utm_source": platform, "utm_medium": "social", "utm_campaign": slug, **defaults}


def _link_pattern(link: str) -> regex.Pattern[str]:
    # Whole link only: after start/space/opening bracket or quote, and followed by
    # optional sentence punctuation then space/closing bracket/quote/end.
    return regex.compile(
        r"(?<![^\s(\[{<\"'«“‘])" + regex.escape(link) + r"(?=[.,;:!?]*(?:[\s)\]}>\"'»”’]|$))"
    )


def has_link(text: str, link: str) -> bool:
    """Whether ``text`` holds ``link`` as a whole link."""
    return _link_pattern(link).search(text) is not None


def tag_link(text: str, link: str, tagged: str) -> str:
    """``text`` with every whole occurrence of ``link`` replaced by ``tagged``."""
    if not link or link == tagged:
        return text
    return _link_pattern(link).sub(lambda _: tagged, text)
