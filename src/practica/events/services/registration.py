"""Registering for events: seats per mode, the waiting list, offered seats, capacity changes.

No overbooking, under any concurrency. Every step that counts and claims seats runs in one
transaction holding a **row lock on the mode's `EventSeats` row** (`SELECT … FOR UPDATE` on
PostgreSQL at READ COMMITTED; on SQLite the IMMEDIATE transaction already serialises writers,
and `select_for_update` is a no-op). `EventSeats.taken` counts the seats held (registered and
offered) and changes only under that lock, so the check "is a seat free?" is a comparison,
not a count, and the CHECK constraint `seats_never_overbooked` is the last line of defence.
Registration rows for the same person are unique per event, so a double click or a retried
request finds the row it made the first time and returns it (idempotent).

A seat that frees (a cancellation, a declined or expired offer, a larger capacity) is offered
to the first person on that mode's waiting list, who has `Event.offer_minutes` (never past the
start) to confirm; then the offer expires and the next person gets it.
"""

from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.core.models import ActivityKind
from practica.core.row_lookups import instance_by_pk, instance_where
from practica.core.services import record_activity, record_audit
from practica.events import mails
from practica.events.models import (
    Event,
    EventSeats,
    EventStatus,
    Registration,
    RegistrationStatus,
    SeatMode,
)
from practica.events.permissions import can_manage_event
from practica.events.queries.events import ACTIVE_STATUSES
from practica.events.services.group_events import group_activity_data

# An offer shorter than this is pointless: the seat is given outright instead.
MIN_OFFER = timedelta(minutes=5)
# A claim's mail goes out within seconds (one task gathers a burst); the beat sends those a
# lost task left once they are older than NOTICE_GRACE.
NOTICE_GRACE = timedelta(minutes=2)
NOTICE_BATCH = 1000
NOTICE_DELAY_SECONDS = 1
NOTICE_MARK_SECONDS = 30
NOTICE_TASK_MARK = "events:registration-notices-scheduled"
_UNCHANGED: Any = object()
INACTIVE_STATUSES = (RegistrationStatus.CANCELLED, RegistrationStatus.EXPIRED)


