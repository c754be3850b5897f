"""Double clicks on PostgreSQL with real threads: submitting one proposal many times at once
submits it once (one PROPOSED row, one mail), and volunteering many times at once makes one
seat in the reviewer pool."""

import pytest

from practica.conference.models import Proposal, ProposalState, ReviewerVolunteer
from practica.conference.services.pool import volunteer_to_review
from practica.conference.services.proposals import submit_proposal
from practica.core.models import Activity, ActivityKind
from practica.mail.models import OutboundMessage
from tests.concurrency import postgres_only, run_concurrently
from tests.conference.call_helpers import draft
from tests.factories.conference import (
    EditionFactory,
    ReviewCriterionFactory,
    SessionFormatFactory,
    TrackFactory,
)
from tests.factories.people import UserFactory

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 8


@pytest.fixture
def edition(settings):
    settings.EMAIL_BACKEND = "practica.mail.backends.OutboxEmailBackend"
    edition = EditionFactory()
    SessionFormatFactory(edition=edition, kind="talk", name="Talk", minutes=30)
    TrackFactory(edition=edition, name="Research")
    ReviewCriterionFactory(edition=edition, name="Relevance")
    return edition


def test_submitting_at_once_submits_once(edition):
    speaker = UserFactory()
    proposal = draft(edition, speaker)

    errors = run_concurrently(
        [
            lambda: submit_proposal(proposal=Proposal.objects.get(pk=proposal.pk), actor=speaker)
            for _ in range(ATTEMPTS)
        ]
    )

    assert errors == []
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.SUBMITTED
    assert Activity.objects.filter(kind=ActivityKind.PROPOSED, person=speaker).count() == 1
    assert OutboundMessage.objects.filter(to_email=speaker.email).count() == 1


def test_volunteering_at_once_makes_one_seat(edition):
    person = UserFactory()
    outcomes = []

    def volunteer():
        seat = volunteer_to_review(edition=edition, person=person, max_load=4)
        outcomes.append(seat.was_created)

    errors = run_concurrently([volunteer for _ in range(ATTEMPTS)])

    assert errors == []
    assert ReviewerVolunteer.objects.filter(edition=edition, person=person).count() == 1
    assert sorted(outcomes) == [False] * (ATTEMPTS - 1) + [True]
