"""Set-up shared by the reviews and decisions tests (test_reviews_*.py, test_decisions_*.py,
test_visibility.py): an edition in its review window, proposals with assigned reviewers, and
complete review values."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from practica.conference.models import Edition, ReviewCriterion, ReviewerVolunteer
from practica.conference.services.reviews import submit_review
from practica.mail.models import OutboundMessage
from tests.api.clients import API, token_client
from tests.factories.conference import (
    ProposalFactory,
    ReviewAssignmentFactory,
    ReviewerVolunteerFactory,
)
from tests.factories.people import UserFactory


def now():
    return timezone.now().replace(microsecond=0)


def move_to_review(edition: Edition) -> Edition:
    """The call closed 10 days ago; reviewing is open for 10 more days."""
    moment = now()
    Edition.objects.filter(pk=edition.pk).update(
        cfp_opens_at=moment - timedelta(days=40),
        cfp_closes_at=moment - timedelta(days=10),
        review_opens_at=moment - timedelta(days=10),
        review_closes_at=moment + timedelta(days=10),
        decisions_due_at=moment + timedelta(days=20),
    )
    edition.refresh_from_db()
    return edition


def move_past_review(edition: Edition) -> Edition:
    """The review deadline passed yesterday."""
    moment = now()
    Edition.objects.filter(pk=edition.pk).update(
        cfp_opens_at=moment - timedelta(days=40),
        cfp_closes_at=moment - timedelta(days=20),
        review_opens_at=moment - timedelta(days=20),
        review_closes_at=moment - timedelta(days=1),
        decisions_due_at=moment + timedelta(days=5),
    )
    edition.refresh_from_db()
    return edition


def reviewer_of(proposal, person=None):
    """A pool volunteer assigned to `proposal` (a new member unless `person` is given)."""
    person = person or UserFactory()
    if not ReviewerVolunteer.objects.filter(edition=proposal.edition, person=person).exists():
        ReviewerVolunteerFactory(edition=proposal.edition, person=person)
    ReviewAssignmentFactory(proposal=proposal, reviewer=person)
    return person


def criteria(edition):
    """Relevance (weight 2) and Clarity (weight 1), in the form's order."""
    return list(ReviewCriterion.objects.filter(edition=edition).order_by("position"))


def review_values(edition, *, relevance=4, clarity=3, recommendation=1, confidence=4, **extra):
    relevance_criterion, clarity_criterion = criteria(edition)
    values = {
        "scores": {relevance_criterion.pk: relevance, clarity_criterion.pk: clarity},
        "recommendation": recommendation,
        "confidence": confidence,
        "comments_to_speakers": "Tighten the abstract.",
        "comments_to_committee": "Solid but not new.",
    }
    values.update(extra)
    return values


def submitted(proposal, reviewer, **values):
    """`reviewer` submits a complete review of `proposal` (default values unless given)."""
    return submit_review(
        proposal=proposal, reviewer=reviewer, **review_values(proposal.edition, **values)
    )


def api_call(user, method, path, data=None):
    """The API as `user` (token auth; anonymous when None)."""
    client = token_client(user) if user is not None else Client()
    if method == "get":
        return client.get(f"{API}{path}", data or {})
    return getattr(client, method)(f"{API}{path}", data or {}, content_type="application/json")


def outbox():
    return list(OutboundMessage.objects.order_by("pk"))


@pytest.fixture
def outbox_backend(settings):
    """Tests swap EMAIL_BACKEND for locmem; these tests read the real outbox."""
    settings.EMAIL_BACKEND = "practica.mail.backends.OutboxEmailBackend"


@pytest.fixture
def reviewing(edition):
    return move_to_review(edition)


@pytest.fixture
def speaker(db):
    return UserFactory(display_name="Sam Speaker")


@pytest.fixture
def proposal(reviewing, speaker):
    talk = reviewing.formats.get(name="Talk")
    track = reviewing.tracks.get(name="Research")
    return ProposalFactory(
        edition=reviewing, created_by=speaker, format=talk, track=track, title="Shipping LLMs"
    )


@pytest.fixture
def reviewer(proposal):
    return reviewer_of(proposal, UserFactory(display_name="Rita Reviewer"))
