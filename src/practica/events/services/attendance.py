"""Attendance: checking people in (by an organizer, by themselves with the event's code, from an
online meeting's attendee list), walk-ins, and closing the attendance (hosts and speakers).

Locks, in the order registration takes them so writers never deadlock: the EventSeats row of
the registration's mode (`select_for_update`), then the Registration row. Check-in is not a
hot path, so even a plain check-in takes both: an offered seat may be confirmed or expired by
registration at the same moment. On SQLite `select_for_update` is a no-op and IMMEDIATE
transactions serialise writers.

A checked-in registration is REGISTERED with `checked_in_at` set (and counts in
`EventSeats.taken`). Someone admitted without a seat (a walk-in, a waitlisted or cancelled
registrant, a member found in the meeting's list) takes one. When the mode is full, an
organizer's admission raises the capacity by one — the room evidently held them — so
`taken <= capacity` stays true; a self check-in never does, it asks for an organizer instead.
ATTENDED is recorded once per person and event, at the first check-in. An organizer giving
someone a seat at the door is audited (`events.walk_in_admitted`); an import is audited once.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.core.models import Activity, ActivityKind
from practica.core.services import record_activity, record_audit
from practica.events.attendee_lists import AttendeeRow, read_attendee_list
from practica.events.models import (
    CheckInMethod,
    Event,
    EventHost,
    EventSeats,
    EventStatus,
    Registration,
    RegistrationStatus,
    SeatMode,
    SpeakerRole,
)
from practica.events.permissions import can_manage_event, can_view_event
from practica.events.services.group_events import group_activity_data
from practica.people.models import User

# Check-in opens this long before the start (doors open, people arrive early).
CHECK_IN_OPENS_BEFORE = timedelta(hours=1)
# How many unknown emails and bad rows an import report lists (it counts them all).
REPORT_LIMIT = 200


@dataclass
class AttendeeImport:
    """What an attendee-list import did, for the organizer's report."""

    rows: int = 0
    checked_in: list[str] = field(default_factory=list)
    admitted: list[str] = field(default_factory=list)
    already_checked_in: int = 0
    hosts: int = 0
    not_attended: int = 0
    duplicates: int = 0
    unknown_emails: list[str] = field(default_factory=list)
    unknown_count: int = 0
    bad_rows: list[tuple[int, str]] = field(default_factory=list)
    bad_count: int = 0
    capacity_raised: int = 0
    email_column: str = ""

    @property
    def matched(self) -> int:
        return len(self.checked_in) + len(self.admitted) + self.already_checked_in + self.hosts


@dataclass
class AttendanceClosed:
    hosted: int
    presented: int


# --- shared rules ---------------------------------------------------------------------------


def check_in_opens_at(event: Event) -> datetime:
    return event.starts_at - CHECK_IN_OPENS_BEFORE


def _check_open(event: Event, now: datetime) -> None:
    if event.status == EventStatus.DRAFT:
        raise ValidationError(_("This event is a draft: publish it before checking people in."))
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("This event was cancelled: nobody can check in."))
    if now < check_in_opens_at(event):
        raise ValidationError(
            _("Check-in opens an hour before the event starts, at %(time)s UTC.")
            % {"time": check_in_opens_at(event).strftime("%Y-%m-%d %H:%M")}
        )


def _require_manager(actor: User, event: Event) -> None:
    if not can_manage_event(actor, event):
        raise PermissionDenied(_("Only the event's organizers and hosts can check people in."))


def _default_mode(event: Event, preferred: str) -> str:
    modes = event.seat_modes
    return preferred if preferred in modes else modes[0]


def _lock_seats(event: Event, mode: str) -> EventSeats:
    """The seat row of the mode, locked; created unlimited if the event has none for it."""
    seats = EventSeats.objects.select_for_update().filter(event=event, mode=mode).first()
    if seats is None:
        seats, _created = EventSeats.objects.get_or_create(event=event, mode=mode)
        seats = EventSeats.objects.select_for_update().get(pk=seats.pk)
    return seats