class RegistrationRefused(ValidationError):  # noqa: N818 — a refusal, not a fault
    """Registration is not possible; `.code` says why, the message says it to the member.

    Codes: draft, cancelled, not_open, closed, ended, mode, full, inactive, expired, state.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)


def registration_closes_at(event: Event) -> datetime:
    """Registration closes at the set time, else when the event ends (online joiners are late)."""
    return event.registration_closes_at or event.ends_at


def check_registration_open(event: Event, *, mode: str, now: datetime) -> None:
    """Raise `RegistrationRefused` unless `event` takes registrations for `mode` at `now`."""
    if event.status == EventStatus.DRAFT:
        raise RegistrationRefused(_("This event is not published yet."), "draft")
    if event.status == EventStatus.CANCELLED:
        raise RegistrationRefused(_("This event was cancelled."), "cancelled")
    if now >= event.ends_at:
        raise RegistrationRefused(_("This event is over."), "ended")
    if event.registration_opens_at and now < event.registration_opens_at:
        raise RegistrationRefused(
            _("Registration opens at %(when)s UTC.")
            % {"when": f"{event.registration_opens_at:%Y-%m-%d %H:%M}"},
            "not_open",
        )
    if now >= registration_closes_at(event):
        raise RegistrationRefused(_("Registration for this event has closed."), "closed")
    if mode not in event.seat_modes:
        raise RegistrationRefused(
            _("This event has no %(mode)s seats.") % {"mode": SeatMode(mode).label}
            if mode in SeatMode.values
            else _("Choose how you will take part: in person or online."),
            "mode",
        )


def _locked_seats(event: Event, mode: str) -> EventSeats:
    """The mode's seat row, locked until the transaction ends, with the event read fresh.

    Both are read by statements prepared once (`core.row_lookups`): every claim in a rush
    passes here, and compiling the ORM's query cost more than running it.
    """
    seats = instance_where(EventSeats, for_update=True, event_id=event.pk, mode=mode)
    if seats is None:
        raise RegistrationRefused(
            _("This event has no %(mode)s seats.") % {"mode": SeatMode(mode).label}, "mode"
        )
    fresh = instance_by_pk(Event, event.pk)
    if fresh is None:  # deleted since it was read: as good as cancelled
        raise RegistrationRefused(_("This event was cancelled."), "cancelled")
    seats.event = fresh
    return seats


def _check_may_act_for(actor: Any, registration_person_id: int, event: Event) -> None:
    if actor.pk != registration_person_id and not can_manage_event(actor, event):
        raise PermissionDenied(_("Only the member or the event's organizers can do this."))


def register_for_event(
    *, event: Event, person: Any, mode: str | None = None, actor: Any = None
) -> Registration:
    """Give `person` a seat of `mode` at `event`, or a place on that mode's waiting list.

    Idempotent: if `person` already holds a seat, an offer or a waiting-list place, that
    registration is returned unchanged (with `was_created` False); a cancelled or expired one
    is reused. The returned registration has `was_created` True when this call made it active.
    `mode` defaults to the event's first seat mode. `actor` (default `person`) may be an
    organizer registering someone else.

    Locks the mode's `EventSeats` row (see the module docstring) to claim. A mode already full
    (waiting list included) is refused without the lock, from one unlocked statement that
    reads the seats and the person's registration from the same snapshot: if the seats look
    full because the person's own other request (a double click) took the last place, that
    place is in the snapshot too and is returned instead of "full". Refusing never oversells.
    Raises `RegistrationRefused` (draft, cancelled, not open yet, closed, ended, no such mode,
    full, inactive member), `PermissionDenied` for an actor who may not register others.
    """
    actor = actor or person
    mode = mode or event.seat_modes[0]
    if actor.pk != person.pk and not can_manage_event(actor, event):
        raise PermissionDenied(_("Only organizers can register someone else."))
    if not person.is_active:
        raise RegistrationRefused(_("This account is not active."), "inactive")
    seats, existing = _seats_and_place(event, person=person, mode=mode)
    if existing is not None and existing.status in ACTIVE_STATUSES:
        existing.was_created = False
        return existing
    now = timezone.now()
    check_registration_open(event, mode=mode, now=now)
    if seats is not None and _likely_status(seats) is None:
        raise _full()
    try:
        with transaction.atomic():
            seats = _locked_seats(event, mode)
            check_registration_open(seats.event, mode=mode, now=now)
            return _claim_place(seats, person=person, existing=existing, now=now)
    except (IntegrityError, _ClaimedMeanwhile):
        # A double click's other request claimed first (the unique pair, or the reused row's
        # guarded update, let one in): answer with what it made.
        registration = Registration.objects.get(event_id=event.pk, person_id=person.pk)
        registration.was_created = False
        return registration


class _ClaimedMeanwhile(Exception):  # noqa: N818 — control flow, never escapes this module
    """The person's other request (a double click) made them a place first."""


def _seats_and_place(
    event: Event, *, person: Any, mode: str
) -> tuple[EventSeats | None, Registration | None]:
    """The mode's seats and `person`'s registration, unlocked, read by one statement (so from
    one snapshot; see `register_for_event`). The registration row itself is loaded only when
    there is one: a rush's attempts are mostly people without one.

    Every attempt of a rush runs this statement, so it is written out rather than built by the
    ORM, which costs several times the query itself here.
    """
    with connection.cursor() as cursor:
        cursor.execute(_SEATS_AND_PLACE_SQL, [event.pk, person.pk, event.pk, mode])
        row = cursor.fetchone()
    if row is None:
        return None, Registration.objects.filter(event_id=event.pk, person_id=person.pk).first()
    seat_id, capacity, taken, waitlist_limit, waitlisted, registration_id = row
    seats = EventSeats(
        pk=seat_id,
        event_id=event.pk,
        mode=mode,
        capacity=capacity,
        taken=taken,
        waitlist_limit=waitlist_limit,
        waitlisted=waitlisted,
    )
    if registration_id is None:
        return seats, None
    return seats, Registration.objects.filter(pk=registration_id).first()


_SEATS_AND_PLACE_SQL = (
    f"SELECT s.id, s.capacity, s.taken, s.waitlist_limit, s.waitlisted, "  # noqa: S608 — names from _meta
    f"(SELECT r.id FROM {Registration._meta.db_table} r "
    f"WHERE r.event_id = %s AND r.person_id = %s) "
    f"FROM {EventSeats._meta.db_table} s WHERE s.event_id = %s AND s.mode = %s"
)


def _full() -> RegistrationRefused:
    return RegistrationRefused(_("This event is full and its waiting list is full too."), "full")


def _likely_status(seats: EventSeats) -> str | None:
    """What a claim on `seats` gives: a seat, a waiting-list place, or nothing (None)."""
    if seats.capacity is None or seats.taken < seats.capacity:
        return RegistrationStatus.REGISTERED
    if seats.waitlist_limit is None or seats.waitlisted < seats.waitlist_limit:
        return RegistrationStatus.WAITLISTED
    return None


