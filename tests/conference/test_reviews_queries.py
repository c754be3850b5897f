# Fixtures come from reviewing_setup; pytest injects them by name.
# ruff: noqa: F401, F811
"""Reads of reviewing: a proposal's reviews per viewer, a reviewer's own assignments, the
committee's view of who reviews."""

import pytest
from django.core.exceptions import PermissionDenied

from practica.conference.models import ProposalState
from practica.conference.queries.reviews import (
    FULL,
    SPEAKER,
    discussion,
    my_assignment_counts,
    my_assignments,
    review_progress,
    reviews_refusal,
    visible_reviews,
)
from practica.conference.services.reviews import add_proposal_comment, save_review
from tests.conference.reviewing_setup import (
    proposal,
    reviewer,
    reviewer_of,
    reviewing,
    speaker,
    submitted,
)
from tests.factories.conference import ProposalFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture
def second_reviewer(proposal):
    return reviewer_of(proposal, UserFactory(display_name="Omar Other"))


def decide(proposal, state=ProposalState.ACCEPTED):
    proposal.state = state
    proposal.save(update_fields=["state"])


def test_the_committee_sees_every_submitted_review_with_names_and_scores(
    proposal, reviewer, second_reviewer, committee_member
):
    submitted(proposal, reviewer, relevance=5, clarity=4)
    save_review(proposal=proposal, reviewer=second_reviewer, scores={})  # a draft: not shown

    shown = visible_reviews(proposal, committee_member)

    assert shown.visibility == FULL
    [review] = shown.reviews
    assert review.assignment.reviewer == reviewer
    assert [criterion.name for criterion in shown.criteria] == ["Relevance", "Clarity"]
    assert [(criterion.name, score) for criterion, score in review.score_list] == [
        ("Relevance", 5),
        ("Clarity", 4),
    ]
    assert review.comments_to_committee == "Solid but not new."


def test_a_reviewer_sees_the_others_only_after_submitting(proposal, reviewer, second_reviewer):
    submitted(proposal, second_reviewer)

    assert reviews_refusal(reviewer, proposal) == (
        "Submit your own review first: the other reviews show after that."
    )
    with pytest.raises(PermissionDenied, match="Submit your own review first"):
        visible_reviews(proposal, reviewer)

    submitted(proposal, reviewer)

    shown = visible_reviews(proposal, reviewer)
    assert shown.visibility == FULL
    assert {review.assignment.reviewer for review in shown.reviews} == {
        reviewer,
        second_reviewer,
    }


def test_speakers_see_only_numbered_comments_and_only_once_decided(
    proposal, reviewer, second_reviewer, speaker
):
    submitted(proposal, reviewer, comments_to_speakers="More data, please.")
    submitted(proposal, second_reviewer, comments_to_speakers="")

    assert "with the committee's decision" in reviews_refusal(speaker, proposal)
    with pytest.raises(PermissionDenied):
        visible_reviews(proposal, speaker)

    decide(proposal, ProposalState.REJECTED)
    shown = visible_reviews(proposal, speaker)

    assert shown.visibility == SPEAKER
    assert shown.reviews == []
    assert shown.comments_to_speakers == ["More data, please."]


def test_outsiders_see_no_reviews(proposal, reviewer):
    submitted(proposal, reviewer)

    assert reviews_refusal(UserFactory(), proposal) == (
        "Only the committee and the proposal's reviewers see its reviews."
    )


def test_my_assignments_are_only_mine_with_their_state(proposal, reviewer, second_reviewer):
    second = ProposalFactory(edition=proposal.edition, title="A second talk")
    third = ProposalFactory(edition=proposal.edition, title="Zebra talk")
    reviewer_of(second, reviewer)
    reviewer_of(third, reviewer)
    reviewer_of(third, second_reviewer)
    submitted(proposal, reviewer)
    save_review(proposal=second, reviewer=reviewer, scores={})

    rows = list(my_assignments(reviewer))

    assert [(row.proposal.title, row.review_state) for row in rows] == [
        ("A second talk", "draft"),
        ("Shipping LLMs", "submitted"),
        ("Zebra talk", "not_started"),
    ]
    assert {row.reviewer_id for row in rows} == {reviewer.pk}
    assert [row.proposal.title for row in my_assignments(reviewer, state="not_started")] == [
        "Zebra talk"
    ]
    counts = my_assignment_counts(reviewer)
    assert (counts.total, counts.submitted, counts.draft, counts.not_started) == (3, 1, 1, 1)
    assert list(my_assignments(UserFactory())) == []


def test_review_progress_lists_everyone_assigned(proposal, reviewer, second_reviewer):
    submitted(proposal, reviewer)

    progress = {row.reviewer.display_name: row.review_state for row in review_progress(proposal)}

    assert progress == {"Omar Other": "not_started", "Rita Reviewer": "submitted"}


def test_the_discussion_is_oldest_first(proposal, reviewer, committee_member):
    add_proposal_comment(proposal=proposal, author=reviewer, body="First")
    add_proposal_comment(proposal=proposal, author=committee_member, body="Second")

    assert [comment.body for comment in discussion(proposal)] == ["First", "Second"]
