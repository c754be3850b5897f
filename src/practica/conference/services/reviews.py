"""Reviews of proposals, the reviewers' and committee's discussion of a proposal, and the
reminder mails before the review deadline.

A review belongs to a reviewer's assignment. `save_review` keeps a draft (any subset of the
form, each value checked); `submit_review` needs the whole form: a 1–5 score for every
criterion of the edition, a recommendation and a confidence (1–5); the two comment fields are
optional. The score the committee sorts by is kept on submit:

    weighted_score = Σ (weight_c × score_c) / Σ weight_c   over the edition's criteria,

so it stays on the 1–5 scale; when every weight is zero it is the plain mean, and an edition
without criteria has no weighted score (the recommendation is then the only signal).

Who: only the assigned reviewer, never on their own proposal (a speaker of it) nor on one they
have a conflict with. The conflicts are checked again here with `queries.conflicts` (org
chart, co-speaking history, declarations, "conflict" bids), whatever the assignment did: the
org chart may have changed, or the chair added the pair by hand.

When: from `Edition.review_opens_at` until `review_closes_at`, the deadline, which refusals name
in the edition's time zone. A submitted review may be changed until the deadline by submitting
it again, complete; it never goes back to a draft (its author has read the others' reviews by
then). Once the proposal is withdrawn or decided, its reviews are closed.

Errors: PermissionDenied for who may not; `ReviewRefused` (a ValidationError with a `code`:
withdrawn, decided, not_open, closed, submitted) for what the moment does not allow; a
ValidationError keyed by field (`scores.<criterion id>`, `recommendation`, `confidence`,
`comments_to_speakers`, `comments_to_committee`, `body`) for bad input. Nothing is written when
any is raised.

Locks: saving and submitting lock the assignment row (`select_for_update`), so a double click
or two open tabs never make two reviews or two REVIEWED activity rows. The reminder run locks
the edition row, so two beat workers never both send a round.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from practica.conference.models import (
    DECIDED_STATES,
    Edition,
    Proposal,
    ProposalComment,
    ProposalState,
    Recommendation,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    ReviewScore,
    ReviewStatus,
)
from practica.conference.permissions import can_discuss_proposal, is_speaker
from practica.conference.queries.conflicts import pair_conflict_reasons
from practica.conference.queries.editions import edition_zone
from practica.core.models import ActivityKind
from practica.core.services import record_activity

MIN_SCORE = 1
MAX_SCORE = 5
MAX_COMMENTS_LENGTH = 10000
MAX_DISCUSSION_LENGTH = 5000
# A second identical comment within this time is a double click: the first one is returned.
DOUBLE_POST_WINDOW = timedelta(minutes=2)
# Reminder rounds before the review deadline, nearest last; see `send_review_reminders`.
REMINDER_LEADS = (timedelta(days=3), timedelta(days=1))


class ReviewRefused(ValidationError):  # noqa: N818 — a refusal, not a fault
    """The moment or the proposal's state does not allow the review step; `.code` says which:
    withdrawn, decided, not_open, closed, submitted, no_criteria."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)


def moment_text(moment: datetime, zone: ZoneInfo) -> str:
    """ "March 4, 2031 18:00 (Europe/Berlin)" in the active language."""
    local = timezone.localtime(moment, zone)
    return f"{formats.date_format(local, 'DATE_FORMAT')} {local:%H:%M} ({zone.key})"


def review_deadline_text(edition: Edition) -> str:
    return moment_text(edition.review_closes_at, edition_zone(edition))


def conflict_reason(person: Any, proposal: Proposal) -> str | None:
    """Why `person` may not review `proposal` by a conflict of interest, or None.

    The conflicts are `queries.conflicts`'s (org chart, history, declarations, bids); the
    sentence names no speaker, since under double-blind the reviewer must not learn who they
    are from a refusal.
    """
    reasons = pair_conflict_reasons(proposal, person.pk)
    if not reasons:
        return None
    return "; ".join(dict.fromkeys(_conflict_text(reason.code) for reason in reasons))


