"""A program slot's time as its viewer reads it: the wall clock of their own zone, with the
edition's noted beside it when it differs (`{% slot_when entry %}`). Reuses the events
app's zone helpers, so both read the same."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from practica.events.templatetags.event_times import zone_label, zone_named

register = template.Library()


def _times(starts: datetime, ends: datetime) -> str:
    return f"{starts:%H:%M}–{ends:%H:%M}"


@register.simple_tag
def slot_when(entry: object, with_day: bool = False) -> SafeString:
    """`10:00–10:30` in the viewer's zone (with the day when `with_day`, or when the viewer's
    day is not the edition's), then `(16:00–16:30 in Europe/Berlin)` if the zones differ.

    `entry` has `starts_at`, `ends_at` and the edition's `time_zone` (a `ProgramEntry`).
    """
    starts_at: datetime = entry.starts_at  # type: ignore[attr-defined]
    ends_at: datetime = entry.ends_at  # type: ignore[attr-defined]
    viewer = timezone.get_current_timezone()
    edition_zone = zone_named(entry.time_zone)  # type: ignore[attr-defined]
    mine = (starts_at.astimezone(viewer), ends_at.astimezone(viewer))
    theirs = (starts_at.astimezone(edition_zone), ends_at.astimezone(edition_zone))
    text = _times(*mine)
    if with_day or mine[0].date() != theirs[0].date():
        text = f"{date_format(mine[0], 'D j M')} · {text}"
    shown = format_html('<time datetime="{}">{}</time>', starts_at.isoformat(), text)
    if (
        mine[0].utcoffset() == theirs[0].utcoffset()
        and mine[1].utcoffset() == theirs[1].utcoffset()
    ):
        return shown
    note = _("%(time)s in %(zone)s") % {"time": _times(*theirs), "zone": zone_label(edition_zone)}
    return format_html('{} <span class="program-zone-note">{}</span>', shown, note)
