# Fixtures come from reviewing_setup; pytest injects them by name.
# ruff: noqa: F401, F811
"""The reviews API: my assignments, my review (save, submit), a proposal's reviews under the
visibility rules, and the discussion — happy paths and 401/403/404/409/422."""

import pytest

from practica.conference.models import ProposalComment, ProposalState, Review, ReviewStatus
from tests.conference.reviewing_setup import (
    api_call,
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


def review_body(edition, *, relevance=4, clarity=3, **extra):
    relevance_criterion, clarity_criterion = criteria(edition)
    body = {
        "scores": [
            {"criterion": relevance_criterion.pk, "score": relevance},
            {"criterion": clarity_criterion.pk, "score": clarity},
        ],
        "recommendation": 1,
        "confidence": 4,
        "comments_to_speakers": "Nice.",
        "comments_to_committee": "Fine.",
    }
    body.update(extra)
    return body


# --- My assignments and my review --------------------------------------------------------------


def test_my_assignments_are_only_mine(proposal, reviewer):
    reviewer_of(ProposalFactory(edition=proposal.edition))

    response = api_call(reviewer, "get", "/conference/reviews/mine")

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    [item] = data["items"]
    assert item["proposal"]["title"] == "Shipping LLMs"
    assert item["proposal"]["format"] == "Talk"
    assert item["proposal"]["track"] == "Research"
    assert item["review_state"] == "not_started"
    assert item["edition"]["id"] == proposal.edition_id
    assert (
        api_call(reviewer, "get", "/conference/reviews/mine", {"state": "submitted"}).json()[
            "count"
        ]
        == 0
    )
    assert (
        api_call(reviewer, "get", "/conference/reviews/mine", {"state": "bogus"}).status_code == 422
    )
    assert api_call(None, "get", "/conference/reviews/mine").status_code == 401


def test_save_then_submit_my_review(proposal, reviewer):
    path = f"/conference/proposals/{proposal.pk}/review"

    empty = api_call(reviewer, "get", path)
    draft = api_call(reviewer, "put", path, {"scores": [], "comments_to_speakers": "WIP"})
    done = api_call(reviewer, "post", f"{path}/submit", review_body(proposal.edition))

    assert empty.json()["status"] == "not_started"
    assert empty.json()["can_edit"] is True
    assert [s["name"] for s in empty.json()["scores"]] == ["Relevance", "Clarity"]
    assert draft.status_code == 200
    assert draft.json()["status"] == "draft"
    assert done.status_code == 200
    assert done.json()["status"] == "submitted"
    assert done.json()["weighted_score"] == pytest.approx(11 / 3)
    assert [s["score"] for s in done.json()["scores"]] == [4, 3]


def test_an_incomplete_submission_is_a_422_naming_each_gap(proposal, reviewer):
    relevance, clarity = criteria(proposal.edition)

    response = api_call(
        reviewer,
        "post",
        f"/conference/proposals/{proposal.pk}/review/submit",
        {"scores": [{"criterion": relevance.pk, "score": 5}]},
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {f"scores.{clarity.pk}", "recommendation", "confidence"}
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"scores": [{"criterion": 1, "score": 6}]},
        {"scores": [{"criterion": 1, "score": 0}]},
        {"scores": [{"criterion": 1, "score": "4"}]},
        {"confidence": 7},
        {"recommendation": 3},
        {"surprise": True},
        {"comments_to_speakers": "x" * 10001},
    ],
)
def test_bad_values_are_a_422(proposal, reviewer, body):
    response = api_call(reviewer, "put", f"/conference/proposals/{proposal.pk}/review", body)

    assert response.status_code == 422
    assert response.json()["errors"]
    assert not Review.objects.exists()


def test_a_criterion_twice_or_of_another_edition_is_a_422(proposal, reviewer):
    relevance, _clarity = criteria(proposal.edition)
    path = f"/conference/proposals/{proposal.pk}/review"

    twice = api_call(
        reviewer,
        "put",
        path,
        {
            "scores": [
                {"criterion": relevance.pk, "score": 3},
                {"criterion": relevance.pk, "score": 4},
            ]
        },
    )
    unknown = api_call(reviewer, "put", path, {"scores": [{"criterion": 999999, "score": 3}]})

    assert twice.status_code == 422
    assert "given twice" in twice.json()["errors"]["scores"][0]
    assert unknown.status_code == 422
    assert "not a criterion of this edition" in unknown.json()["errors"]["scores"][0]


def test_after_the_deadline_writing_is_a_409(proposal, reviewer):
    submitted(proposal, reviewer)
    move_past_review(proposal.edition)
    path = f"/conference/proposals/{proposal.pk}/review"

    response = api_call(
        reviewer, "post", f"{path}/submit", review_body(proposal.edition, relevance=1)
    )
    mine = api_call(reviewer, "get", path).json()

    assert response.status_code == 409
    assert response.json()["code"] == "closed"
    assert "The review deadline was" in response.json()["detail"]
    assert mine["can_edit"] is False
    assert "The review deadline was" in mine["refusal"]
    assert [s["score"] for s in mine["scores"]] == [4, 3]


