"""iCalendar (RFC 5545) for events: invitations in mails, the per-event download and the feeds.

Each event is one VEVENT whose UID is `<event.uid>@<site domain>` and never changes, so a
calendar client updates the entry it already has instead of adding a second one; SEQUENCE is
the event's, raised by the events service on every change clients must see. Times carry the
TZID of the zone the organizer planned in, with a VTIMEZONE for it (UTC events are written in
UTC). Mails carry an iTIP (RFC 5546) METHOD:REQUEST or METHOD:CANCEL addressed to the
recipient as ATTENDEE; feeds and downloads are METHOD:PUBLISH.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from enum import StrEnum
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.events.models import Event, EventMode, EventStatus

PRODID = "-//Practica//Events//EN"
# How often subscribed clients should fetch a feed again (clients treat it as a hint).
FEED_REFRESH = timedelta(hours=1)
ICS_FILENAME = "invite.ics"


class Method(StrEnum):
    PUBLISH = "PUBLISH"
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


class Participation(StrEnum):
    """The recipient's PARTSTAT in an invitation."""

    ACCEPTED = "ACCEPTED"
    TENTATIVE = "TENTATIVE"
    NEEDS_ACTION = "NEEDS-ACTION"
    DECLINED = "DECLINED"


@dataclass(frozen=True)
class CalendarEntry:
    """One event as one reader sees it: with the meeting link only for those who may see it,
    and `tentative` for a place on the waiting list (shown as free time, STATUS:TENTATIVE)."""

    event: Event
    show_online_link: bool = False
    tentative: bool = False


@dataclass(frozen=True)
class Invitee:
    """The ATTENDEE of an invitation mail."""

    email: str
    name: str = ""
    participation: Participation = Participation.ACCEPTED


def site_domain() -> str:
    """The host name of SITE_URL: the right-hand side of every event UID."""
    return urlsplit(settings.SITE_URL).hostname or "practica.invalid"


def event_uid(event: Event) -> str:
    return f"{event.uid}@{site_domain()}"


def event_url(event: Event) -> str:
    """The event's page, absolute."""
    return f"{settings.SITE_URL}{reverse('events:detail', kwargs={'pk': event.pk})}"


