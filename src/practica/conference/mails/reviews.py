"""The mails of reviewing: the reminder before the review deadline.

Called by `services.reviews.send_review_reminders` inside its transaction, so a reminder is
queued in the outbox exactly when the assignments record it. Each goes in the reviewer's
language, with the deadline in their own time zone and the edition's.
"""

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from practica.conference.models import Edition, ReviewAssignment
from practica.conference.services.reviews import edition_zone, moment_text
from practica.core.outgoing_mail import send_templated_mail


def person_zone(person: Any) -> ZoneInfo:
    try:
        return ZoneInfo(getattr(person, "time_zone", "") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def review_url(proposal_id: int) -> str:
    """The review page of a proposal, absolute."""
    return f"{settings.SITE_URL}{reverse('conference:review', args=[proposal_id])}"


def mail_review_reminder(
    *, edition: Edition, assignments: list[ReviewAssignment], lead: timedelta
) -> bool:
    """Remind one reviewer of their unsubmitted reviews of `edition` (all `assignments` are
    theirs). False when they have no address. The key names the round and the deadline."""
    reviewer = assignments[0].reviewer
    if not reviewer.email:
        return False
    language = reviewer.preferred_language or None
    zone = person_zone(reviewer)
    original = edition_zone(edition)
    stamp = edition.review_closes_at.strftime("%Y%m%dT%H%M%S")
    days = lead.days or 1
    with translation.override(language or settings.LANGUAGE_CODE), timezone.override(zone):
        context = {
            "edition": edition,
            "person": reviewer,
            "days": days,
            "deadline": moment_text(edition.review_closes_at, zone),
            "deadline_original": (
                moment_text(edition.review_closes_at, original) if original.key != zone.key else ""
            ),
            "pending": [
                {
                    "title": assignment.proposal.title,
                    "url": review_url(assignment.proposal_id),
                    "is_draft": hasattr(assignment, "review") and assignment.review is not None,
                }
                for assignment in assignments
            ],
            "my_reviews_url": f"{settings.SITE_URL}{reverse('conference:my_reviews')}",
        }
        send_templated_mail(
            to=reviewer.email,
            template_prefix="conference/mail/reviews_reminder",
            context=context,
            idempotency_key=(
                f"edition-{edition.pk}-reviewer-{reviewer.pk}-review-reminder-{days}d-{stamp}"
            ),
            language=language,
        )
    return True
