# Fixtures come from reviewing_setup; pytest injects them by name.
# ruff: noqa: F401, F811
"""The reviewing screens: my assignments, the review page (form, other reviews after one's
own, double-blind, the discussion, who reviews), the speakers' feedback page — who may open
what, and bad input answered beside the field, never a 500."""

import pytest
from django.urls import reverse

from practica.conference.models import (
    Edition,
    ProposalComment,
    ProposalState,
    Review,
    ReviewStatus,
)
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
from tests.factories.conference import ProposalFactory, ReviewerVolunteerFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


def page(proposal):
    return reverse("conference:review", args=[proposal.pk])


def as_user(client, user):
    client.force_login(user)
    return client


def form_data(edition, *, relevance="4", clarity="3", **extra):
    relevance_criterion, clarity_criterion = criteria(edition)
    data = {
        f"score_{relevance_criterion.pk}": relevance,
        f"score_{clarity_criterion.pk}": clarity,
        "recommendation": "1",
        "confidence": "4",
        "comments_to_speakers": "Nice.",
        "comments_to_committee": "Fine.",
    }
    data.update(extra)
    return {key: value for key, value in data.items() if value is not None}


# --- My assignments ----------------------------------------------------------------------------


def test_my_assignments_list_only_mine(client, proposal, reviewer):
    other = ProposalFactory(edition=proposal.edition, title="Someone else's")
    reviewer_of(other)

    response = as_user(client, reviewer).get(reverse("conference:my_reviews"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Shipping LLMs" in body
    assert "Someone else&#x27;s" not in body
    assert "Not started" in body


def test_my_assignments_empty_and_filtered(client, proposal, reviewer):
    response = as_user(client, UserFactory()).get(reverse("conference:my_reviews"))
    assert "No proposals to review" in response.content.decode()

    response = as_user(client, reviewer).get(
        reverse("conference:my_reviews"), {"state": "submitted"}
    )
    assert "No reviews in this state" in response.content.decode()
    bad = client.get(reverse("conference:my_reviews"), {"state": "bogus", "page": "x"})
    assert bad.status_code == 200


def test_anonymous_visitors_sign_in_first(client, proposal):
    response = client.get(page(proposal))

    assert response.status_code == 302
    assert "sign-in" in response["Location"]


# --- The review page ---------------------------------------------------------------------------


def test_the_reviewer_gets_the_form_and_not_the_other_reviews_yet(client, proposal, reviewer):
    submitted(proposal, reviewer_of(proposal), comments_to_committee="SECRET-OTHER")

    response = as_user(client, reviewer).get(page(proposal))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Relevance" in body
    assert 'type="radio"' in body
    assert "Submit your own review first" in body
    assert "SECRET-OTHER" not in body
    assert "Sam Speaker" in body  # not double-blind
    assert "Assigned reviewers" not in body


def test_after_submitting_the_reviewer_sees_the_others(client, proposal, reviewer):
    submitted(proposal, reviewer_of(proposal), comments_to_committee="SECRET-OTHER")
    submitted(proposal, reviewer)

    body = as_user(client, reviewer).get(page(proposal)).content.decode()

    assert "SECRET-OTHER" in body
    assert "Submit the changes" in body


def test_double_blind_hides_the_speakers_from_reviewers_not_the_committee(
    client, proposal, reviewer, committee_member
):
    Edition.objects.filter(pk=proposal.edition_id).update(double_blind=True)

    reviewer_body = as_user(client, reviewer).get(page(proposal)).content.decode()
    committee_body = as_user(client, committee_member).get(page(proposal)).content.decode()

    assert "Sam Speaker" not in reviewer_body
    assert "Hidden: this edition reviews double-blind." in reviewer_body
    assert "Sam Speaker" in committee_body
    assert "Assigned reviewers" in committee_body
    assert "Rita Reviewer" in committee_body


def test_saving_a_draft_and_submitting(client, proposal, reviewer):
    as_user(client, reviewer)

    draft = client.post(page(proposal), {**form_data(proposal.edition, clarity=None), "save": "1"})

    assert draft.status_code == 302
    review = Review.objects.get()
    assert review.status == ReviewStatus.DRAFT
    assert "Draft saved" in client.get(page(proposal)).content.decode()

    done = client.post(page(proposal), {**form_data(proposal.edition), "submit": "1"})

    assert done.status_code == 302
    assert done["Location"].endswith("#reviews")
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert review.weighted_score == pytest.approx(11 / 3)


def test_submitting_an_incomplete_review_shows_each_missing_answer(client, proposal, reviewer):
    response = as_user(client, reviewer).post(
        page(proposal),
        {**form_data(proposal.edition, clarity=None, confidence=None), "submit": "1"},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Score “Clarity” from 1 to 5 before submitting." in body
    assert "Say how confident you are" in body
    assert not Review.objects.exists()


def test_a_score_out_of_range_is_refused(client, proposal, reviewer):
    response = as_user(client, reviewer).post(
        page(proposal), {**form_data(proposal.edition, relevance="9"), "submit": "1"}
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Review.objects.exists()


def test_after_the_deadline_the_form_is_closed_with_the_reason(client, proposal, reviewer):
    submitted(proposal, reviewer, relevance=5)
    move_past_review(proposal.edition)
    as_user(client, reviewer)

    shown = client.get(page(proposal)).content.decode()
    posted = client.post(
        page(proposal), {**form_data(proposal.edition, relevance="1"), "submit": "1"}
    )

    assert "The review deadline was" in shown
    assert 'name="submit"' not in shown
    assert posted.status_code == 400
    assert "The review deadline was" in posted.content.decode()
    assert Review.objects.get().scores.get(criterion__name="Relevance").score == 5


def test_reviewing_ones_own_proposal_is_refused(client, proposal, speaker):
    reviewer_of(proposal, speaker)

    response = as_user(client, speaker).post(
        page(proposal), {**form_data(proposal.edition), "submit": "1"}
    )

    # The speaker's way in is the feedback page; the review is never written.
    assert response.status_code == 302
    assert response["Location"] == reverse("conference:review_feedback", args=[proposal.pk])
    assert not Review.objects.exists()


def test_outsiders_get_403_or_404(client, proposal):
    pool_reviewer = ReviewerVolunteerFactory(edition=proposal.edition).person

    assert as_user(client, pool_reviewer).get(page(proposal)).status_code == 403
    assert as_user(client, UserFactory()).get(page(proposal)).status_code == 404
    assert client.get(reverse("conference:review", args=[999999])).status_code == 404


def test_a_draft_proposal_is_not_found_for_a_reviewer(client, reviewing, reviewer):
    draft = ProposalFactory(edition=reviewing, state=ProposalState.DRAFT)
    reviewer_of(draft, reviewer)

    assert as_user(client, reviewer).get(page(draft)).status_code == 404


# --- The discussion ----------------------------------------------------------------------------


def test_posting_to_the_discussion(client, proposal, reviewer):
    url = reverse("conference:review_comment", args=[proposal.pk])
    as_user(client, reviewer)

    empty = client.post(url, {"body": "  "})
    posted = client.post(url, {"body": "Too similar to last year's."})

    assert empty.status_code == 400
    assert "Write something before posting." in empty.content.decode()
    assert posted.status_code == 302
    assert ProposalComment.objects.get().body == "Too similar to last year's."
    assert "Too similar to last year" in client.get(page(proposal)).content.decode()


def test_speakers_cannot_post_to_the_discussion(client, proposal, speaker):
    response = as_user(client, speaker).post(
        reverse("conference:review_comment", args=[proposal.pk]), {"body": "Hi"}
    )

    assert response.status_code == 403
    assert not ProposalComment.objects.exists()


# --- The speakers' feedback page ---------------------------------------------------------------


def test_speakers_read_the_comments_without_names_once_decided(client, proposal, speaker, reviewer):
    submitted(proposal, reviewer, comments_to_speakers="Add a demo.")
    url = reverse("conference:review_feedback", args=[proposal.pk])
    as_user(client, speaker)

    before = client.get(url).content.decode()
    proposal.state = ProposalState.WAITLISTED
    proposal.save(update_fields=["state"])
    after = client.get(url).content.decode()

    assert "reach you with the committee" in before
    assert "Add a demo." not in before
    assert "Add a demo." in after
    assert "Reviewer 1" in after
    assert "Rita" not in after


def test_the_feedback_page_is_the_speakers_only(client, proposal, reviewer):
    url = reverse("conference:review_feedback", args=[proposal.pk])

    assert as_user(client, reviewer).get(url).status_code == 403