def _claim_place(
    seats: EventSeats,
    *,
    person: Any,
    existing: Registration | None,
    now: datetime,
) -> Registration:
    """Under the seat lock: a seat if one is free, else a waiting-list place, else refuse.

    The confirmation (or waiting-list) mail is left to a worker (`notice_pending`), so the lock
    is held only while rows are written; see `send_registration_notice`.
    """
    event = seats.event
    fields: dict[str, Any] = {
        "mode": seats.mode,
        "registered_at": now,
        "offered_at": None,
        "offer_expires_at": None,
        "cancelled_at": None,
        "waitlist_position": None,
        "notice_pending": True,
    }
    status = _likely_status(seats)
    if status == RegistrationStatus.REGISTERED:
        fields["status"] = RegistrationStatus.REGISTERED
        seats.taken += 1
        EventSeats.objects.filter(pk=seats.pk).update(taken=seats.taken)
    elif status == RegistrationStatus.WAITLISTED:
        fields["status"] = RegistrationStatus.WAITLISTED
        seats.waitlisted += 1
        seats.last_waitlist_position += 1
        fields["waitlist_position"] = seats.last_waitlist_position
        EventSeats.objects.filter(pk=seats.pk).update(
            waitlisted=seats.waitlisted, last_waitlist_position=seats.last_waitlist_position
        )
    elif Registration.objects.filter(
        event_id=event.pk, person_id=person.pk, status__in=ACTIVE_STATUSES
    ).exists():
        raise _ClaimedMeanwhile  # the person's other request took the last place: answer with it
    else:
        raise _full()
    if existing is not None:
        # Guarded: a concurrent request may have made this row active since it was read.
        if not Registration.objects.filter(pk=existing.pk, status__in=INACTIVE_STATUSES).update(
            **fields
        ):
            raise _ClaimedMeanwhile
        for name, value in fields.items():
            setattr(existing, name, value)
        registration = existing
    else:
        registration = Registration.objects.create(event=event, person=person, **fields)
    registration.event = event
    registration.person = person
    registration.was_created = True
    if registration.status == RegistrationStatus.REGISTERED:
        _record_registered(registration, occurred_at=now)
    transaction.on_commit(schedule_registration_notices, robust=True)
    return registration


def schedule_registration_notices() -> None:
    """Have a worker send the claims' pending mails, soon: at most one task is on its way per
    process (a cache key marks it), so a rush of claims costs one broker message, not one each.
    The task clears the mark before it reads, so a claim committed meanwhile schedules anew."""
    if cache.add(NOTICE_TASK_MARK, True, timeout=NOTICE_MARK_SECONDS):
        from practica.events.tasks import send_registration_notices_task

        send_registration_notices_task.apply_async(countdown=NOTICE_DELAY_SECONDS)


def send_registration_notice(*, registration_id: int) -> bool:
    """Send the mail a claim owes its member: the confirmation for a seat, the waiting-list
    notice for a place; nothing for a registration cancelled or changed since (those states
    have their own mail). Returns whether a mail was enqueued.

    Rendering a mail with its invitation costs several times the claim itself, so in a rush it
    happens here, in a worker, not under the seat lock. Nothing is lost: `notice_pending` stays
    set until the mail is in the outbox (same transaction), and the beat sends what a lost task
    left (`send_pending_registration_notices`). Locks the registration row; the outbox key
    makes a second send a no-op.
    """
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("event", "person")
            .filter(pk=registration_id, notice_pending=True)
            .first()
        )
        if registration is None:
            return False
        Registration.objects.filter(pk=registration.pk).update(notice_pending=False)
        if registration.status == RegistrationStatus.REGISTERED:
            mails.mail_registration_confirmed(registration)
        elif registration.status == RegistrationStatus.WAITLISTED:
            mails.mail_waitlisted(registration)
        else:
            return False
    return True


def send_pending_registration_notices(*, older_than: timedelta = timedelta(0)) -> int:
    """Send the mails claims still owe (oldest first, `NOTICE_BATCH` at most); return how many.

    The task scheduled on commit sends them all; the beat passes `older_than` so it only picks
    up what a lost task left (broker down, worker killed), not what a task is about to send.
    """
    cache.delete(NOTICE_TASK_MARK)
    cutoff = timezone.now() - older_than
    pending = Registration.objects.filter(notice_pending=True, registered_at__lte=cutoff)
    sent = 0
    for registration_id in pending.order_by("registered_at").values_list("pk", flat=True)[
        :NOTICE_BATCH
    ]:
        sent += send_registration_notice(registration_id=registration_id)
    return sent


