"""The after-event survey: satisfaction 1–5, an optional comment, an optional 0–10 "would you
recommend this community", and the mail that asks attendees for it once the event is over.

Who is asked (and may answer) is `queries.attendance.feedback_recipients`: the checked-in
registrants, or every registrant holding a seat when nobody was checked in (attendance not
taken, as at many online events).
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.core.models import ActivityKind
from practica.core.outgoing_mail import send_templated_mail
from practica.core.services import record_activity
from practica.events.models import Event, EventStatus, Feedback
from practica.events.queries.attendance import feedback_recipients, may_give_feedback
from practica.events.services.group_events import group_activity_data

MAX_COMMENT_LENGTH = 4000
# Members can answer (or change their answer) this long after the event ends.
FEEDBACK_OPEN_FOR = timedelta(days=30)
# The survey mail goes out for events that ended at most this long ago (not for old ones, say
# after importing years of history).
REQUEST_WITHIN = timedelta(days=7)


def _whole_number(value: Any, field: str, low: int, high: int, message: str) -> int:
    if isinstance(value, bool):
        raise ValidationError({field: message})
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: message}) from None
    if not low <= number <= high:
        raise ValidationError({field: message})
    return number


def feedback_closes_at(event: Event) -> datetime:
    return event.ends_at + FEEDBACK_OPEN_FOR


def submit_feedback(
    *,
    event: Event,
    person: Any,
    satisfaction: Any,
    would_recommend: Any = None,
    comment: str = "",
) -> Feedback:
    """Record (or change) a member's answer to the survey of an event they attended.

    Open from the event's start until FEEDBACK_OPEN_FOR after its end. One row per person and
    event; answering again updates it. Records GAVE_FEEDBACK on the first answer only.
    Locks the member's feedback row when it exists (the unique pair settles a race to create).
    """
    if event.status != EventStatus.PUBLISHED:
        raise ValidationError(_("This event did not take place: there is no survey."))
    now = timezone.now()
    if now < event.starts_at:
        raise ValidationError(_("The survey opens when the event starts."))
    if now > feedback_closes_at(event):
        raise ValidationError(_("The survey for this event has closed."))
    if not may_give_feedback(event, person):
        raise PermissionDenied(_("Only the event's attendees can answer its survey."))
    satisfaction = _whole_number(
        satisfaction, "satisfaction", 1, 5, _("Rate the event from 1 (poor) to 5 (excellent).")
    )
    if would_recommend in (None, ""):
        would_recommend = None
    else:
        would_recommend = _whole_number(
            would_recommend, "would_recommend", 0, 10, _("Choose a number from 0 to 10.")
        )
    comment = str(comment or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            {"comment": _("Keep the comment under %(n)s characters.") % {"n": MAX_COMMENT_LENGTH}}
        )
    values = {"satisfaction": satisfaction, "would_recommend": would_recommend, "comment": comment}
    try:
        with transaction.atomic():
            return _save_feedback(event, person, values, now)
    except IntegrityError:  # a simultaneous first answer won the insert: update it
        with transaction.atomic():
            return _save_feedback(event, person, values, now)


def _save_feedback(event: Event, person: Any, values: dict[str, Any], now: datetime) -> Feedback:
    existing = Feedback.objects.select_for_update().filter(event=event, person=person).first()
    if existing is not None:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.submitted_at = now
        existing.save(update_fields=[*values, "submitted_at"])
        return existing
    feedback = Feedback.objects.create(event=event, person=person, submitted_at=now, **values)
    record_activity(
        kind=ActivityKind.GAVE_FEEDBACK,
        person_id=person.pk,
        community_id=event.community_id,
        subject=event,
        occurred_at=now,
        data={"satisfaction": values["satisfaction"], **group_activity_data(event)},
    )
    return feedback


def request_feedback(*, event: Event, now: datetime | None = None) -> int:
    """Mail the survey link to the event's attendees who have not answered; once per event.

    Locks the event row, and does nothing if `feedback_requested_at` is already set; sets it.
    Each mail has the idempotency key `event-<id>-feedback-<person>`, so even a retry after a
    crash sends nobody a second copy. Returns how many mails were sent.
    """
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        locked = Event.objects.select_for_update().filter(pk=event.pk).first()
        if locked is None or locked.feedback_requested_at is not None:
            return 0
        if locked.status != EventStatus.PUBLISHED or locked.ends_at > now:
            return 0
        survey_url = settings.SITE_URL + reverse("events:feedback", args=[locked.pk])
        answered = set(Feedback.objects.filter(event=locked).values_list("person_id", flat=True))
        for registration in feedback_recipients(locked).select_related("person"):
            person = registration.person
            if person.pk in answered or not person.is_active:
                continue
            send_templated_mail(
                to=person.email,
                template_prefix="events/mail/feedback_request",
                context={
                    "event": locked,
                    "person": person,
                    "closes_at": feedback_closes_at(locked),
                    # the mail's button (events/mail/base.html) leads to the survey
                    "event_url": survey_url,
                },
                idempotency_key=f"event-{locked.pk}-feedback-{person.pk}",
                language=person.preferred_language or None,
            )
            sent += 1
        locked.feedback_requested_at = now
        locked.save(update_fields=["feedback_requested_at"])
    return sent


def request_due_feedback(*, now: datetime | None = None) -> int:
    """The beat task's work: ask for feedback on every published event that ended in the last
    REQUEST_WITHIN and has not been asked yet (one transaction per event, see
    `request_feedback`). Returns how many mails were sent."""
    now = now or timezone.now()
    due = (
        Event.objects.filter(
            status=EventStatus.PUBLISHED,
            feedback_requested_at__isnull=True,
            ends_at__lte=now,
            ends_at__gt=now - REQUEST_WITHIN,
        )
        .order_by("ends_at")
        .values_list("pk", flat=True)
    )
    sent = 0
    for event in Event.objects.filter(pk__in=list(due)).order_by("ends_at"):
        sent += request_feedback(event=event, now=now)
    return sent
