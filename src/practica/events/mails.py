"""The mails of events: confirmations, the waiting list, offers, changes, cancellations, reminders.

The events and registration services call these inside their transactions, so a mail is queued
in the outbox exactly when the change it reports is committed. Each mail goes out in the
recipient's language with times in their own time zone (the event's zone noted when it
differs), carries the event as an iCalendar invitation (`invite.ics`, METHOD:REQUEST, or
METHOD:CANCEL when the recipient loses their place), and has an idempotency key naming the
state it reports, so calling twice for the same state queues one mail.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import prefetch_related_objects
from django.utils import formats, timezone, translation
from django.utils.translation import ngettext

from practica.core.outgoing_mail import render_templated_mail
from practica.events.calendar import (
    Invitee,
    Method,
    Participation,
    event_url,
    event_zone,
    invitation,
)
from practica.events.models import Event, EventMode, Registration, RegistrationStatus
from practica.events.queries.events import waitlist_rank

# The reminder kinds, as used in the reminder service and the idempotency keys.
DAY_REMINDER = "day"
HOUR_REMINDER = "hour"


def mail_registration_confirmed(registration: Registration) -> None:
    """The seat is yours: the time, the place, the online link and the invitation."""
    _send_rendered(_confirmation(registration))


def mail_waitlisted(registration: Registration) -> None:
    """You are on the waiting list (with your place in it); a tentative, free-time entry."""
    _send_rendered(_waitlist_notice(registration))


def _confirmation(registration: Registration) -> EmailMultiAlternatives | None:
    return _render(
        registration,
        template="registration_confirmed",
        key=f"registered-{_stamp(registration.registered_at)}-{_stamp(registration.offered_at)}",
    )


def _waitlist_notice(registration: Registration) -> EmailMultiAlternatives | None:
    return _render(
        registration,
        template="waitlisted",
        key=f"waitlisted-{_stamp(registration.registered_at)}",
        participation=Participation.TENTATIVE,
    )


def _send_rendered(message: EmailMultiAlternatives | None) -> None:
    if message is not None:
        message.send()


def mail_seat_offered(registration: Registration) -> None:
    """A seat freed up: confirm it before the offer expires, or it goes to the next person."""
    _send(
        registration,
        template="seat_offered",
        key=f"offered-{_stamp(registration.offered_at)}",
        participation=Participation.NEEDS_ACTION,
    )


def mail_offer_expired(registration: Registration) -> None:
    """The offer lapsed and the seat went on; the invitation is withdrawn (METHOD:CANCEL)."""
    _send(
        registration,
        template="offer_expired",
        key=f"offer-expired-{_stamp(registration.offered_at)}",
        method=Method.CANCEL,
        participation=Participation.DECLINED,
    )


def mail_registration_cancelled(registration: Registration) -> None:
    """Your registration is cancelled (by you or an organizer); the calendar entry goes away."""
    _send(
        registration,
        template="registration_cancelled",
        key=f"cancelled-{_stamp(registration.cancelled_at)}",
        method=Method.CANCEL,
        participation=Participation.DECLINED,
    )


def mail_event_changed(
    event: Event,
    registrations: Iterable[Registration],
    *,
    previous: Mapping[str, Any] | None = None,
) -> None:
    """The event moved (time or place): the new details and an updated invitation.

    Every registration given is told (the caller chooses whom); `previous` may hold the old
    `starts_at`/`ends_at`/venue values to show what was. The key holds the event's SEQUENCE,
    so each change is mailed once.
    """
    with_invitation_details(event)
    for registration in registrations:
        registration.event = event
        _send(
            registration,
            template="event_changed",
            key=f"changed-seq-{event.sequence}",
            participation=_participation(registration),
            extra={"previous": previous or {}},
        )


def mail_event_cancelled(event: Event, registrations: Iterable[Registration]) -> None:
    """The event is cancelled (with the organizers' reason); the invitation is cancelled."""
    with_invitation_details(event)
    for registration in registrations:
        registration.event = event
        _send(
            registration,
            template="event_cancelled",
            key=f"event-cancelled-seq-{event.sequence}",
            method=Method.CANCEL,
        )


def with_invitation_details(event: Event) -> Event:
    """Load once what every invitation of `event` shows (community, hosts, topics), so mailing
    its registrants reads them once, not once per mail."""
    prefetch_related_objects([event], "community", "hosts__person", "topics")
    return event


def mail_reminder(registration: Registration, *, kind: str) -> None:
    """The day-before or hour-before reminder, once per start time."""
    event = registration.event
    _send(
        registration,
        template=f"reminder_{kind}",
        key=f"reminder-{kind}-{_stamp(event.starts_at)}",
        participation=_participation(registration),
    )


def _participation(registration: Registration) -> Participation:
    if registration.status == RegistrationStatus.WAITLISTED:
        return Participation.TENTATIVE
    if registration.status == RegistrationStatus.OFFERED:
        return Participation.NEEDS_ACTION
    return Participation.ACCEPTED


def _duration_text(minutes: int) -> str:
    """ "90 minutes", "24 hours", "2 days" in the active language."""
    if minutes >= 2880 and minutes % 1440 == 0:
        days = minutes // 1440
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if minutes >= 120 and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def _stamp(moment: datetime | None) -> str:
    return moment.strftime("%Y%m%dT%H%M%S%f") if moment else "0"


def _person_zone(person: Any) -> ZoneInfo:
    try:
        return ZoneInfo(getattr(person, "time_zone", "") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _day(moment: datetime) -> str:
    return f"{formats.date_format(moment, 'D')}, {formats.date_format(moment, 'DATE_FORMAT')}"


def when_text(event: Event, zone: ZoneInfo) -> str:
    """ "Thu, June 12, 2031 · 09:30–10:30 (Europe/Berlin)" in the active language, in `zone`
    (the event pages' format: 24-hour times, both days when it runs past midnight)."""
    start = timezone.localtime(event.starts_at, zone)
    end = timezone.localtime(event.ends_at, zone)
    if start.date() == end.date():
        return f"{_day(start)} · {start:%H:%M}–{end:%H:%M} ({zone.key})"
    return f"{_day(start)} {start:%H:%M} – {_day(end)} {end:%H:%M} ({zone.key})"


def _moment_text(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment, zone)
    return f"{_day(local)} · {local:%H:%M} ({zone.key})"


def venue_text(event: Event) -> str:
    parts = (event.venue_room, event.venue_building, event.venue_city)
    return ", ".join(part.strip() for part in parts if part and part.strip())


def _send(
    registration: Registration,
    *,
    template: str,
    key: str,
    method: Method = Method.REQUEST,
    participation: Participation = Participation.ACCEPTED,
    extra: Mapping[str, Any] | None = None,
) -> None:
    _send_rendered(
        _render(
            registration,
            template=template,
            key=key,
            method=method,
            participation=participation,
            extra=extra,
        )
    )


def _render(
    registration: Registration,
    *,
    template: str,
    key: str,
    method: Method = Method.REQUEST,
    participation: Participation = Participation.ACCEPTED,
    extra: Mapping[str, Any] | None = None,
) -> EmailMultiAlternatives | None:
    """The mail to the registration's member, rendered but not sent (None without an address).

    The idempotency key names the event and the person (one registration row per pair), not
    the row's id, so a mail can be rendered before its registration row exists.
    """
    event = registration.event
    person = registration.person
    if not person.email:
        return None
    language = person.preferred_language or None
    zone = _person_zone(person)
    # The seat holders (and those offered one) get the meeting link; the waiting list does not.
    show_link = registration.status in (RegistrationStatus.REGISTERED, RegistrationStatus.OFFERED)
    with translation.override(language or settings.LANGUAGE_CODE), timezone.override(zone):
        attachment = invitation(
            event,
            invitee=Invitee(
                email=person.email,
                name=person.display_name or person.email,
                participation=participation,
            ),
            method=method,
            show_online_link=show_link and method == Method.REQUEST,
            tentative=participation == Participation.TENTATIVE,
        )
        original = event_zone(event)
        previous = dict((extra or {}).get("previous") or {})
        context = {
            "event": event,
            "person": person,
            "registration": registration,
            "event_url": event_url(event),
            "when": when_text(event, zone),
            "when_original": when_text(event, original) if original.key != zone.key else "",
            "venue": venue_text(event),
            "is_online": event.mode != EventMode.IN_PERSON,
            "is_in_person": event.mode != EventMode.ONLINE,
            "online_url": event.online_url if show_link else "",
            "offer_deadline": _moment_text(registration.offer_expires_at, zone),
            "offer_window": _duration_text(event.offer_minutes),
            "waitlist_rank": waitlist_rank(registration),
            "previous_when": _previous_when(event, previous, zone),
            "previous_venue": _previous_venue(event, previous),
            **(extra or {}),
        }
        return render_templated_mail(
            to=person.email,
            template_prefix=f"events/mail/{template}",
            context=context,
            idempotency_key=f"event-{event.pk}-person-{person.pk}-{key}",
            language=language,
            attachments=[attachment],
        )


def _previous_when(event: Event, previous: Mapping[str, Any], zone: ZoneInfo) -> str:
    """The old time, if the caller said what it was and it differs from the new one."""
    starts = previous.get("starts_at") or event.starts_at
    ends = previous.get("ends_at") or event.ends_at
    if starts == event.starts_at and ends == event.ends_at:
        return ""
    return when_text(Event(starts_at=starts, ends_at=ends), zone)


def _previous_venue(event: Event, previous: Mapping[str, Any]) -> str:
    fields = ("venue_room", "venue_building", "venue_city")
    if not any(name in previous for name in fields):
        return ""
    old = Event(**{name: previous.get(name, getattr(event, name)) for name in fields})
    text = venue_text(old)
    return text if text != venue_text(event) else ""
