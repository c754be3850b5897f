# Fixtures come from reviewing_setup; pytest injects them by name.
# ruff: noqa: F401, F811
"""The visibility rules of reviewing as a table of role × object × action, checked through the
predicates of `conference.permissions`, and the key rows again through the API and the pages.

Roles: anonymous, a plain member, a speaker of the proposal, its assigned reviewer before and
after submitting, another reviewer of the edition (in the pool, not assigned), a committee
member, the chair. The proposal is submitted and undecided unless the action says otherwise.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from practica.conference.models import ProposalState
from practica.conference.permissions import (
    can_decide,
    can_discuss_proposal,
    can_review,
    can_see_assignments,
    can_see_comments_to_speakers,
    can_see_reviews,
    can_see_speakers,
    can_view_proposal,
)
from tests.conference.reviewing_setup import (
    api_call,
    criteria,
    proposal,
    reviewer,
    reviewer_of,
    reviewing,
    speaker,
    submitted,
)
from tests.factories.conference import ReviewerVolunteerFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "member",
    "speaker",
    "reviewer_before",
    "reviewer_after",
    "other_reviewer",
    "committee",
    "chair",
)
ACTIONS = (
    "view_proposal",
    "see_speakers",
    "see_speakers_double_blind",
    "see_reviews",
    "see_reviewer_names",
    "see_comments_to_speakers",
    "see_comments_to_speakers_once_decided",
    "see_assignments",
    "discuss",
    "review",
    "decide",
)
T, F = True, False
# One row per role, one column per action (in ACTIONS order).
TABLE = {
    "anonymous":       (F, F, F, F, F, F, F, F, F, F, F),
    "member":          (F, F, F, F, F, F, F, F, F, F, F),
    "speaker":         (T, T, T, F, F, F, T, F, F, F, F),
    "reviewer_before": (T, T, F, F, F, F, F, F, T, T, F),
    "reviewer_after":  (T, T, F, T, T, T, T, F, T, T, F),
    "other_reviewer":  (T, T, F, F, F, F, F, F, F, F, F),
    "committee":       (T, T, T, T, T, T, T, T, T, F, F),
    "chair":           (T, T, T, T, T, T, T, T, T, F, T),
}  # fmt: skip


@pytest.fixture
def cast(proposal, reviewer, speaker, committee_member, chair):
    """Everyone in the table, with the 'after' reviewer's review submitted."""
    after = reviewer_of(proposal, UserFactory(display_name="Alex After"))
    submitted(proposal, after, comments_to_speakers="Well argued.")
    return {
        "anonymous": AnonymousUser(),
        "member": UserFactory(),
        "speaker": speaker,
        "reviewer_before": reviewer,
        "reviewer_after": after,
        "other_reviewer": ReviewerVolunteerFactory(edition=proposal.edition).person,
        "committee": committee_member,
        "chair": chair,
    }


def decided(proposal):
    proposal.state = ProposalState.ACCEPTED
    proposal.save(update_fields=["state"])
    return proposal


def allowed(action, user, proposal):
    if action == "view_proposal":
        return can_view_proposal(user, proposal)
    if action == "see_speakers":
        return can_see_speakers(user, proposal)
    if action == "see_speakers_double_blind":
        proposal.edition.double_blind = True
        proposal.edition.save(update_fields=["double_blind"])
        return can_see_speakers(user, proposal)
    if action in ("see_reviews", "see_reviewer_names"):
        # Names come only with the full reviews; the speakers' view never has them.
        return can_see_reviews(user, proposal)
    if action == "see_comments_to_speakers":
        return can_see_reviews(user, proposal) or can_see_comments_to_speakers(user, proposal)
    if action == "see_comments_to_speakers_once_decided":
        decided(proposal)
        return can_see_reviews(user, proposal) or can_see_comments_to_speakers(user, proposal)
    if action == "see_assignments":
        return can_see_assignments(user, proposal)
    if action == "discuss":
        return can_discuss_proposal(user, proposal)
    if action == "review":
        return can_review(user, proposal)
    assert action == "decide"
    return can_decide(user, proposal.edition)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_the_predicates_follow_the_table(cast, proposal, role, action):
    expected = TABLE[role][ACTIONS.index(action)]

    assert allowed(action, cast[role], proposal) is expected


def test_the_table_is_complete():
    assert set(TABLE) == set(ROLES)
    assert all(len(row) == len(ACTIONS) for row in TABLE.values())


