"""Factories for the contributor ladder, the opportunities board and the ledger rows they read."""

import factory
from django.utils import timezone

from practica.communities.models import (
    ContributionAsk,
    LadderRung,
    LadderStep,
    LadderStepSource,
    Opportunity,
    OpportunityKind,
    Volunteer,
)
from practica.core.models import Activity, ActivityKind
from tests.factories.communities import CommunityFactory
from tests.factories.people import UserFactory


class LadderRungFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LadderRung

    community = factory.SubFactory(CommunityFactory)
    position = factory.LazyAttribute(
        lambda rung: LadderRung.objects.filter(community=rung.community).count() + 1
    )
    name = factory.Sequence(lambda n: f"Rung {n}")
    description = ""
    requirements = factory.LazyFunction(dict)


class LadderStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LadderStep

    rung = factory.SubFactory(LadderRungFactory)
    community = factory.LazyAttribute(lambda step: step.rung.community)
    person = factory.SubFactory(UserFactory)
    reached_at = factory.LazyFunction(timezone.now)
    source = LadderStepSource.EARNED


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    community = factory.SubFactory(CommunityFactory)
    kind = OpportunityKind.REVIEWERS
    title = factory.Sequence(lambda n: f"Reviewers wanted {n}")
    description = "Help us pick the talks."


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    opportunity = factory.SubFactory(OpportunityFactory)
    person = factory.SubFactory(UserFactory)
    message = "Happy to help."


class ContributionAskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContributionAsk

    community = factory.SubFactory(CommunityFactory)
    person = factory.SubFactory(UserFactory)
    asked_at = factory.LazyFunction(timezone.now)


class LedgerRowFactory(factory.django.DjangoModelFactory):
    """One `core.Activity` row, as the apps that record contributions write them."""

    class Meta:
        model = Activity

    kind = ActivityKind.ANSWERED
    person = factory.SubFactory(UserFactory)
    community = factory.SubFactory(CommunityFactory)
    occurred_at = factory.LazyFunction(timezone.now)
    data = factory.LazyFunction(dict)
