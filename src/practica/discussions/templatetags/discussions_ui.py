"""Template helpers of the Q&A screens: durations in words, badges, time left to respond."""

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from practica.discussions.models.moderation import moderation_reason_text

register = template.Library()

STATE_BADGES = {
    "open": "badge-info",
    "answered": "badge-accent",
    "accepted": "badge-success",
    "closed": "badge-neutral",
}


@register.filter
def minutes_words(minutes: int | None) -> str:
    """60 → "1 hour", 90 → "90 minutes", 1440 → "1 day" (a response target)."""
    minutes = int(minutes or 0)
    if minutes and minutes % 1440 == 0:
        days = minutes // 1440
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


@register.filter
def seconds_words(seconds: int | float | None) -> str:
    """A measured duration, rounded to the unit that reads best: "40 seconds", "12 minutes",
    "3 hours", "2 days"."""
    if seconds is None:
        return ""
    seconds = max(int(seconds), 0)
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = round(seconds / 60)
    if minutes < 90:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = round(seconds / 3600)
    if hours < 48:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    days = round(seconds / 86400)
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


@register.filter
def time_left(respond_by: datetime | None) -> str:
    """ "25 minutes left" or "overdue by 2 hours" against a question's respond-by time."""
    if respond_by is None:
        return ""
    delta = (respond_by - timezone.now()).total_seconds()
    if delta >= 0:
        return _("%(time)s left") % {"time": seconds_words(delta)}
    return _("overdue by %(time)s") % {"time": seconds_words(-delta)}


@register.filter
def is_overdue(respond_by: datetime | None) -> bool:
    return respond_by is not None and respond_by < timezone.now()


@register.filter
def state_badge(state: str) -> str:
    return STATE_BADGES.get(state, "badge-neutral")


@register.filter
def moderation_reason(data: Any) -> str:
    """Why a MODERATION notification's post was hidden (its `data`), in the active language."""
    if not isinstance(data, dict):
        return ""
    return moderation_reason_text(
        reason=data.get("reason") or "", flag_reasons=data.get("flag_reasons") or []
    )


@register.filter
def reason_items(reasons: Any) -> list[str]:
    """RoutedExpert.reasons as short readable lines, whatever shape routing stored."""
    if not reasons:
        return []
    if isinstance(reasons, str):
        return [reasons]
    if isinstance(reasons, list | tuple):
        return [str(item) for item in reasons]
    if isinstance(reasons, dict):
        from practica.discussions.routing import describe_reasons

        try:
            described = describe_reasons(reasons) or reasons.get("summary")
        except (KeyError, TypeError, AttributeError, ValueError):
            described = reasons.get("summary")
        if described:
            return [str(item) for item in described]
        return [f"{key.replace('_', ' ')}: {_format(value)}" for key, value in reasons.items()]
    return [str(reasons)]


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)
