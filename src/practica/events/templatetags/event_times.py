"""An event's time as its viewer reads it: in their own time zone, with the zone the organizer
planned in noted beside it (`{% event_when event %}`), so "15:00" is never ambiguous."""

from datetime import datetime, tzinfo

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from practica.core.time_zones import zone_named

register = template.Library()


def zone_label(zone: tzinfo) -> str:
    """`Europe/Berlin` rather than the ZoneInfo repr; underscores read as spaces."""
    return str(getattr(zone, "key", zone)).replace("_", " ")


def _day(moment: datetime) -> str:
    return f"{date_format(moment, 'D')}, {date_format(moment, 'DATE_FORMAT')}"


def _span(starts: datetime, ends: datetime, *, with_day: bool = True) -> str:
    """`Wed, May 14, 2025 · 17:00–18:00`, or both days when the event runs past midnight."""
    if starts.date() == ends.date():
        times = f"{starts:%H:%M}–{ends:%H:%M}"
        return f"{_day(starts)} · {times}" if with_day else times
    return f"{_day(starts)} {starts:%H:%M} – {_day(ends)} {ends:%H:%M}"


@register.filter
def in_event_zone(event: object) -> str:
    """`Sun, Nov 29, 2026 · 18:00–19:00` on the wall clock of the event's own zone (the
    `date` filter cannot say it: it always converts to the viewer's zone)."""
    zone = zone_named(event.time_zone)  # type: ignore[attr-defined]
    return _span(event.starts_at.astimezone(zone), event.ends_at.astimezone(zone))  # type: ignore[attr-defined]


@register.filter
def local_day(moment: datetime | None) -> str:
    """`Wed, May 14, 2025` in the viewer's zone."""
    if moment is None:
        return ""
    return _day(timezone.localtime(moment))


@register.simple_tag
def event_when(event: object, compact: bool = False) -> SafeString:
    """The event's start and end in the viewer's zone, and the organizer's zone noted.

    `compact` (lists) gives one line with a short note of the event's zone only when it differs
    from the viewer's; the full form (the event's page) always says both.
    """
    starts_at: datetime = event.starts_at  # type: ignore[attr-defined]
    ends_at: datetime = event.ends_at  # type: ignore[attr-defined]
    viewer_zone = timezone.get_current_timezone()
    event_zone = zone_named(event.time_zone)  # type: ignore[attr-defined]
    mine_start, mine_end = starts_at.astimezone(viewer_zone), ends_at.astimezone(viewer_zone)
    theirs_start, theirs_end = starts_at.astimezone(event_zone), ends_at.astimezone(event_zone)
    same_zone = zone_label(viewer_zone) == zone_label(event_zone) or (
        mine_start.utcoffset() == theirs_start.utcoffset()
        and mine_end.utcoffset() == theirs_end.utcoffset()
    )
    mine = format_html(
        '<time datetime="{}">{}</time>', starts_at.isoformat(), _span(mine_start, mine_end)
    )
    if compact:
        if same_zone:
            return mine
        return format_html(
            '{} <span class="event-zone-note">({})</span>',
            mine,
            _("%(time)s in %(zone)s")
            % {
                "time": _span(theirs_start, theirs_end, with_day=False),
                "zone": zone_label(event_zone),
            },
        )
    if same_zone:
        note = _("%(zone)s — your time zone and the event's") % {"zone": zone_label(event_zone)}
        return format_html(
            '<span class="event-when">{}</span> <span class="event-zone-note">{}</span>', mine, note
        )
    return format_html(
        '<span class="event-when">{}</span> <span class="event-zone-note">{}</span>'
        '<span class="event-origin">{}</span>',
        mine,
        _("your time (%(zone)s)") % {"zone": zone_label(viewer_zone)},
        _("Planned in %(zone)s: %(time)s")
        % {"zone": zone_label(event_zone), "time": _span(theirs_start, theirs_end)},
    )