def _conflict_text(code: str) -> str:
    texts = {
        "own": _("you are invited as one of its speakers"),
        "same_team": _("you are in the same team as one of its speakers"),
        "manages": _("you are in the management chain above one of its speakers"),
        "managed_by": _("one of its speakers is in your management chain"),
        "co_speaker": _("you spoke together with one of its speakers recently"),
        "declared": _("a conflict of interest was declared"),
        "bid": _("you marked it as a conflict when bidding"),
    }
    return texts.get(code, _("a conflict of interest"))


def check_may_review(*, proposal: Proposal, reviewer: Any, now: datetime) -> None:
    """Raise unless `reviewer` may write their review of `proposal` at `now` (see the module
    docstring for the order: who first, then the proposal's state, then the moment)."""
    if is_speaker(reviewer, proposal):
        raise PermissionDenied(_("You cannot review your own proposal."))
    if not ReviewAssignment.objects.filter(proposal=proposal, reviewer=reviewer).exists():
        raise PermissionDenied(
            _("You are not assigned to review this proposal; the chair assigns the reviewers.")
        )
    reason = conflict_reason(reviewer, proposal)
    if reason is not None:
        raise PermissionDenied(
            _(
                "You cannot review this proposal: %(reason)s. Ask the chair to give it to "
                "another reviewer."
            )
            % {"reason": reason}
        )
    if proposal.state == ProposalState.WITHDRAWN:
        raise ReviewRefused(
            _("The speakers withdrew this proposal: it needs no review."), code="withdrawn"
        )
    if proposal.state in DECIDED_STATES:
        raise ReviewRefused(
            _("The committee has decided on this proposal: its reviews are closed."),
            code="decided",
        )
    edition = proposal.edition
    zone = edition_zone(edition)
    if now < edition.review_opens_at:
        raise ReviewRefused(
            _("Reviewing opens on %(when)s.")
            % {"when": moment_text(edition.review_opens_at, zone)},
            code="not_open",
        )
    if now >= edition.review_closes_at:
        raise ReviewRefused(
            _(
                "The review deadline was %(when)s: reviews can no longer be written or "
                "changed. Write to the chair if you need more time."
            )
            % {"when": moment_text(edition.review_closes_at, zone)},
            code="closed",
        )


