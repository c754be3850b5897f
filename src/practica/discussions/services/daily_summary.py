"""The daily summary: once a day, at about 08:00 in each member's own time zone, one mail with
the notifications they have neither read nor been mailed (members who chose a daily summary).
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from practica.discussions import email as discussion_mail
from practica.discussions.inbox import visible_notification_condition
from practica.discussions.models import DiscussionPreferences, EmailMode, Notification
from practica.mail.models import OutboundMessage
from practica.mail.services import enqueue_messages
from practica.people.models import User

SUMMARY_HOUR = 8  # local time at which a daily summary goes out…
SUMMARY_WINDOW_HOURS = 4  # …or later that morning, if the beat was down at eight
_CHUNK = 500


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> list[list[Any]]:
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


def _summary_due(person: User, now: datetime) -> date | None:
    """The member's local date if their summary hour has come (and not long passed), or None."""
    local = now.astimezone(discussion_mail.mail_zone(person.time_zone))
    if SUMMARY_HOUR <= local.hour < SUMMARY_HOUR + SUMMARY_WINDOW_HOURS:
        return local.date()
    return None


def send_daily_summaries(now: datetime | None = None) -> int:
    """Mail each daily-summary member, at about 08:00 their time, their unread notifications
    not yet mailed; mark those mailed. Returns how many summaries were enqueued.

    Run by beat every 15 minutes: a member is due from 08:00 to 11:59 local time, and gets at
    most one summary per local date (the outbox key names member and date; members whose key
    exists are skipped). Locks each batch's preference rows (`select_for_update`), so two runs
    at once cannot mail a notification twice or mark one mailed that no summary carried.
    """
    now = now or timezone.now()
    pending = Notification.objects.filter(
        recipient_id=OuterRef("pk"), read_at__isnull=True, emailed_at__isnull=True
    ).filter(visible_notification_condition(), created_at__lte=now)
    candidates = (
        User.objects.filter(is_active=True, discussion_preferences__email_mode=EmailMode.DAILY)
        .exclude(email="")
        .filter(Exists(pending))
        .only("pk", "email", "preferred_language", "time_zone", "is_staff")
    )
    due = {}
    for person in candidates:
        local_date = _summary_due(person, now)
        if local_date is not None:
            due[person.pk] = (person, local_date)
    sent = 0
    for chunk in _chunks(sorted(due)):
        sent += _send_summaries([due[pk] for pk in chunk], now=now)
    return sent


def _send_summaries(batch: list[tuple[User, Any]], *, now: datetime) -> int:
    keys = {
        person.pk: discussion_mail.daily_summary_key(recipient_id=person.pk, local_date=day)
        for person, day in batch
    }
    with transaction.atomic():
        list(
            DiscussionPreferences.objects.select_for_update()
            .filter(person_id__in=list(keys))
            .values_list("pk", flat=True)
        )
        done = set(
            OutboundMessage.objects.filter(idempotency_key__in=list(keys.values())).values_list(
                "idempotency_key", flat=True
            )
        )
        batch = [(person, day) for person, day in batch if keys[person.pk] not in done]
        if not batch:
            return 0
        notifications = (
            Notification.objects.filter(
                recipient_id__in=[person.pk for person, _day in batch],
                read_at__isnull=True,
                emailed_at__isnull=True,
                created_at__lte=now,
            )
            .filter(visible_notification_condition())
            .select_related("thread", "thread__community", "actor")
            .order_by("-created_at", "-pk")
        )
        by_person: dict[int, list[Notification]] = {}
        for notification in notifications:
            by_person.setdefault(notification.recipient_id, []).append(notification)
        mails = [
            discussion_mail.daily_summary_mail(
                recipient=discussion_mail.MailRecipient(
                    email=person.email,
                    kind="daily_summary",
                    idempotency_key=keys[person.pk],
                    language=person.preferred_language,
                    time_zone=person.time_zone,
                ),
                notifications=by_person[person.pk],
                local_date=day,
            )
            for person, day in batch
            if by_person.get(person.pk)
        ]
        enqueue_messages(mails=mails)
        mailed = [n.pk for items in by_person.values() for n in items]
        for chunk in _chunks(mailed):
            Notification.objects.filter(pk__in=chunk).update(emailed_at=now)
    return len(mails)