# --- The key rows through the API ---------------------------------------------------------------


def caller(cast, role):
    return None if role == "anonymous" else cast[role]


REVIEWS_STATUS = {
    "anonymous": 401,
    "member": 404,
    "speaker": 403,
    "reviewer_before": 403,
    "reviewer_after": 200,
    "other_reviewer": 403,
    "committee": 200,
    "chair": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_reading_reviews_through_the_api(cast, proposal, role):
    response = api_call(caller(cast, role), "get", f"/conference/proposals/{proposal.pk}/reviews")

    assert response.status_code == REVIEWS_STATUS[role]
    if response.status_code == 200:
        assert response.json()["visibility"] == "full"
        assert response.json()["reviews"][0]["reviewer"]["display_name"] == "Alex After"


def test_a_speaker_reads_only_nameless_comments_once_decided(cast, proposal):
    decided(proposal)

    response = api_call(cast["speaker"], "get", f"/conference/proposals/{proposal.pk}/reviews")

    assert response.status_code == 200
    assert response.json() == {
        "visibility": "speaker",
        "reviews": [],
        "comments_to_speakers": [{"number": 1, "text": "Well argued."}],
    }
    assert "Alex" not in response.content.decode()


DISCUSS_STATUS = {
    "anonymous": 401,
    "member": 404,
    "speaker": 403,
    "reviewer_before": 201,
    "reviewer_after": 201,
    "other_reviewer": 403,
    "committee": 201,
    "chair": 201,
}


@pytest.mark.parametrize("role", ROLES)
def test_discussing_through_the_api(cast, proposal, role):
    response = api_call(
        caller(cast, role), "post", f"/conference/proposals/{proposal.pk}/comments", {"body": "Hm."}
    )

    assert response.status_code == DISCUSS_STATUS[role]


REVIEW_STATUS = {
    "anonymous": 401,
    "member": 404,
    "speaker": 403,
    "reviewer_before": 200,
    "reviewer_after": 200,
    "other_reviewer": 403,
    "committee": 403,
    "chair": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_reviewing_through_the_api(cast, proposal, role):
    relevance, clarity = criteria(proposal.edition)
    body = {
        "scores": [{"criterion": relevance.pk, "score": 3}, {"criterion": clarity.pk, "score": 3}],
        "recommendation": 0,
        "confidence": 3,
    }

    response = api_call(
        caller(cast, role), "post", f"/conference/proposals/{proposal.pk}/review/submit", body
    )

    assert response.status_code == REVIEW_STATUS[role]


DECIDE_STATUS = {
    "anonymous": 401,
    "member": 404,
    "speaker": 403,
    "reviewer_before": 403,
    "reviewer_after": 403,
    "other_reviewer": 403,
    "committee": 403,
    "chair": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_deciding_through_the_api(cast, proposal, role):
    response = api_call(
        caller(cast, role),
        "put",
        f"/conference/proposals/{proposal.pk}/decision",
        {"outcome": "accepted"},
    )

    assert response.status_code == DECIDE_STATUS[role]


# --- The key rows through the pages -------------------------------------------------------------


def page_for(cast, role, url):
    client = Client()
    if role != "anonymous":
        client.force_login(cast[role])
    return client.get(url)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        # (status, sees the speaker, sees who is assigned)
        ("reviewer_before", (200, False, False)),
        ("reviewer_after", (200, False, False)),
        ("committee", (200, True, True)),
        ("chair", (200, True, True)),
        ("other_reviewer", (403, False, False)),
        ("member", (404, False, False)),
    ],
)
def test_the_review_page_under_double_blind(cast, proposal, role, expected):
    status, sees_speaker, sees_assignments = expected
    proposal.edition.double_blind = True
    proposal.edition.save(update_fields=["double_blind"])

    response = page_for(cast, role, reverse("conference:review", args=[proposal.pk]))

    assert response.status_code == status
    body = response.content.decode()
    assert ("Sam Speaker" in body) is sees_speaker
    assert ("Assigned reviewers" in body) is sees_assignments


def test_a_reviewer_lists_only_their_own_assignments(cast, proposal):
    response = page_for(cast, "reviewer_before", reverse("conference:my_reviews"))
    mine = api_call(cast["reviewer_before"], "get", "/conference/reviews/mine").json()

    assert response.status_code == 200
    assert "Alex After" not in response.content.decode()
    assert mine["count"] == 1
    assert "reviewer" not in mine["items"][0]
