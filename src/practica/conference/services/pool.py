"""The reviewer pool of an edition and bidding: members volunteer with their expertise topics
and most load, update or leave; chairs set a volunteer aside or back; volunteers bid on the
proposals they would like to review (eager, willing, not willing) or declare a conflict.

One transaction each. Volunteering is idempotent: a second call (a double click, a retried
request) returns the same row, updated, with `was_created` False; the unique (edition,
person) constraint settles a race between two first calls. A bid is one row per reviewer and
proposal (update or create). A "conflict" bid also records a `DeclaredConflict`, which the
conflict detection and the assignment read; changing the bid again removes the declaration
the bid made (never one the chair or a speaker made).

Bidding is open while reviewing is not over (until `review_closes_at`), on proposals in the
review; never on one's own proposal (as a speaker, invited or accepted).
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.conference.models import (
    IN_REVIEW_STATES,
    Bid,
    BidLevel,
    DeclaredConflict,
    Edition,
    Proposal,
    ProposalSpeaker,
    ReviewAssignment,
    ReviewerVolunteer,
    SpeakerStatus,
)
from practica.conference.permissions import (
    can_volunteer_to_review,
    forget_cached_conference_roles,
    is_chair,
)
from practica.conference.queries.editions import edition_moment
from practica.conference.services.editions import CallRefused
from practica.core.models import Topic
from practica.core.services import record_audit

MAX_LOAD = 50
MAX_TOPICS = 20
MAX_STATEMENT = 3000
# The reason on a conflict declared by bidding "conflict": the bid owns that declaration.
BID_CONFLICT_REASON = "Declared by the reviewer when bidding"


def _check_reviewing_not_over(edition: Edition) -> None:
    if timezone.now() >= edition.review_closes_at:
        raise CallRefused(
            _("Reviewing for %(edition)s ended %(when)s.")
            % {"edition": edition.name, "when": edition_moment(edition, edition.review_closes_at)},
            "closed",
        )


def _clean(
    edition: Edition, topics: Iterable[Topic], max_load: Any, statement: Any
) -> tuple[list[Topic], int, str]:
    errors: dict[str, str] = {}
    topic_list = list(dict.fromkeys(topics))
    if len(topic_list) > MAX_TOPICS:
        errors["topics"] = _("Choose at most %(max)s topics.") % {"max": MAX_TOPICS}
    limit = min(MAX_LOAD, edition.reviewer_max_load or MAX_LOAD)
    if not isinstance(max_load, int) or isinstance(max_load, bool) or not 1 <= max_load <= limit:
        errors["max_load"] = _("Say how many proposals you can review: from 1 to %(max)s.") % {
            "max": limit
        }
    text = str(statement or "").strip()
    if len(text) > MAX_STATEMENT:
        errors["statement"] = _("Keep it under %(max)s characters.") % {"max": MAX_STATEMENT}
    if errors:
        raise ValidationError(errors)
    return topic_list, max_load, text


def _audit(actor: Any, action: str, volunteer: ReviewerVolunteer, **data: Any) -> None:
    record_audit(
        actor_id=actor.pk,
        action=f"conference.{action}",
        target=volunteer,
        community_id=volunteer.edition.community_id,
        data={"edition": volunteer.edition_id, **data},
    )


# --- Volunteering ----------------------------------------------------------------------------


def volunteer_to_review(
    *,
    edition: Edition,
    person: Any,
    topics: Iterable[Topic] = (),
    max_load: int = 8,
    statement: str = "",
) -> ReviewerVolunteer:
    """Join the edition's reviewer pool with expertise `topics`, the most proposals one can
    review (at most the edition's own maximum) and a statement of what one knows about.

    Any active member of an announced edition, until reviewing is over. Volunteering again
    updates the row (`was_created` False); a volunteer the chair set aside is refused.
    """
    if not can_volunteer_to_review(person, edition):
        raise PermissionDenied(_("This edition does not take reviewers from you."))
    _check_reviewing_not_over(edition)
    topic_list, load, text = _clean(edition, topics, max_load, statement)
    try:
        with transaction.atomic():
            volunteer, created = ReviewerVolunteer.objects.select_for_update().get_or_create(
                edition=edition,
                person=person,
                defaults={"max_load": load, "statement": text},
            )
            if not created:
                if not volunteer.is_active:
                    raise CallRefused(
                        _("The chair has set you aside for this edition's reviewing."),
                        "set_aside",
                    )
                volunteer.max_load = load
                volunteer.statement = text
                volunteer.save(update_fields=["max_load", "statement"])
            volunteer.topics.set(topic_list)
            if created:
                _audit(person, "reviewer_volunteered", volunteer)
    except IntegrityError:
        # A concurrent first call won the insert: this one is the repeat.
        volunteer = ReviewerVolunteer.objects.get(edition=edition, person=person)
        created = False
    forget_cached_conference_roles(person)
    volunteer.was_created = created  # type: ignore[attr-defined]
    return volunteer


def update_volunteer(
    *,
    volunteer: ReviewerVolunteer,
    actor: Any,
    topics: Iterable[Topic] | None = None,
    max_load: int | None = None,
    statement: str | None = None,
) -> ReviewerVolunteer:
    """Change one's own expertise, load or statement (None keeps a value). Only the volunteer;
    a lower load does not take assignments away (the chair sees the overload)."""
    if volunteer.person_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the volunteer can change what they offer."))
    edition = volunteer.edition
    with transaction.atomic():
        volunteer = (
            ReviewerVolunteer.objects.select_for_update(of=("self",))
            .select_related("edition")
            .get(pk=volunteer.pk)
        )
        topic_list, load, text = _clean(
            edition,
            volunteer.topics.all() if topics is None else topics,
            volunteer.max_load if max_load is None else max_load,
            volunteer.statement if statement is None else statement,
        )
        volunteer.max_load = load
        volunteer.statement = text
        volunteer.save(update_fields=["max_load", "statement"])
        if topics is not None:
            volunteer.topics.set(topic_list)
        _audit(actor, "reviewer_updated", volunteer)
    return volunteer


def leave_pool(*, volunteer: ReviewerVolunteer, actor: Any) -> None:
    """Leave the reviewer pool (the row and its bids go). Only the volunteer, and only while
    no proposal is assigned to them: then the chair must reassign first."""
    if volunteer.person_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the volunteer can leave the pool."))
    with transaction.atomic():
        volunteer = ReviewerVolunteer.objects.select_for_update().get(pk=volunteer.pk)
        assigned = ReviewAssignment.objects.filter(
            reviewer_id=volunteer.person_id, proposal__edition_id=volunteer.edition_id
        ).count()
        if assigned:
            raise CallRefused(
                _(
                    "You have %(count)s proposals to review: ask the chair to reassign them "
                    "before you leave."
                )
                % {"count": assigned},
                "state",
            )
        DeclaredConflict.objects.filter(
            person_id=volunteer.person_id,
            proposal__edition_id=volunteer.edition_id,
            declared_by_id=volunteer.person_id,
            reason=BID_CONFLICT_REASON,
        ).delete()
        _audit(actor, "reviewer_left", volunteer)
        volunteer.delete()
    forget_cached_conference_roles(actor)


def set_volunteer_active(
    *, volunteer: ReviewerVolunteer, actor: Any, active: bool
) -> ReviewerVolunteer:
    """Set a volunteer aside (out of the pool for the assignment; their bids and reviews stay)
    or take them back. Chairs only. Idempotent."""
    if not is_chair(actor, volunteer.edition):
        raise PermissionDenied(_("Only the edition's chairs manage the reviewer pool."))
    with transaction.atomic():
        volunteer = ReviewerVolunteer.objects.select_for_update().get(pk=volunteer.pk)
        if volunteer.is_active != bool(active):
            volunteer.is_active = bool(active)
            volunteer.save(update_fields=["is_active"])
            _audit(actor, "reviewer_activated" if active else "reviewer_set_aside", volunteer)
    forget_cached_conference_roles(volunteer.person)
    return volunteer


# --- Bidding ---------------------------------------------------------------------------------


def _check_can_bid(
    volunteer: ReviewerVolunteer, proposal: Proposal, actor: Any
) -> ReviewerVolunteer:
    """The volunteer's row as stored now, if they may bid on `proposal`; else a refusal."""
    if volunteer.person_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the reviewer bids for themself."))
    fresh = ReviewerVolunteer.objects.select_related("edition").filter(pk=volunteer.pk).first()
    if fresh is None:
        raise CallRefused(_("You are not in this edition's reviewer pool."), "state")
    volunteer = fresh
    if not volunteer.is_active:
        raise CallRefused(
            _("The chair has set you aside for this edition's reviewing."), "set_aside"
        )
    if proposal.edition_id != volunteer.edition_id:
        raise ValidationError({"proposal": _("That proposal is not in this edition.")})
    if proposal.state not in IN_REVIEW_STATES:
        raise CallRefused(_("Only submitted proposals take bids."), "state")
    own = (
        ProposalSpeaker.objects.filter(proposal=proposal, person_id=volunteer.person_id)
        .exclude(status=SpeakerStatus.DECLINED)
        .exists()
    )
    if own:
        raise ValidationError(
            {"proposal": _("You are a speaker of this proposal: you can't bid on it.")}
        )
    _check_reviewing_not_over(volunteer.edition)
    return volunteer


def set_bid(*, volunteer: ReviewerVolunteer, proposal: Proposal, level: str, actor: Any) -> Bid:
    """Bid `level` (eager, willing, not willing, conflict) on a proposal, replacing any earlier
    bid. "conflict" declares a conflict of interest as well; moving away from it withdraws
    that declaration. The volunteer only, while in the pool."""
    if level not in BidLevel.values:
        raise ValidationError({"level": _("Bid eager, willing, not willing or conflict.")})
    volunteer = _check_can_bid(volunteer, proposal, actor)
    with transaction.atomic():
        bid, _created = Bid.objects.update_or_create(
            reviewer=volunteer, proposal=proposal, defaults={"level": level}
        )
        _sync_declared_conflict(volunteer, proposal, conflict=level == BidLevel.CONFLICT)
    return bid


def clear_bid(*, volunteer: ReviewerVolunteer, proposal: Proposal, actor: Any) -> None:
    """Take back one's bid on a proposal (and the conflict it declared). Idempotent."""
    volunteer = _check_can_bid(volunteer, proposal, actor)
    with transaction.atomic():
        Bid.objects.filter(reviewer=volunteer, proposal=proposal).delete()
        _sync_declared_conflict(volunteer, proposal, conflict=False)


def _sync_declared_conflict(
    volunteer: ReviewerVolunteer, proposal: Proposal, *, conflict: bool
) -> None:
    if conflict:
        DeclaredConflict.objects.get_or_create(
            proposal=proposal,
            person_id=volunteer.person_id,
            defaults={"declared_by_id": volunteer.person_id, "reason": BID_CONFLICT_REASON},
        )
        return
    DeclaredConflict.objects.filter(
        proposal=proposal,
        person_id=volunteer.person_id,
        declared_by_id=volunteer.person_id,
        reason=BID_CONFLICT_REASON,
    ).delete()