def _attended_at(event: Event, now: datetime) -> datetime:
    """Attendance counts on the event's day even when recorded afterwards (an import)."""
    return min(now, event.ends_at)


def _mark_attended(registration: Registration, *, method: str, now: datetime) -> None:
    registration.checked_in_at = now
    registration.check_in_method = method
    registration.save(update_fields=["status", "checked_in_at", "check_in_method", "mode"])
    event = registration.event
    record_activity(
        kind=ActivityKind.ATTENDED,
        person_id=registration.person_id,
        community_id=event.community_id,
        subject=event,
        occurred_at=_attended_at(event, now),
        data={"method": method, **group_activity_data(event)},
    )


def _admit(
    *,
    event: Event,
    person: User,
    mode: str,
    method: str,
    now: datetime,
    actor: User | None,
    may_raise_capacity: bool,
    require_seat: bool = False,
) -> tuple[Registration, bool, bool]:
    """Check `person` in, giving them a seat of `mode` if they hold none (unless `require_seat`).

    Call inside a transaction. Returns (registration, newly checked in, capacity raised).
    Takes the seats row locks it needs (in mode order), then the person's registration row.
    """
    for _attempt in range(3):
        before = Registration.objects.filter(event=event, person=person).first()
        state = (before.mode, before.status) if before else None
        if before is not None and before.holds_seat:
            mode = before.mode  # they keep the seat they hold
        lock_modes = {mode}
        if before is not None and before.status == RegistrationStatus.WAITLISTED:
            lock_modes.add(before.mode)
        locked = {name: _lock_seats(event, name) for name in sorted(lock_modes)}
        registration = (
            Registration.objects.select_for_update().filter(event=event, person=person).first()
        )
        if ((registration.mode, registration.status) if registration else None) == state:
            break
    else:
        raise ValidationError(_("The registration changed meanwhile; please try again."))

    if registration is not None and registration.checked_in_at is not None:
        return registration, False, False
    if registration is not None and registration.holds_seat:
        registration.status = RegistrationStatus.REGISTERED
        registration.offered_at = registration.offer_expires_at = None
        registration.save(update_fields=["status", "offered_at", "offer_expires_at"])
        _mark_attended(registration, method=method, now=now)
        return registration, True, False

    # No seat held: take one.
    if require_seat:
        raise ValidationError(
            _("%(name)s holds no seat (%(status)s): admit them as a walk-in instead.")
            % {
                "name": person,
                "status": (
                    registration.get_status_display() if registration else _("not registered")
                ),
            }
        )
    seats = locked[mode]
    raised = False
    if seats.capacity is not None and seats.taken >= seats.capacity:
        if not may_raise_capacity:
            raise ValidationError(
                _("All seats are taken and you are not registered: please ask an organizer.")
            )
        seats.capacity = seats.taken + 1
        raised = True
    seats.taken += 1
    seats.save(update_fields=["taken", "capacity"])
    if registration is not None and registration.status == RegistrationStatus.WAITLISTED:
        EventSeats.objects.filter(pk=locked[registration.mode].pk, waitlisted__gt=0).update(
            waitlisted=F("waitlisted") - 1
        )
    if registration is None:
        registration = Registration(event=event, person=person, registered_at=now)
    registration.mode = mode
    registration.status = RegistrationStatus.REGISTERED
    registration.waitlist_position = None
    registration.offered_at = registration.offer_expires_at = None
    registration.cancelled_at = None
    registration.save()
    _mark_attended(registration, method=method, now=now)
    # An organizer giving someone a seat at the door is audited (an import audits once, whole).
    if actor is not None and method != CheckInMethod.IMPORT:
        record_audit(
            actor_id=actor.pk,
            action="events.walk_in_admitted",
            target=registration,
            community_id=event.community_id,
            data={"mode": mode, "capacity_raised_to": seats.capacity if raised else None},
        )
    return registration, True, raised


# --- services ---------------------------------------------------------------------------------