def _record_registered(registration: Registration, *, occurred_at: datetime) -> None:
    record_activity(
        kind=ActivityKind.REGISTERED,
        person_id=registration.person_id,
        community_id=registration.event.community_id,
        subject=registration.event,
        occurred_at=occurred_at,
        data={"mode": registration.mode, **group_activity_data(registration.event)},
    )


def _lock_registration(registration: Registration) -> tuple[EventSeats, Registration]:
    """Lock the registration's seat row, then read the registration fresh (same transaction)."""
    seats = _locked_seats(registration.event, registration.mode)
    fresh = Registration.objects.select_related("person").get(pk=registration.pk)
    fresh.event = seats.event
    return seats, fresh


def _release(seats: EventSeats, registration: Registration) -> None:
    """Give back what `registration` held (a seat or a waiting-list place) on the locked row."""
    if registration.status in (RegistrationStatus.REGISTERED, RegistrationStatus.OFFERED):
        seats.taken -= 1
    elif registration.status == RegistrationStatus.WAITLISTED:
        seats.waitlisted -= 1
    EventSeats.objects.filter(pk=seats.pk).update(taken=seats.taken, waitlisted=seats.waitlisted)


def cancel_registration(*, registration: Registration, actor: Any) -> Registration:
    """Cancel a seat, an offer or a waiting-list place; the freed seat goes to the next waiting.

    Idempotent on an already cancelled or expired registration. The member or the event's
    organizers only (`PermissionDenied`); not once the event is over (`RegistrationRefused`).
    Locks the mode's `EventSeats` row.
    """
    event = registration.event
    _check_may_act_for(actor, registration.person_id, event)
    if registration.status not in ACTIVE_STATUSES:
        return registration
    now = timezone.now()
    if now >= event.ends_at:
        raise RegistrationRefused(_("This event is over."), "ended")
    if registration.checked_in_at is not None:
        raise RegistrationRefused(_("You were checked in; the registration stays."), "state")
    with transaction.atomic():
        seats, registration = _lock_registration(registration)
        if registration.status not in ACTIVE_STATUSES:
            return registration
        _release(seats, registration)
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        registration.offer_expires_at = None
        registration.waitlist_position = None
        registration.save(
            update_fields=["status", "cancelled_at", "offer_expires_at", "waitlist_position"]
        )
        mails.mail_registration_cancelled(registration)
        if actor.pk != registration.person_id:
            record_audit(
                actor_id=actor.pk,
                action="events.registration_cancelled",
                target=registration,
                community_id=event.community_id,
            )
        offer_free_seats(seats, now=now)
    return registration


def offer_free_seats(seats: EventSeats, *, now: datetime) -> list[Registration]:
    """Offer every free seat of the locked `seats` row to the waiting list, first come first.

    Call it inside a transaction that holds the row lock. An offer lasts `offer_minutes` but
    never past the start; if less than `MIN_OFFER` would remain, the seat is given outright.
    """
    event = seats.event
    offered: list[Registration] = []
    while seats.waitlisted > 0 and (seats.capacity is None or seats.taken < seats.capacity):
        free = seats.waitlisted if seats.capacity is None else seats.capacity - seats.taken
        batch = list(
            Registration.objects.select_related("person")
            .filter(event_id=event.pk, mode=seats.mode, status=RegistrationStatus.WAITLISTED)
            .order_by("waitlist_position", "pk")[:free]
        )
        if not batch:  # the counter drifted from the rows: trust the rows
            seats.waitlisted = 0
            break
        expires = min(now + timedelta(minutes=event.offer_minutes), event.starts_at)
        for registration in batch:
            registration.event = event
            registration.waitlist_position = None
            registration.offered_at = now
            if expires - now < MIN_OFFER:
                registration.status = RegistrationStatus.REGISTERED
                registration.offer_expires_at = None
            else:
                registration.status = RegistrationStatus.OFFERED
                registration.offer_expires_at = expires
            registration.save(
                update_fields=["status", "waitlist_position", "offered_at", "offer_expires_at"]
            )
            if registration.status == RegistrationStatus.REGISTERED:
                _record_registered(registration, occurred_at=now)
                mails.mail_registration_confirmed(registration)
            else:
                mails.mail_seat_offered(registration)
            offered.append(registration)
        seats.taken += len(batch)
        seats.waitlisted -= len(batch)
    EventSeats.objects.filter(pk=seats.pk).update(taken=seats.taken, waitlisted=seats.waitlisted)
    return offered


