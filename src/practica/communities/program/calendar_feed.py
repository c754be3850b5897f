"""The program calendar as iCalendar (RFC 5545), for a download or a calendar client.

Each entry is one VEVENT whose UID is `<source>-<id>@<site domain>`, so a client that imported
it once updates the entry instead of adding a second one (an event's UID differs from the one
in the event's own invitation: this feed is a separate calendar). Times are in UTC.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.communities.program.calendar_queries import ProgramCalendar, ProgramEntry

PRODID = "-//Practica//Program calendar//EN"
# How often subscribed clients should fetch the calendar again (a hint to them).
REFRESH = timedelta(hours=6)


def _site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "practica.invalid"


def _absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{settings.SITE_URL}{url}"


def _description(item: ProgramEntry) -> str:
    hosts = ", ".join(host.name for host in item.hosts)
    lines = [_("Hosted by %(hosts)s.") % {"hosts": hosts}]
    if item.entry.kind_label:
        lines.append(str(item.entry.kind_label))
    if item.is_clash:
        others = ", ".join(sorted({other.host.name for other in item.clashes_with}))
        lines.append(_("Clashes with an entry of %(communities)s.") % {"communities": others})
    return "\n".join(lines)


def _vevent(item: ProgramEntry, stamp: datetime) -> icalendar.Event:
    entry = item.entry
    vevent = icalendar.Event()
    vevent.add("uid", f"{entry.source}-{entry.object_id}@{_site_domain()}")
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", entry.starts_at.astimezone(UTC))
    vevent.add("dtend", entry.ends_at.astimezone(UTC))
    vevent.add("summary", entry.title)
    vevent.add("description", _description(item))
    if entry.location:
        vevent.add("location", entry.location)
    url = _absolute(entry.url)
    if url:
        vevent.add("url", url)
    categories = [host.name for host in item.hosts]
    if entry.kind_label:
        categories.insert(0, str(entry.kind_label))
    vevent.add("categories", categories)
    vevent.add("class", "PUBLIC")
    return vevent


def program_calendar_ics(calendar: ProgramCalendar, *, now: datetime | None = None) -> str:
    """The iCalendar text (CRLF lines) of the calendar's entries, named after the program."""
    stamp = (now or timezone.now()).astimezone(UTC).replace(microsecond=0)
    feed = icalendar.Calendar()
    feed.add("prodid", PRODID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    name = calendar.program.name
    if calendar.community is not None:
        name = f"{name} · {calendar.community.name}"
    feed.add("name", name)
    feed.add("x-wr-calname", name)
    feed.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    feed.add("x-published-ttl", REFRESH)
    for item in calendar.entries:
        feed.add_component(_vevent(item, stamp))
    return feed.to_ical().decode()
