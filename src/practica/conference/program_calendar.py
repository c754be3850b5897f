"""iCalendar (RFC 5545) for the program: one session's .ics and a member's agenda.

Built the way `events.calendar` builds events' (and with its site domain and organizer
address): each slot is one VEVENT whose UID is `<slot.uid>@<site domain>` and never changes,
and whose SEQUENCE is the slot's, raised on every move, so a calendar client that has the
entry replaces it. Times carry the TZID of the edition's zone with a VTIMEZONE for it (UTC
editions are written in UTC). Downloads are METHOD:PUBLISH.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.conference.models import Edition, ProgramSlot
from practica.conference.queries.editions import edition_zone
from practica.conference.queries.program import (
    slot_place,
    slot_speakers,
    slot_title,
)
from practica.events.calendar import organizer_address, site_domain

PRODID = "-//Practica//Conference program//EN"


def slot_uid(slot: ProgramSlot) -> str:
    return f"{slot.uid}@{site_domain()}"


def program_url(edition: Edition) -> str:
    """The published program's page, absolute."""
    return f"{settings.SITE_URL}{reverse('conference:program', args=[edition.pk])}"


def _local(moment: datetime, edition: Edition) -> datetime:
    zone = edition_zone(edition)
    if zone.key == "UTC":
        return moment.astimezone(UTC)
    return moment.astimezone(zone)


def _description(slot: ProgramSlot, edition: Edition) -> str:
    lines: list[str] = []
    names = [person.display_name or person.email for person in slot_speakers(slot)]
    if names:
        lines.append(_("Speakers: %(names)s") % {"names": ", ".join(names)})
    if slot.track_id is not None and slot.track is not None:
        lines.append(_("Track: %(track)s") % {"track": slot.track.name})
    if slot.proposal_id is not None and slot.proposal is not None:
        lines.append(_("Format: %(format)s") % {"format": slot.proposal.format.name})
    lines.append(_("Room: %(room)s") % {"room": slot_place(slot)})
    lines.append(_("Program: %(url)s") % {"url": program_url(edition)})
    if slot.proposal_id is not None and slot.proposal is not None:
        lines += ["", slot.proposal.abstract.strip()]
    return "\n".join(lines)


def _vevent(slot: ProgramSlot, edition: Edition, stamp: datetime) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", slot_uid(slot))
    vevent.add("sequence", slot.sequence)
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", _local(slot.starts_at, edition))
    vevent.add("dtend", _local(slot.ends_at, edition))
    vevent.add("summary", slot_title(slot))
    vevent.add("location", slot_place(slot))
    vevent.add("description", _description(slot, edition))
    vevent.add("url", program_url(edition))
    published = edition.program_published_at is not None
    vevent.add("status", "CONFIRMED" if published else "TENTATIVE")
    vevent.add("transp", "OPAQUE")
    vevent.add("class", "PUBLIC")
    vevent.add(
        "organizer", f"mailto:{organizer_address()}", parameters={"CN": edition.community.name}
    )
    categories = [edition.name, str(slot.get_kind_display())]
    if slot.track_id is not None and slot.track is not None:
        categories.append(slot.track.name)
    vevent.add("categories", categories)
    return vevent


def _span(slots: Sequence[ProgramSlot]) -> tuple[date, date]:
    first = min(slot.starts_at for slot in slots)
    last = max(slot.ends_at for slot in slots)
    return (first - timedelta(days=366)).date(), (last + timedelta(days=366)).date()


def program_calendar(
    edition: Edition,
    slots: Iterable[ProgramSlot],
    *,
    name: str = "",
    now: datetime | None = None,
) -> str:
    """The iCalendar text of `slots` of `edition` (CRLF lines), with the edition's VTIMEZONE.

    `name` titles the calendar (NAME and X-WR-CALNAME). Texts are in the active language.
    """
    stamp = (now or timezone.now()).astimezone(UTC).replace(microsecond=0)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
    slots = list(slots)
    for slot in slots:
        calendar.add_component(_vevent(slot, edition, stamp))
    if slots:
        first, last = _span(slots)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical().decode()
