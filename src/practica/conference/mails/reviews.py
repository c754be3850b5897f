"""The mails of reviewing: the reminder before the review deadline, and the notice of a new
comment in a proposal's discussion.

The reminder is called by `services.reviews.send_review_reminders` inside its transaction, so
it is queued in the outbox exactly when the assignments record it; it goes in the reviewer's
language, with the deadline in their own time zone and the edition's. The comment notice is
called by `services.reviews.add_proposal_comment` in the same transaction as the comment.
"""

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from practica.conference.models import (
    CommitteeMember,
    Edition,
    ProposalComment,
    ProposalSpeaker,
    ReviewAssignment,
    ReviewStatus,
)
from practica.conference.permissions import can_discuss_proposal
from practica.conference.queries.editions import edition_zone
from practica.conference.services.reviews import moment_text
from practica.core.outgoing_mail import send_templated_mail
from practica.events.templatetags.event_times import zone_named


def person_zone(person: Any) -> ZoneInfo:
    return zone_named(getattr(person, "time_zone", ""))


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


def mail_proposal_comment(*, comment_id: int) -> int:
    """Tell the others who discuss the comment's proposal that it was posted; returns the mails
    queued.

    Recipients: the proposal's assigned reviewers and the edition's committee members, minus the
    author, anyone inactive or without an address, and anyone who is (or was invited as) a
    speaker of it — checked again with `can_discuss_proposal`. An assigned reviewer whose own
    review is not submitted gets the notice and the link only, not the text: it could tell them
    the others' opinions before they form their own. One key per comment and recipient.
    """
    comment = (
        ProposalComment.objects.select_related("proposal__edition__community", "author")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        return 0
    proposal = comment.proposal
    submitted = dict(
        ReviewAssignment.objects.filter(proposal=proposal).values_list(
            "reviewer_id", "review__status"
        )
    )
    committee = set(
        CommitteeMember.objects.filter(edition_id=proposal.edition_id).values_list(
            "person_id", flat=True
        )
    )
    speakers = list(
        ProposalSpeaker.objects.filter(proposal=proposal).values_list("person_id", "email")
    )
    speaker_ids = {person_id for person_id, _email in speakers if person_id is not None}
    speaker_emails = {email.lower() for _person_id, email in speakers if email}
    recipients = (
        get_user_model()
        .objects.filter(pk__in=(set(submitted) | committee) - {comment.author_id} - speaker_ids)
        .filter(is_active=True)
        .exclude(email="")
        .order_by("pk")
    )
    sent = 0
    with transaction.atomic():
        for person in recipients:
            if person.email.lower() in speaker_emails or not can_discuss_proposal(person, proposal):
                continue
            blind = person.pk in submitted and submitted[person.pk] != ReviewStatus.SUBMITTED
            _mail_comment(comment, person, show_text=not blind)
            sent += 1
    return sent


def _mail_comment(comment: ProposalComment, person: Any, *, show_text: bool) -> None:
    proposal = comment.proposal
    language = person.preferred_language or None
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {
            "proposal": proposal,
            "edition": proposal.edition,
            "community": proposal.edition.community,
            "person": person,
            # Absent, not merely hidden by the template, for a reviewer who may not read it yet.
            "comment_text": comment.body if show_text else "",
            "author": comment.author if show_text else None,
            "discussion_url": f"{review_url(proposal.pk)}#discussion",
        }
        send_templated_mail(
            to=person.email,
            template_prefix="conference/mail/reviews_comment",
            context=context,
            idempotency_key=f"proposal-comment-{comment.pk}-to-{person.pk}",
            language=language,
        )