def event_zone(event: Event) -> ZoneInfo:
    """The zone the organizer planned in; UTC if the stored name is unknown to this system."""
    try:
        return ZoneInfo(event.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def organizer_address() -> str:
    """The site's sender address: ORGANIZER needs a mail address, and replies go nowhere else."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or f"practica@{site_domain()}"


def build_calendar(
    entries: Iterable[CalendarEntry],
    *,
    method: Method = Method.PUBLISH,
    name: str = "",
    invitee: Invitee | None = None,
    now: datetime | None = None,
) -> str:
    """The iCalendar text of `entries` (CRLF lines), with a VTIMEZONE for every zone used.

    `name` titles a feed (NAME and X-WR-CALNAME); `invitee` makes it an invitation to that
    person (ATTENDEE with their PARTSTAT). Texts are in the active language.
    """
    stamp = (now or timezone.now()).astimezone(UTC).replace(microsecond=0)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", str(method))
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
    if method == Method.PUBLISH:
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", FEED_REFRESH)
    entries = list(entries)
    for entry in entries:
        calendar.add_component(_vevent(entry, method=method, invitee=invitee, stamp=stamp))
    if entries:
        first, last = _span(entries)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical().decode()


def invitation(
    event: Event,
    *,
    invitee: Invitee,
    method: Method = Method.REQUEST,
    show_online_link: bool = False,
    tentative: bool = False,
) -> tuple[str, str, str]:
    """An invitation attachment for one recipient: (filename, ics text, mimetype)."""
    entry = CalendarEntry(event=event, show_online_link=show_online_link, tentative=tentative)
    content = build_calendar([entry], method=method, invitee=invitee)
    return ICS_FILENAME, content, f"text/calendar; method={method}"


def _span(entries: Sequence[CalendarEntry]) -> tuple[date, date]:
    """Dates safely around every event, so each VTIMEZONE covers the transitions in use."""
    first = min(entry.event.starts_at for entry in entries)
    last = max(entry.event.ends_at for entry in entries)
    return (first - timedelta(days=366)).date(), (last + timedelta(days=366)).date()


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """The moment in the event's zone, or in UTC (written with Z) for UTC events."""
    if zone.key == "UTC":
        return moment.astimezone(UTC)
    return moment.astimezone(zone)


def _status(entry: CalendarEntry, method: Method) -> str:
    if method == Method.CANCEL or entry.event.status == EventStatus.CANCELLED:
        return "CANCELLED"
    if entry.tentative or entry.event.status == EventStatus.DRAFT:
        return "TENTATIVE"
    return "CONFIRMED"


def _vevent(
    entry: CalendarEntry, *, method: Method, invitee: Invitee | None, stamp: datetime
) -> icalendar.Event:
    event = entry.event
    zone = event_zone(event)
    status = _status(entry, method)
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", stamp)
    vevent.add("created", event.created_at.astimezone(UTC).replace(microsecond=0))
    vevent.add("last-modified", event.updated_at.astimezone(UTC).replace(microsecond=0))
    vevent.add("dtstart", _local(event.starts_at, zone))
    vevent.add("dtend", _local(event.ends_at, zone))
    summary = event.title
    if status == "CANCELLED":
        # Some clients ignore STATUS in subscribed calendars; the title still says it.
        summary = _("Cancelled: %(title)s") % {"title": event.title}
    vevent.add("summary", summary)
    vevent.add("description", _description(entry, status))
    location = _location(entry)
    if location:
        vevent.add("location", location)
    vevent.add("url", event_url(event))
    vevent.add("status", status)
    vevent.add("transp", "TRANSPARENT" if entry.tentative or status == "CANCELLED" else "OPAQUE")
    vevent.add("class", "PUBLIC")
    vevent.add(
        "organizer", f"mailto:{organizer_address()}", parameters={"CN": event.community.name}
    )
    categories = [event.get_format_display(), *(topic.name for topic in event.topics.all())]
    vevent.add("categories", categories)
    if invitee is not None:
        vevent.add(
            "attendee",
            f"mailto:{invitee.email}",
            parameters={
                "CN": invitee.name or invitee.email,
                "CUTYPE": "INDIVIDUAL",
                "ROLE": "REQ-PARTICIPANT",
                "PARTSTAT": str(invitee.participation),
                # Replies would go to the site's sender address, which reads no mail.
                "RSVP": "FALSE",
            },
        )
    return vevent


def _venue(event: Event) -> str:
    parts = (event.venue_room, event.venue_building, event.venue_city)
    return ", ".join(part.strip() for part in parts if part and part.strip())


def _location(entry: CalendarEntry) -> str:
    event = entry.event
    online = (entry.show_online_link and event.online_url) or _("Online")
    if event.mode == EventMode.ONLINE:
        return online
    venue = _venue(event)
    if event.mode == EventMode.HYBRID:
        return " · ".join(part for part in (venue, online) if part)
    return venue


def _hosts_line(event: Event) -> str:
    names = []
    for host in event.hosts.all():
        if host.person is not None:
            names.append(host.person.display_name or host.person.email)
        elif host.guest_affiliation:
            names.append(f"{host.guest_name} ({host.guest_affiliation})")
        else:
            names.append(host.guest_name)
    return ", ".join(names)


def _description(entry: CalendarEntry, status: str) -> str:
    event = entry.event
    lines: list[str] = []
    if status == "CANCELLED":
        lines.append(_("This event is cancelled."))
        if event.cancellation_reason:
            lines.append(event.cancellation_reason)
        lines.append("")
    elif entry.tentative:
        lines += [_("You are on the waiting list for this event."), ""]
    hosts = _hosts_line(event)
    if hosts:
        lines.append(_("Hosts and speakers: %(names)s") % {"names": hosts})
    lines.append(_("Hosted by %(community)s") % {"community": event.community.name})
    if event.mode != EventMode.IN_PERSON and status != "CANCELLED":
        if entry.show_online_link and event.online_url:
            lines.append(_("Join online: %(url)s") % {"url": event.online_url})
        else:
            lines.append(_("The online link is shown to registered participants."))
    lines.append(_("Details: %(url)s") % {"url": event_url(event)})
    if event.description.strip():
        lines += ["", event.description.strip()]
    return "\n".join(lines)
