"""Initials avatars: no images to upload, store or leak; a stable colour per person."""

import unicodedata
from typing import Any

from django import template

register = template.Library()

AVATAR_HUES = 8


@register.filter
def initials(person: Any) -> str:
    """Up to two initials from the display name (or the email), e.g. "Ada Lovelace" → "AL"."""
    name = (getattr(person, "display_name", "") or "").strip()
    if not name:
        return (getattr(person, "email", "") or "?")[:1].upper()
    words = name.split()
    first = words[0][:1]
    # Scripts without letter case (Chinese, …) write names unspaced; one character is the norm.
    if len(words) == 1 or unicodedata.category(first) == "Lo":
        return first.upper()
    return (first + words[-1][:1]).upper()


@register.filter
def avatar_hue(person: Any) -> int:
    """One of the design system's avatar colours, fixed for a person."""
    key = getattr(person, "pk", None)
    if key is None:
        key = sum(map(ord, getattr(person, "display_name", "") or ""))
    return int(key) % AVATAR_HUES