def confirm_offered_seat(*, registration: Registration, actor: Any) -> Registration:
    """Take the seat offered from the waiting list, before the offer expires.

    The member (or an organizer for them) only. Idempotent on a registration that already
    holds its seat. Refused once the offer expired or if there is no offer. Locks the seat row.
    """
    _check_may_act_for(actor, registration.person_id, registration.event)
    if registration.status == RegistrationStatus.REGISTERED:
        return registration
    now = timezone.now()
    with transaction.atomic():
        _seats, registration = _lock_registration(registration)
        if registration.status == RegistrationStatus.REGISTERED:
            return registration
        if registration.status != RegistrationStatus.OFFERED:
            raise RegistrationRefused(_("There is no seat waiting for you to confirm."), "state")
        if registration.offer_expires_at is not None and registration.offer_expires_at <= now:
            raise RegistrationRefused(
                _("The offer expired; the seat went to the next person waiting."), "expired"
            )
        registration.status = RegistrationStatus.REGISTERED
        registration.offer_expires_at = None
        registration.save(update_fields=["status", "offer_expires_at"])
        _record_registered(registration, occurred_at=now)
        mails.mail_registration_confirmed(registration)
    return registration


def decline_offered_seat(*, registration: Registration, actor: Any) -> Registration:
    """Turn down an offered seat: it is cancelled and goes to the next person waiting."""
    if registration.status != RegistrationStatus.OFFERED:
        raise RegistrationRefused(_("There is no seat waiting for you to confirm."), "state")
    return cancel_registration(registration=registration, actor=actor)


def expire_offers(*, now: datetime | None = None) -> int:
    """Expire offers not confirmed in time and offer their seats on; return how many expired.

    One transaction per event mode, holding that mode's seat lock; an offer confirmed while
    this ran is left alone (re-checked under the lock). Run by the beat every minute.
    """
    now = now or timezone.now()
    due = (
        Registration.objects.filter(status=RegistrationStatus.OFFERED, offer_expires_at__lte=now)
        .values_list("event_id", "mode")
        .distinct()
    )
    expired = 0
    for event_id, mode in list(due):
        with transaction.atomic():
            seats = _locked_seats(Event(pk=event_id), mode)
            stale = list(
                Registration.objects.select_related("person").filter(
                    event_id=event_id,
                    mode=mode,
                    status=RegistrationStatus.OFFERED,
                    offer_expires_at__lte=now,
                )
            )
            for registration in stale:
                registration.event = seats.event
                registration.status = RegistrationStatus.EXPIRED
                registration.save(update_fields=["status"])
                mails.mail_offer_expired(registration)
            seats.taken -= len(stale)
            expired += len(stale)
            offer_free_seats(seats, now=now)
    return expired


def change_capacity(
    *,
    event: Event,
    actor: Any,
    mode: str,
    capacity: int | None,
    waitlist_limit: int | None = _UNCHANGED,
) -> EventSeats:
    """Set a mode's capacity (None: unlimited) and optionally its waiting-list limit.

    Refused below the seats already taken or the places already on the waiting list; a larger
    capacity offers the new seats to the waiting list at once. Organizers only. Locks the
    mode's seat row.
    """
    if not can_manage_event(actor, event):
        raise PermissionDenied(_("Only the event's organizers can change its capacity."))
    if capacity is not None and capacity < 0:
        raise ValidationError({"capacity": _("Capacity can't be negative.")})
    with transaction.atomic():
        seats = _locked_seats(event, mode)
        if capacity is not None and capacity < seats.taken:
            raise ValidationError(
                {
                    "capacity": _("%(taken)s seats are already taken; the capacity can't be lower.")
                    % {"taken": seats.taken}
                }
            )
        if waitlist_limit is not _UNCHANGED:
            if waitlist_limit is not None and waitlist_limit < seats.waitlisted:
                raise ValidationError(
                    {
                        "waitlist_limit": _(
                            "%(count)s people are already waiting; the limit can't be lower."
                        )
                        % {"count": seats.waitlisted}
                    }
                )
            seats.waitlist_limit = waitlist_limit
        seats.capacity = capacity
        seats.save(update_fields=["capacity", "waitlist_limit"])
        record_audit(
            actor_id=actor.pk,
            action="events.capacity_changed",
            target=event,
            community_id=event.community_id,
            data={"mode": mode, "capacity": capacity, "waitlist_limit": seats.waitlist_limit},
        )
        offer_free_seats(seats, now=timezone.now())
    return seats