def _as_int(value: Any) -> int | None:
    """An integer given as an int or its digits; None for anything else (2.5, "high", True)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class CleanReview:
    scores: dict[int, int]
    recommendation: int | None
    confidence: int | None
    comments_to_speakers: str
    comments_to_committee: str


def clean_review(
    *,
    criteria: list[ReviewCriterion],
    scores: Mapping[Any, Any],
    recommendation: Any,
    confidence: Any,
    comments_to_speakers: Any,
    comments_to_committee: Any,
    complete: bool,
) -> CleanReview:
    """Check a review's values against the edition's form; `complete` for a submission.

    Raises one ValidationError naming every field that is wrong.
    """
    errors: dict[str, list[str]] = defaultdict(list)
    by_id = {criterion.pk: criterion for criterion in criteria}
    cleaned_scores: dict[int, int] = {}
    if not isinstance(scores, Mapping):
        errors["scores"].append(_("Give the scores as criterion → score."))
        scores = {}
    for key, value in scores.items():
        criterion_id = _as_int(key)
        if criterion_id is None or criterion_id not in by_id:
            errors["scores"].append(
                _("“%(key)s” is not a criterion of this edition's review form.") % {"key": key}
            )
            continue
        if _blank(value):
            continue
        score = _as_int(value)
        if score is None or not MIN_SCORE <= score <= MAX_SCORE:
            errors[f"scores.{criterion_id}"].append(
                _("Score “%(name)s” with a whole number from %(low)s to %(high)s.")
                % {"name": by_id[criterion_id].name, "low": MIN_SCORE, "high": MAX_SCORE}
            )
            continue
        cleaned_scores[criterion_id] = score
    if complete:
        for criterion in criteria:
            field = f"scores.{criterion.pk}"
            if criterion.pk not in cleaned_scores and field not in errors:
                errors[field].append(
                    _("Score “%(name)s” from %(low)s to %(high)s before submitting.")
                    % {"name": criterion.name, "low": MIN_SCORE, "high": MAX_SCORE}
                )
    cleaned_recommendation = None
    if not _blank(recommendation):
        cleaned_recommendation = _as_int(recommendation)
        if cleaned_recommendation not in Recommendation.values:
            errors["recommendation"].append(
                _("Choose one of the recommendations, from strong reject to strong accept.")
            )
            cleaned_recommendation = None
    elif complete:
        errors["recommendation"].append(_("Give your overall recommendation."))
    cleaned_confidence = None
    if not _blank(confidence):
        cleaned_confidence = _as_int(confidence)
        if cleaned_confidence is None or not MIN_SCORE <= cleaned_confidence <= MAX_SCORE:
            errors["confidence"].append(
                _("Give your confidence as a whole number from %(low)s to %(high)s.")
                % {"low": MIN_SCORE, "high": MAX_SCORE}
            )
            cleaned_confidence = None
    elif complete:
        errors["confidence"].append(_("Say how confident you are, from 1 to 5."))
    texts = {}
    for field, value in (
        ("comments_to_speakers", comments_to_speakers),
        ("comments_to_committee", comments_to_committee),
    ):
        text = "" if value is None else str(value).strip()
        if len(text) > MAX_COMMENTS_LENGTH:
            errors[field].append(_("Keep it under %(n)s characters.") % {"n": MAX_COMMENTS_LENGTH})
        if "\x00" in text:
            errors[field].append(_("The text contains a NUL character."))
        texts[field] = text
    if errors:
        raise ValidationError(dict(errors))
    return CleanReview(
        scores=cleaned_scores,
        recommendation=cleaned_recommendation,
        confidence=cleaned_confidence,
        **texts,
    )


def weighted_score(criteria: list[ReviewCriterion], scores: Mapping[int, int]) -> float | None:
    """Σ weight × score / Σ weight over `criteria` (the plain mean when all weights are 0);
    None without criteria or when a criterion has no score."""
    if not criteria or any(criterion.pk not in scores for criterion in criteria):
        return None
    total_weight = sum((Decimal(criterion.weight) for criterion in criteria), Decimal(0))
    if total_weight == 0:
        return sum(scores[criterion.pk] for criterion in criteria) / len(criteria)
    weighted = sum(
        (Decimal(criterion.weight) * scores[criterion.pk] for criterion in criteria), Decimal(0)
    )
    return float(weighted / total_weight)


def save_review(
    *,
    proposal: Proposal,
    reviewer: Any,
    scores: Mapping[Any, Any],
    recommendation: Any = None,
    confidence: Any = None,
    comments_to_speakers: Any = "",
    comments_to_committee: Any = "",
    now: datetime | None = None,
) -> Review:
    """Keep the reviewer's review of `proposal` as a draft (any part of it may be missing).

    Refused once it is submitted (change it by submitting again). Locks the assignment row.
    """
    return _write_review(
        proposal=proposal,
        reviewer=reviewer,
        values={
            "scores": scores,
            "recommendation": recommendation,
            "confidence": confidence,
            "comments_to_speakers": comments_to_speakers,
            "comments_to_committee": comments_to_committee,
        },
        submit=False,
        now=now or timezone.now(),
    )


def submit_review(
    *,
    proposal: Proposal,
    reviewer: Any,
    scores: Mapping[Any, Any],
    recommendation: Any,
    confidence: Any,
    comments_to_speakers: Any = "",
    comments_to_committee: Any = "",
    now: datetime | None = None,
) -> Review:
    """Submit the reviewer's review of `proposal`, complete: a score for every criterion, a
    recommendation and a confidence. Keeps `weighted_score`.

    The first submission records REVIEWED in the activity ledger; submitting again (until the
    deadline) changes the review and keeps the first `submitted_at`. Locks the assignment row.
    """
    return _write_review(
        proposal=proposal,
        reviewer=reviewer,
        values={
            "scores": scores,
            "recommendation": recommendation,
            "confidence": confidence,
            "comments_to_speakers": comments_to_speakers,
            "comments_to_committee": comments_to_committee,
        },
        submit=True,
        now=now or timezone.now(),
    )


def _write_review(
    *,
    proposal: Proposal,
    reviewer: Any,
    values: dict[str, Any],
    submit: bool,
    now: datetime,
) -> Review:
    proposal = Proposal.objects.select_related("edition").get(pk=proposal.pk)
    check_may_review(proposal=proposal, reviewer=reviewer, now=now)
    edition = proposal.edition
    criteria = list(ReviewCriterion.objects.filter(edition=edition).order_by("position", "pk"))
    clean = clean_review(criteria=criteria, complete=submit, **values)
    with transaction.atomic():
        assignment = (
            ReviewAssignment.objects.select_for_update()
            .filter(proposal=proposal, reviewer=reviewer)
            .first()
        )
        if assignment is None:  # removed by the chair meanwhile
            raise PermissionDenied(_("You are no longer assigned to review this proposal."))
        review = Review.objects.filter(assignment=assignment).first()
        if review is None:
            review = Review(assignment=assignment)
        if review.status == ReviewStatus.SUBMITTED and not submit:
            raise ReviewRefused(
                _(
                    "Your review is already submitted: change it and submit it again "
                    "(possible until %(when)s)."
                )
                % {"when": review_deadline_text(edition)},
                code="submitted",
            )
        first_submission = submit and review.submitted_at is None
        review.recommendation = clean.recommendation
        review.confidence = clean.confidence
        review.comments_to_speakers = clean.comments_to_speakers
        review.comments_to_committee = clean.comments_to_committee
        if submit:
            review.status = ReviewStatus.SUBMITTED
            review.weighted_score = weighted_score(criteria, clean.scores)
            review.submitted_at = review.submitted_at or now
        review.save()
        _store_scores(review, clean.scores)
        if first_submission:
            record_activity(
                kind=ActivityKind.REVIEWED,
                person_id=reviewer.pk,
                community_id=edition.community_id,
                subject=proposal,
                occurred_at=now,
                data={"edition": edition.pk, "recommendation": clean.recommendation},
            )
    return review


def _store_scores(review: Review, scores: dict[int, int]) -> None:
    """Make the review's score rows exactly `scores` (a cleared score is deleted)."""
    existing = {row.criterion_id: row for row in ReviewScore.objects.filter(review=review)}
    stale = [row.pk for criterion_id, row in existing.items() if criterion_id not in scores]
    if stale:
        ReviewScore.objects.filter(pk__in=stale).delete()
    changed = []
    new = []
    for criterion_id, score in scores.items():
        row = existing.get(criterion_id)
        if row is None:
            new.append(ReviewScore(review=review, criterion_id=criterion_id, score=score))
        elif row.score != score:
            row.score = score
            changed.append(row)
    if new:
        ReviewScore.objects.bulk_create(new)
    if changed:
        ReviewScore.objects.bulk_update(changed, ["score"])


