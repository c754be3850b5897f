"""The mail that tells a reviewer what they were given to review.

`services.assignment` calls these inside its transaction, so a mail is queued exactly when the
assignments it announces are made:
`mail_run_assignments` after a run is applied — one mail per reviewer, listing only the
proposals new to them — and `mail_manual_assignment` after the chair adds one pair by hand.
Each goes in the reviewer's language, with the review deadline on their clock and the
edition's, and names proposals by title only: never a speaker, so a double-blind edition stays
blind. The idempotency keys name the run and the reviewer, or the assignment, so a repeated
call queues nothing new.
"""

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from practica.conference.mails.reviews import person_zone, review_url
from practica.conference.models import AssignmentRun, Edition, ReviewAssignment
from practica.conference.queries.editions import edition_zone
from practica.conference.services.reviews import moment_text
from practica.core.outgoing_mail import send_templated_mail


def mail_run_assignments(*, run_id: int, new_pairs: Collection[tuple[int, int]]) -> int:
    """Tell each reviewer of `new_pairs` ((proposal id, person id) the run's apply created and
    the reviewer did not have before) what is new for them; returns the mails queued.

    Reads the run's assignments as committed, so a pair removed meanwhile is not announced.
    """
    wanted = set(new_pairs)
    run = AssignmentRun.objects.select_related("edition__community").filter(pk=run_id).first()
    if run is None or not wanted:
        return 0
    by_reviewer: dict[int, list[ReviewAssignment]] = defaultdict(list)
    rows = (
        ReviewAssignment.objects.filter(run=run)
        .select_related("proposal", "reviewer")
        .order_by("reviewer_id", "proposal__title", "pk")
    )
    for assignment in rows:
        if (assignment.proposal_id, assignment.reviewer_id) in wanted:
            by_reviewer[assignment.reviewer_id].append(assignment)
    sent = 0
    with transaction.atomic():
        for person_id, assignments in by_reviewer.items():
            key = f"assignment-run-{run_id}-reviewer-{person_id}"
            sent += _mail_new_reviews(run.edition, assignments, idempotency_key=key)
    return sent


def mail_manual_assignment(*, assignment_id: int) -> bool:
    """Tell the reviewer the chair gave them this proposal; False when the assignment is gone
    or the reviewer cannot be mailed."""
    assignment = (
        ReviewAssignment.objects.select_related("proposal__edition__community", "reviewer")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        return False
    return _mail_new_reviews(
        assignment.proposal.edition,
        [assignment],
        idempotency_key=f"review-assignment-{assignment.pk}",
    )


def _mail_new_reviews(
    edition: Edition, assignments: list[ReviewAssignment], *, idempotency_key: str
) -> bool:
    """One mail to the reviewer of `assignments` (all theirs, all of `edition`)."""
    reviewer = assignments[0].reviewer
    if not reviewer.is_active or not reviewer.email:
        return False
    language = reviewer.preferred_language or None
    zone = person_zone(reviewer)
    original = edition_zone(edition)
    now = timezone.now()
    with translation.override(language or settings.LANGUAGE_CODE), timezone.override(zone):
        context: dict[str, Any] = {
            "edition": edition,
            "community": edition.community,
            "person": reviewer,
            "proposals": [
                {"title": assignment.proposal.title, "url": review_url(assignment.proposal_id)}
                for assignment in assignments
            ],
            "deadline": moment_text(edition.review_closes_at, zone),
            "deadline_original": (
                moment_text(edition.review_closes_at, original) if original.key != zone.key else ""
            ),
            "deadline_passed": edition.review_closes_at <= now,
            "opens": (
                moment_text(edition.review_opens_at, zone) if edition.review_opens_at > now else ""
            ),
            "my_reviews_url": f"{settings.SITE_URL}{reverse('conference:my_reviews')}",
        }
        send_templated_mail(
            to=reviewer.email,
            template_prefix="conference/mail/assignment_new_reviews",
            context=context,
            idempotency_key=idempotency_key,
            language=language,
        )
    return True
