"""Races on PostgreSQL with real threads: managers accepting the last place at once accept
one volunteer; a double click volunteers once and asks once; two placement runs at once
place each member once."""

import pytest
from django.core.exceptions import ValidationError

from practica.communities.ladder import opportunity_services as board
from practica.communities.ladder import services
from practica.communities.models import (
    ContributionAsk,
    LadderStep,
    MembershipRole,
    Volunteer,
    VolunteerStatus,
)
from practica.core.models import Activity, ActivityKind
from practica.mail.models import OutboundMessage
from tests.concurrency import postgres_only, run_concurrently
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.ladder import LedgerRowFactory, OpportunityFactory, VolunteerFactory

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 6


@pytest.fixture
def ml(settings):
    settings.EMAIL_BACKEND = "practica.mail.backends.OutboxEmailBackend"
    community = CommunityFactory(slug="machine-learning")
    managers = [
        MembershipFactory(community=community, role=MembershipRole.MANAGER).person
        for _ in range(ATTEMPTS)
    ]
    return community, managers


def test_accepting_the_last_place_at_once_accepts_one(ml):
    community, managers = ml
    call = OpportunityFactory(community=community, seats=1)
    offers = [
        VolunteerFactory(opportunity=call, person=MembershipFactory(community=community).person)
        for _ in range(ATTEMPTS)
    ]

    errors = run_concurrently(
        [
            lambda offer=offer, manager=manager: board.accept_volunteer(
                volunteer=offer, actor=manager
            )
            for offer, manager in zip(offers, managers, strict=True)
        ]
    )

    assert len(errors) == ATTEMPTS - 1
    assert all(isinstance(error, ValidationError) for error in errors)
    assert Volunteer.objects.filter(status=VolunteerStatus.ACCEPTED).count() == 1
    assert Activity.objects.filter(kind=ActivityKind.VOLUNTEERED).count() == 1


def test_volunteering_at_once_offers_once(ml):
    community, managers = ml
    call = OpportunityFactory(community=community, created_by=managers[0])
    person = MembershipFactory(community=community).person

    errors = run_concurrently(
        [
            lambda: board.volunteer_for_opportunity(opportunity=call, person=person)
            for _ in range(ATTEMPTS)
        ]
    )

    assert errors == []
    assert Volunteer.objects.filter(person=person).count() == 1
    assert OutboundMessage.objects.filter(to_email=managers[0].email).count() == 1


def test_asking_at_once_asks_once(ml):
    community, managers = ml
    person = MembershipFactory(community=community).person

    errors = run_concurrently(
        [
            lambda: services.ask_to_contribute(
                community=community, person=person, actor=managers[0]
            )
            for _ in range(ATTEMPTS)
        ]
    )

    assert len(errors) == ATTEMPTS - 1
    assert ContributionAsk.objects.count() == 1
    assert OutboundMessage.objects.filter(to_email=person.email).count() == 1


def test_two_placement_runs_at_once_place_each_member_once(ml):
    community, managers = ml
    services.create_default_ladder(community=community, actor=managers[0])
    people = [MembershipFactory(community=community).person for _ in range(10)]
    for person in people:
        LedgerRowFactory(kind=ActivityKind.ANSWERED, person=person, community=community)

    errors = run_concurrently([services.place_members_on_ladders for _ in range(3)])

    assert errors == []
    assert LadderStep.objects.count() == 10