def add_proposal_comment(
    *, proposal: Proposal, author: Any, body: Any, now: datetime | None = None
) -> ProposalComment:
    """Post to a proposal's discussion among its reviewers and the committee.

    Never its speakers (`can_discuss_proposal`); closed once the proposal is withdrawn. The
    same text posted twice by the same author within DOUBLE_POST_WINDOW returns the first.
    On commit, the others who discuss it are told by mail (`mails.reviews.mail_proposal_comment`:
    the text only to those who may read the others' opinions already).
    """
    from practica.conference.mails.reviews import mail_proposal_comment

    now = now or timezone.now()
    if not can_discuss_proposal(author, proposal):
        raise PermissionDenied(_("Only the proposal's reviewers and the committee discuss it."))
    if proposal.state in (ProposalState.WITHDRAWN, ProposalState.DRAFT):
        raise ReviewRefused(
            _("The speakers withdrew this proposal: its discussion is closed."),
            code="withdrawn",
        )
    text = "" if body is None else str(body).strip()
    if not text:
        raise ValidationError({"body": _("Write something before posting.")})
    if len(text) > MAX_DISCUSSION_LENGTH:
        raise ValidationError(
            {"body": _("Keep the comment under %(n)s characters.") % {"n": MAX_DISCUSSION_LENGTH}}
        )
    if "\x00" in text:
        raise ValidationError({"body": _("The text contains a NUL character.")})
    with transaction.atomic():
        same = ProposalComment.objects.filter(
            proposal=proposal, author=author, body=text, created_at__gte=now - DOUBLE_POST_WINDOW
        ).first()
        if same is not None:
            return same
        comment = ProposalComment.objects.create(
            proposal=proposal, author=author, body=text, created_at=now
        )
        # In the same transaction, like every outbox mail: the notice exists iff the comment does.
        mail_proposal_comment(comment_id=comment.pk)
    return comment


