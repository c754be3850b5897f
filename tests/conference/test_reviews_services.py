# Fixtures come from reviewing_setup; pytest injects them by name.
# ruff: noqa: F401, F811
"""Writing reviews: drafts, submission, the weighted score, who may review and when, bad input
answered with a clear message and nothing changed; the discussion thread."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from practica.conference.models import (
    Bid,
    BidLevel,
    DeclaredConflict,
    ProposalComment,
    ProposalState,
    Review,
    ReviewCriterion,
    ReviewScore,
    ReviewStatus,
)
from practica.conference.services.reviews import (
    ReviewRefused,
    add_proposal_comment,
    save_review,
    submit_review,
    weighted_score,
)
from practica.core.models import Activity, ActivityKind
from tests.conference.reviewing_setup import (
    criteria,
    move_past_review,
    proposal,
    reviewer,
    reviewer_of,
    reviewing,
    speaker,
    submitted,
)
from tests.factories.conference import (
    ProposalFactory,
    ReviewAssignmentFactory,
    ReviewerVolunteerFactory,
)
from tests.factories.people import OrgUnitFactory, UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def nothing_written():
    return not Review.objects.exists() and not ReviewScore.objects.exists()


# --- Drafts and submission --------------------------------------------------------------------


def test_a_draft_keeps_what_is_given_and_records_no_activity(proposal, reviewer):
    relevance, _clarity = criteria(proposal.edition)

    review = save_review(
        proposal=proposal, reviewer=reviewer, scores={relevance.pk: 4}, comments_to_speakers=" Hi "
    )

    assert review.status == ReviewStatus.DRAFT
    assert review.weighted_score is None
    assert review.submitted_at is None
    assert review.comments_to_speakers == "Hi"
    assert dict(review.scores.values_list("criterion_id", "score")) == {relevance.pk: 4}
    assert not Activity.objects.filter(kind=ActivityKind.REVIEWED).exists()


def test_saving_the_draft_again_replaces_and_clears_scores(proposal, reviewer):
    relevance, clarity = criteria(proposal.edition)
    save_review(proposal=proposal, reviewer=reviewer, scores={relevance.pk: 4, clarity.pk: 2})

    review = save_review(proposal=proposal, reviewer=reviewer, scores={relevance.pk: 5})

    assert Review.objects.count() == 1
    assert dict(review.scores.values_list("criterion_id", "score")) == {relevance.pk: 5}


def test_submitting_keeps_the_weighted_score_and_records_reviewed_once(proposal, reviewer):
    review = submitted(proposal, reviewer, relevance=4, clarity=3)

    assert review.status == ReviewStatus.SUBMITTED
    # Relevance weighs 2, clarity 1: (2×4 + 1×3) / 3.
    assert review.weighted_score == pytest.approx(11 / 3)
    first_submitted_at = review.submitted_at
    assert first_submitted_at is not None
    [activity] = Activity.objects.filter(kind=ActivityKind.REVIEWED)
    assert activity.person_id == reviewer.pk
    assert activity.subject_id == proposal.pk
    assert activity.community_id == proposal.edition.community_id

    again = submitted(proposal, reviewer, relevance=2, clarity=2, recommendation=-1)

    assert again.pk == review.pk
    assert again.weighted_score == pytest.approx(2.0)
    assert again.recommendation == -1
    assert again.submitted_at == first_submitted_at
    assert Activity.objects.filter(kind=ActivityKind.REVIEWED).count() == 1


def test_a_submitted_review_does_not_go_back_to_draft(proposal, reviewer):
    submitted(proposal, reviewer)

    with pytest.raises(ReviewRefused) as refused:
        save_review(proposal=proposal, reviewer=reviewer, scores={})

    assert refused.value.code == "submitted"
    assert "submit it again" in refused.value.messages[0]
    assert Review.objects.get().status == ReviewStatus.SUBMITTED


def test_submitting_names_every_missing_answer_and_writes_nothing(proposal, reviewer):
    relevance, clarity = criteria(proposal.edition)

    with pytest.raises(ValidationError) as error:
        submit_review(
            proposal=proposal,
            reviewer=reviewer,
            scores={relevance.pk: 3},
            recommendation=None,
            confidence="",
        )

    messages = error.value.message_dict
    assert set(messages) == {f"scores.{clarity.pk}", "recommendation", "confidence"}
    assert "Clarity" in messages[f"scores.{clarity.pk}"][0]
    assert nothing_written()


@pytest.mark.parametrize("bad", [0, 6, -1, "high", 2.5, True, "3.5"])
def test_scores_out_of_range_are_refused(proposal, reviewer, bad):
    relevance, _clarity = criteria(proposal.edition)

    with pytest.raises(ValidationError) as error:
        save_review(proposal=proposal, reviewer=reviewer, scores={relevance.pk: bad})

    assert error.value.message_dict[f"scores.{relevance.pk}"] == [
        "Score “Relevance” with a whole number from 1 to 5."
    ]
    assert nothing_written()


def test_a_criterion_of_another_edition_is_refused(proposal, reviewer):
    foreign = ReviewCriterion.objects.create(
        edition=ProposalFactory().edition, name="Novelty", weight=1
    )

    with pytest.raises(ValidationError) as error:
        submitted(proposal, reviewer, scores={foreign.pk: 3})

    assert "is not a criterion of this edition" in error.value.message_dict["scores"][0]
    assert nothing_written()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("recommendation", 3, "Choose one of the recommendations"),
        ("recommendation", "yes", "Choose one of the recommendations"),
        ("confidence", 0, "whole number from 1 to 5"),
        ("confidence", 9, "whole number from 1 to 5"),
        ("comments_to_speakers", "x" * 10001, "under 10000 characters"),
        ("comments_to_committee", "a\x00b", "NUL"),
    ],
)
def test_other_bad_values_name_their_field(proposal, reviewer, field, value, message):
    with pytest.raises(ValidationError) as error:
        submitted(proposal, reviewer, **{field: value})

    assert message in error.value.message_dict[field][0]
    assert nothing_written()


def test_the_weighted_score_is_the_plain_mean_when_all_weights_are_zero(reviewing):
    ReviewCriterion.objects.filter(edition=reviewing).update(weight=0)
    relevance, clarity = criteria(reviewing)

    assert weighted_score([relevance, clarity], {relevance.pk: 5, clarity.pk: 2}) == 3.5
    assert weighted_score([], {}) is None
    assert weighted_score([relevance, clarity], {relevance.pk: 5}) is None


def test_an_edition_without_criteria_keeps_no_weighted_score(proposal, reviewer):
    ReviewCriterion.objects.filter(edition=proposal.edition).delete()

    review = submit_review(
        proposal=proposal, reviewer=reviewer, scores={}, recommendation=2, confidence=5
    )

    assert review.status == ReviewStatus.SUBMITTED
    assert review.weighted_score is None


# --- Who may review ----------------------------------------------------------------------------


def test_only_an_assigned_reviewer_reviews(proposal):
    stranger = UserFactory()
    ReviewerVolunteerFactory(edition=proposal.edition, person=stranger)

    with pytest.raises(PermissionDenied, match="not assigned"):
        submitted(proposal, stranger)

    assert nothing_written()


def test_no_one_reviews_their_own_proposal(proposal, speaker):
    ReviewAssignmentFactory(proposal=proposal, reviewer=speaker)

    with pytest.raises(PermissionDenied, match="your own proposal"):
        submitted(proposal, speaker)

    assert nothing_written()


def test_a_co_speaker_invited_but_not_yet_accepted_is_refused(proposal):
    co_speaker = UserFactory()
    proposal.speakers.create(person=co_speaker, email=co_speaker.email, status="invited")
    ReviewAssignmentFactory(proposal=proposal, reviewer=co_speaker)

    with pytest.raises(PermissionDenied, match="invited as one of its speakers"):
        submitted(proposal, co_speaker)


def test_a_declared_conflict_is_refused_without_naming_the_speaker(proposal, reviewer):
    DeclaredConflict.objects.create(proposal=proposal, person=reviewer, reason="Sam's mentor")

    with pytest.raises(PermissionDenied) as refused:
        submitted(proposal, reviewer)

    assert "a conflict of interest was declared" in str(refused.value)
    assert "Ask the chair" in str(refused.value)
    assert "Sam" not in str(refused.value)
    assert nothing_written()


def test_a_conflict_bid_is_refused(proposal, reviewer):
    volunteer = proposal.edition.reviewers.get(person=reviewer)
    Bid.objects.create(reviewer=volunteer, proposal=proposal, level=BidLevel.CONFLICT)

    with pytest.raises(PermissionDenied, match="marked it as a conflict"):
        submitted(proposal, reviewer)


def test_the_same_team_as_a_speaker_is_a_conflict_found_again_at_review_time(proposal, speaker):
    team = OrgUnitFactory(kind="team")
    speaker.org_unit = team
    speaker.save(update_fields=["org_unit"])
    teammate = reviewer_of(proposal, UserFactory(org_unit=team))

    with pytest.raises(PermissionDenied, match="same team"):
        submitted(proposal, teammate)


# --- When --------------------------------------------------------------------------------------


def test_reviewing_has_not_opened_while_the_call_is_open(edition):
    proposal = ProposalFactory(edition=edition)
    person = reviewer_of(proposal)

    with pytest.raises(ReviewRefused) as refused:
        submitted(proposal, person)

    assert refused.value.code == "not_open"
    assert "(Europe/Berlin)" in refused.value.messages[0]
    assert nothing_written()


def test_after_the_deadline_nothing_is_written_or_changed(proposal, reviewer):
    review = submitted(proposal, reviewer, relevance=5)
    move_past_review(proposal.edition)
    proposal.refresh_from_db()

    with pytest.raises(ReviewRefused) as refused:
        submitted(proposal, reviewer, relevance=1)

    assert refused.value.code == "closed"
    message = refused.value.messages[0]
    assert message.startswith("The review deadline was ")
    assert "(Europe/Berlin)" in message
    assert ReviewScore.objects.get(review=review, criterion__name="Relevance").score == 5


def test_a_withdrawn_proposal_needs_no_review(proposal, reviewer):
    proposal.state = ProposalState.WITHDRAWN
    proposal.save(update_fields=["state"])

    with pytest.raises(ReviewRefused) as refused:
        submitted(proposal, reviewer)

    assert refused.value.code == "withdrawn"
    assert nothing_written()


def test_a_decided_proposal_closes_its_reviews(proposal, reviewer):
    proposal.state = ProposalState.ACCEPTED
    proposal.save(update_fields=["state"])

    with pytest.raises(ReviewRefused) as refused:
        save_review(proposal=proposal, reviewer=reviewer, scores={})

    assert refused.value.code == "decided"


# --- The discussion ----------------------------------------------------------------------------


def test_reviewers_and_the_committee_discuss(proposal, reviewer, committee_member, chair):
    first = add_proposal_comment(proposal=proposal, author=reviewer, body=" I disagree. ")
    add_proposal_comment(proposal=proposal, author=committee_member, body="Why?")
    add_proposal_comment(proposal=proposal, author=chair, body="Let's talk.")

    assert first.body == "I disagree."
    assert list(ProposalComment.objects.values_list("body", flat=True)) == [
        "I disagree.",
        "Why?",
        "Let's talk.",
    ]


def test_the_same_comment_twice_is_one_comment(proposal, reviewer):
    first = add_proposal_comment(proposal=proposal, author=reviewer, body="Agreed.")
    second = add_proposal_comment(proposal=proposal, author=reviewer, body="Agreed.")

    assert first.pk == second.pk
    later = add_proposal_comment(
        proposal=proposal,
        author=reviewer,
        body="Agreed.",
        now=first.created_at + timedelta(minutes=10),
    )
    assert later.pk != first.pk


@pytest.mark.parametrize("who", ["speaker", "member", "pool_reviewer"])
def test_speakers_and_outsiders_do_not_discuss(proposal, speaker, who):
    author = {
        "speaker": speaker,
        "member": UserFactory(),
        "pool_reviewer": ReviewerVolunteerFactory(edition=proposal.edition).person,
    }[who]

    with pytest.raises(PermissionDenied, match="reviewers and the committee"):
        add_proposal_comment(proposal=proposal, author=author, body="Hello")

    assert not ProposalComment.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write something"), ("   ", "Write something"), ("x" * 5001, "under 5000")],
)
def test_an_empty_or_long_comment_is_refused(proposal, reviewer, body, message):
    with pytest.raises(ValidationError) as error:
        add_proposal_comment(proposal=proposal, author=reviewer, body=body)

    assert message in error.value.message_dict["body"][0]
    assert not ProposalComment.objects.exists()


def test_a_withdrawn_proposal_closes_its_discussion(proposal, committee_member):
    proposal.state = ProposalState.WITHDRAWN
    proposal.save(update_fields=["state"])

    with pytest.raises(ReviewRefused):
        add_proposal_comment(proposal=proposal, author=committee_member, body="Pity.")