def test_saving_a_submitted_review_as_draft_is_a_409(proposal, reviewer):
    submitted(proposal, reviewer)

    response = api_call(reviewer, "put", f"/conference/proposals/{proposal.pk}/review", {})

    assert response.status_code == 409
    assert response.json()["code"] == "submitted"
    assert Review.objects.get().status == ReviewStatus.SUBMITTED


def test_reviewing_ones_own_or_an_unassigned_proposal_is_a_403(proposal, speaker):
    reviewer_of(proposal, speaker)
    pool_reviewer = ReviewerVolunteerFactory(edition=proposal.edition).person
    path = f"/conference/proposals/{proposal.pk}/review/submit"

    own = api_call(speaker, "post", path, review_body(proposal.edition))
    unassigned = api_call(pool_reviewer, "post", path, review_body(proposal.edition))
    get_unassigned = api_call(pool_reviewer, "get", f"/conference/proposals/{proposal.pk}/review")

    assert own.status_code == 403
    assert own.json()["detail"] == "You cannot review your own proposal."
    assert unassigned.status_code == 403
    assert get_unassigned.status_code == 403
    assert not Review.objects.exists()


def test_an_invisible_proposal_is_a_404(proposal, reviewer):
    stranger = UserFactory()

    assert (
        api_call(stranger, "get", f"/conference/proposals/{proposal.pk}/review").status_code == 404
    )
    assert api_call(reviewer, "get", "/conference/proposals/999999/reviews").status_code == 404
    assert api_call(reviewer, "get", "/conference/proposals/0/reviews").status_code == 422


# --- A proposal's reviews ----------------------------------------------------------------------


def test_reviews_follow_the_visibility_rules(proposal, reviewer, speaker, committee_member):
    other = reviewer_of(proposal, UserFactory(display_name="Omar Other"))
    submitted(proposal, other, comments_to_speakers="Good start.")
    path = f"/conference/proposals/{proposal.pk}/reviews"

    before = api_call(reviewer, "get", path)
    submitted(proposal, reviewer, comments_to_speakers="")
    after = api_call(reviewer, "get", path)
    committee = api_call(committee_member, "get", path)
    speaker_early = api_call(speaker, "get", path)
    proposal.state = ProposalState.REJECTED
    proposal.save(update_fields=["state"])
    speaker_late = api_call(speaker, "get", path)

    assert before.status_code == 403
    assert before.json()["detail"] == (
        "Submit your own review first: the other reviews show after that."
    )
    assert after.status_code == 200
    assert after.json()["visibility"] == "full"
    assert {r["reviewer"]["display_name"] for r in after.json()["reviews"]} == {
        "Omar Other",
        "Rita Reviewer",
    }
    assert committee.json()["visibility"] == "full"
    assert speaker_early.status_code == 403
    assert speaker_late.status_code == 200
    assert speaker_late.json() == {
        "visibility": "speaker",
        "reviews": [],
        "comments_to_speakers": [{"number": 1, "text": "Good start."}],
    }
    assert "Omar" not in speaker_late.content.decode()


# --- The discussion ----------------------------------------------------------------------------


def test_the_discussion(proposal, reviewer, speaker, committee_member):
    path = f"/conference/proposals/{proposal.pk}/comments"

    created = api_call(reviewer, "post", path, {"body": "Seen this before?"})
    empty = api_call(reviewer, "post", path, {"body": ""})
    extra = api_call(reviewer, "post", path, {"body": "Hi", "author": 1})
    by_speaker = api_call(speaker, "post", path, {"body": "Me too"})
    read = api_call(committee_member, "get", path)
    read_by_speaker = api_call(speaker, "get", path)
    stranger = api_call(UserFactory(), "get", path)

    assert created.status_code == 201
    assert created.json()["author"]["display_name"] == "Rita Reviewer"
    assert empty.status_code == 422
    assert extra.status_code == 422
    assert by_speaker.status_code == 403
    assert read.json()["count"] == 1
    assert read.json()["items"][0]["body"] == "Seen this before?"
    assert read_by_speaker.status_code == 403
    assert stranger.status_code == 404
    assert ProposalComment.objects.count() == 1


def test_a_withdrawn_proposal_closes_its_discussion_with_a_409(proposal, committee_member):
    proposal.state = ProposalState.WITHDRAWN
    proposal.save(update_fields=["state"])

    response = api_call(
        committee_member, "post", f"/conference/proposals/{proposal.pk}/comments", {"body": "Pity"}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "withdrawn"
