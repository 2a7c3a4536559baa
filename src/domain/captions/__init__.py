"""Captions: the rules every generated caption passes, and the fallback that makes it pass.

Pure functions over the platform rules of the shared kernel (``domain.shared.platforms``).
"""

from .fallback import Fitted, brief_fallback_text, fit_caption
from .links import add_utm, campaign_utm, has_link, tag_link
from .rules import caption_violations

__all__ = [
    "Fitted",
    "add_utm",
    "brief_fallback_text",
    "campaign_utm",
    "caption_violations",
    "fit_caption",
    "has_link",
    "tag_link",
]
