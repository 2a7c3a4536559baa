"""Reading captions out of whatever a model answered.

Tolerant on purpose: endpoints without structured output wrap JSON in code fences, add a
preamble, number their alternatives or quote them. Whatever is read is still checked
against the platform's rules before anyone sees it.
"""

from __future__ import annotations

import json
import re

from adapters.captions.prompts import BRIEF_END, BRIEF_START

_FENCE = re.compile(r"^```[\w-]*\s*|\s*```$")
_SEPARATOR = re.compile(r"^\s*(?:-{3,}|\*{3,}|={3,})\s*$", re.MULTILINE)
_NUMBERED = re.compile(r"^\s*(?:(?:caption|option|alternative|variant)\s*)?\(?\d+[.):]\s+", re.IGNORECASE)
_LABEL = re.compile(r"^\s*(?:caption|option|alternative|variant)\s*\d*\s*:\s*", re.IGNORECASE)
_PREAMBLE = re.compile(r"^(?:sure|here(?:'s| is| are)|okay|certainly)\b[^\n]*:\s*\n", re.IGNORECASE)
_JSON_STRING = re.compile(r'"((?:[^"\\]|\\.)*)(?:"|$)')
_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")
_NUMBERED_BLOCK = re.compile(r"^\s*\d+[.)]\s+", re.MULTILINE)


def captions_from(answer: str | None, *, truncated: bool = False) -> list[str]:
    """The captions in ``answer``: a JSON object or list if there is one, else plain text.

    A ``truncated`` answer (the model ran out of tokens) loses its unfinished last sentence."""
    text = _FENCE.sub("", (answer or "").strip()).strip()
    parsed = _json_captions(text)
    if parsed is not None:
        return parsed
    if text[:1] in "{[":
        return _salvaged(text)
    captions = _plain_captions(text)
    if truncated and captions:
        captions[-1] = _complete_sentences(captions[-1])
    return [c for c in captions if c]


def _salvaged(broken_json: str) -> list[str]:
    """The string values of JSON cut short (keys left out), the last one possibly unterminated."""
    found = []
    for match in _JSON_STRING.finditer(broken_json):
        if not broken_json[match.end():].lstrip().startswith(":"):
            value = match.group(1).replace('\\"', '"').replace("\\n", "\n").strip()
            if value:
                found.append(_clean(value))
    return found


def _complete_sentences(caption: str) -> str:
    ends = [m.end() for m in _SENTENCE_END.finditer(caption)]
    return caption[:ends[-1]].strip() if ends and ends[-1] >= len(caption) * 0.3 else caption


def _json_captions(text: str) -> list[str] | None:
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start < 0:
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(text[start:])
    except json.JSONDecodeError:
        return None
    if isinstance(value, dict):
        value = value.get("captions", value.get("variants", value.get("caption")))
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return None
    found = []
    for item in value:
        if isinstance(item, dict):
            item = item.get("text") or item.get("caption")
        if isinstance(item, str) and item.strip():
            found.append(_clean(item))
    return found or None


def _plain_captions(text: str) -> list[str]:
    text = _PREAMBLE.sub("", text)
    parts = _SEPARATOR.split(text)
    if len(parts) == 1 and len(_NUMBERED_BLOCK.findall(text)) > 1:
        parts = _NUMBERED_BLOCK.split(text)
    return [c for c in (_clean(p) for p in parts) if c]


def _clean(caption: str) -> str:
    caption = caption.replace(BRIEF_START, "").replace(BRIEF_END, "").strip()
    caption = _without_repeats(caption)
    caption = _LABEL.sub("", _NUMBERED.sub("", caption)).strip()
    if len(caption) >= 2 and caption[0] == caption[-1] and caption[0] in "\"'“”":
        caption = caption[1:-1].strip()
    if caption.startswith("“") and caption.endswith("”"):
        caption = caption[1:-1].strip()
    return caption


def _without_repeats(caption: str) -> str:
    """Small models loop: a line already written is dropped, as are the blank lines it leaves."""
    seen: set[str] = set()
    lines = []
    for line in caption.splitlines():
        key = line.strip().lower()
        if key and key in seen:
            continue
        seen.add(key)
        lines.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