def check_in(
    *, registration: Registration, actor: User, method: str = CheckInMethod.ORGANIZER
) -> Registration:
    """An organizer checks in a registrant who holds a seat (registered or offered).

    Idempotent: checking in twice changes nothing. A waitlisted or cancelled registrant holds
    no seat: admit them with `record_walk_in`. Records ATTENDED at the first check-in.
    Locks: the seats row of the registration's mode, then the registration row.
    """
    event = registration.event
    _require_manager(actor, event)
    if method not in (CheckInMethod.ORGANIZER, CheckInMethod.IMPORT):
        raise ValidationError({"method": _("Choose a check-in by an organizer or by import.")})
    now = timezone.now()
    _check_open(event, now)
    with transaction.atomic():
        admitted, _new, _raised = _admit(
            event=event,
            person=registration.person,
            mode=registration.mode,
            method=method,
            now=now,
            actor=actor,
            may_raise_capacity=False,
            require_seat=True,
        )
    return admitted


def normalize_code(code: str) -> str:
    return "".join(ch for ch in str(code or "").upper() if ch.isalnum())


def self_check_in(*, event: Event, person: User, code: str) -> Registration:
    """A member checks themselves in by typing the code shown at the event.

    Open from an hour before the start until the end. A registrant holding a seat is checked in;
    someone without one gets a free seat if there is one (never beyond the capacity: then an
    organizer decides). A wrong code changes nothing. Locks as `record_walk_in`.
    """
    if not can_view_event(person, event) or not person.is_active:
        raise PermissionDenied(_("You cannot check in to this event."))
    now = timezone.now()
    _check_open(event, now)
    if now > event.ends_at:
        raise ValidationError(_("This event has ended: self check-in is closed."))
    given = normalize_code(code)
    if not given:
        raise ValidationError({"code": _("Enter the check-in code shown at the event.")})
    if not secrets.compare_digest(given, normalize_code(event.check_in_code)):
        raise ValidationError({"code": _("That is not this event's check-in code.")})
    with transaction.atomic():
        registration, _new, _raised = _admit(
            event=event,
            person=person,
            mode=_default_mode(event, SeatMode.IN_PERSON),
            method=CheckInMethod.SELF,
            now=now,
            actor=None,
            may_raise_capacity=False,
        )
    return registration


def record_walk_in(
    *, event: Event, person: User, actor: User, mode: str | None = None
) -> Registration:
    """An organizer admits someone at the door, registered or not.

    Someone holding a seat is simply checked in; anyone else gets a REGISTERED row with check-in
    method `walk_in` and a seat of `mode` (in person by default where the event has it), the
    capacity raised by one if the mode was full. Idempotent.
    Locks: the seats row of the mode (and of a waitlisted registration's mode), then the
    person's registration row.
    """
    _require_manager(actor, event)
    if mode is not None and mode not in event.seat_modes:
        raise ValidationError({"mode": _("This event has no seats of that kind.")})
    if not person.is_active:
        raise ValidationError(_("%(name)s's account is deactivated.") % {"name": person})
    now = timezone.now()
    _check_open(event, now)
    with transaction.atomic():
        registration, _new, _raised = _admit(
            event=event,
            person=person,
            mode=mode or _default_mode(event, SeatMode.IN_PERSON),
            method=CheckInMethod.WALK_IN,
            now=now,
            actor=actor,
            may_raise_capacity=True,
        )
    return registration