@dataclass(frozen=True)
class ReminderReport:
    """What one reminder run did: editions reminded, mails queued, assignments covered."""

    editions: int = 0
    mails: int = 0
    assignments: int = 0


def current_reminder_lead(edition: Edition, now: datetime) -> timedelta | None:
    """The reminder round `now` falls in (3 days or 1 day before the deadline), or None.

    A round runs from `deadline − lead` until the next round starts (or the deadline).
    """
    if now < edition.review_opens_at or now >= edition.review_closes_at:
        return None
    left = edition.review_closes_at - now
    for lead in sorted(REMINDER_LEADS):
        if left <= lead:
            return lead
    return None


def send_review_reminders(*, now: datetime | None = None) -> ReminderReport:
    """Mail every reviewer with unsubmitted reviews 3 days and 1 day before the deadline.

    One mail per reviewer and round, listing their proposals still to review (not started
    or draft, on proposals still in review). Idempotent in two ways: each reminded assignment
    records `reminded_at`, and an assignment is due in a round only if it was not reminded
    since the round began (so a later beat tick sends nothing, and a moved deadline starts
    the rounds afresh); the mail's idempotency key names the round and the deadline.
    `Edition.review_reminder_sent_at` records the edition's last round that mailed anyone
    (shown to the chair). One transaction per edition, locking the edition row.
    """
    now = now or timezone.now()
    furthest = max(REMINDER_LEADS)
    candidates = list(
        Edition.objects.filter(
            review_opens_at__lte=now,
            review_closes_at__gt=now,
            review_closes_at__lte=now + furthest,
        )
        .order_by("review_closes_at")
        .values_list("pk", flat=True)
    )
    editions = mails = assignments = 0
    for edition_id in candidates:
        sent, covered = _remind_edition(edition_id, now)
        if sent:
            editions += 1
            mails += sent
            assignments += covered
    return ReminderReport(editions=editions, mails=mails, assignments=assignments)


def _remind_edition(edition_id: int, now: datetime) -> tuple[int, int]:
    """Send one edition's due round: (mails, assignments); (0, 0) if nothing was due."""
    from practica.conference.mails.reviews import mail_review_reminder

    with transaction.atomic():
        edition = (
            Edition.objects.select_for_update(of=("self",))
            .select_related("community")
            .filter(pk=edition_id)
            .first()
        )
        if edition is None:
            return 0, 0
        lead = current_reminder_lead(edition, now)
        if lead is None:
            return 0, 0
        round_start = edition.review_closes_at - lead
        due = list(
            ReviewAssignment.objects.filter(
                proposal__edition=edition,
                proposal__state=ProposalState.SUBMITTED,
                reviewer__is_active=True,
            )
            .filter(Q(review__isnull=True) | Q(review__status=ReviewStatus.DRAFT))
            .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=round_start))
            .select_related("proposal", "reviewer", "review")
            .order_by("reviewer_id", "proposal__title", "pk")
        )
        by_reviewer: dict[int, list[ReviewAssignment]] = defaultdict(list)
        for assignment in due:
            by_reviewer[assignment.reviewer_id].append(assignment)
        sent = 0
        for pending in by_reviewer.values():
            if mail_review_reminder(edition=edition, assignments=pending, lead=lead):
                sent += 1
        if due:
            ReviewAssignment.objects.filter(pk__in=[a.pk for a in due]).update(reminded_at=now)
            Edition.objects.filter(pk=edition.pk).update(review_reminder_sent_at=now)
    return sent, len(due)