def import_attendees_csv(*, event: Event, actor: User, csv_text: str) -> AttendeeImport:
    """Check in everyone an online meeting's attendee list (CSV from Zoom, Teams, Meet…) names.

    The email column is found by its header (Email, Email Address, Attendee Email, …) wherever
    the header row is; rows the meeting marks as not attended are skipped. Members holding a
    seat are checked in; members without one are admitted (their seat taken like a walk-in's,
    online where the event has online seats); the event's hosts are left to `close_attendance`.
    Unknown emails and unreadable rows are reported, never fatal. One transaction; locks the
    seats row of each mode as members are admitted, then their registration rows.
    """
    _require_manager(actor, event)
    now = timezone.now()
    _check_open(event, now)
    parsed = read_attendee_list(csv_text)  # raises ValidationError on an unusable file
    report = AttendeeImport(rows=parsed.rows, email_column=parsed.email_column)
    report.not_attended = parsed.not_attended
    report.bad_count = len(parsed.bad_rows)
    report.bad_rows = parsed.bad_rows[:REPORT_LIMIT]
    wanted: dict[str, AttendeeRow] = {}
    for row in parsed.attendees:
        if row.email in wanted:
            report.duplicates += 1
        else:
            wanted[row.email] = row
    people = {user.email.lower(): user for user in User.objects.filter(email__in=list(wanted))}
    unknown = [email for email in wanted if email not in people]
    report.unknown_count = len(unknown)
    report.unknown_emails = unknown[:REPORT_LIMIT]
    host_ids = set(
        EventHost.objects.filter(event=event, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    mode = _default_mode(event, SeatMode.ONLINE)
    with transaction.atomic():
        for email in sorted(email for email in wanted if email in people):
            person = people[email]
            if person.pk in host_ids:
                report.hosts += 1
                continue
            held = (
                Registration.objects.filter(event=event, person=person)
                .values_list("status", "checked_in_at")
                .first()
            )
            _registration, newly, raised = _admit(
                event=event,
                person=person,
                mode=mode,
                method=CheckInMethod.IMPORT,
                now=now,
                actor=actor,
                may_raise_capacity=True,
            )
            if not newly:
                report.already_checked_in += 1
            elif held is not None and held[0] in (
                RegistrationStatus.REGISTERED,
                RegistrationStatus.OFFERED,
            ):
                report.checked_in.append(email)
            else:
                report.admitted.append(email)
            report.capacity_raised += int(raised)
        record_audit(
            actor_id=actor.pk,
            action="events.attendees_imported",
            target=event,
            community_id=event.community_id,
            data={
                "rows": report.rows,
                "checked_in": len(report.checked_in),
                "admitted": len(report.admitted),
                "unknown": report.unknown_count,
                "bad_rows": report.bad_count,
            },
        )
    return report


def close_attendance(*, event: Event, actor: User) -> AttendanceClosed:
    """Record HOSTED for the event's member hosts and moderators and PRESENTED for its member
    speakers (guests have no ledger). Once the event has started; idempotent — running it again
    records only hosts added since. Locks the event row so two closes do not both record."""
    _require_manager(actor, event)
    if event.status != EventStatus.PUBLISHED:
        raise ValidationError(_("Only a published event that took place can be closed."))
    now = timezone.now()
    if now < event.starts_at:
        raise ValidationError(_("The event has not started yet."))
    hosted = presented = 0
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()
        recorded: set[tuple[str, int]] = set(
            Activity.objects.filter(
                kind__in=[ActivityKind.HOSTED, ActivityKind.PRESENTED],
                subject_type__model="event",
                subject_type__app_label="events",
                subject_id=event.pk,
            ).values_list("kind", "person_id")
        )
        hosts = EventHost.objects.filter(event=event, person__isnull=False).order_by("position")
        for person_id, role in hosts.values_list("person_id", "role"):
            kind = ActivityKind.PRESENTED if role == SpeakerRole.SPEAKER else ActivityKind.HOSTED
            if person_id is None or (kind, person_id) in recorded:
                continue
            recorded.add((kind, person_id))
            record_activity(
                kind=kind,
                person_id=person_id,
                community_id=event.community_id,
                subject=event,
                occurred_at=event.starts_at,
                data={"role": role, **group_activity_data(event)},
            )
            if kind == ActivityKind.PRESENTED:
                presented += 1
            else:
                hosted += 1
        record_audit(
            actor_id=actor.pk,
            action="events.attendance_closed",
            target=event,
            community_id=event.community_id,
            data={"hosted": hosted, "presented": presented},
        )
    return AttendanceClosed(hosted=hosted, presented=presented)
