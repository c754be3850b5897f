"""Factories for strategy versions, their sections, and maturity assessments."""

import datetime
from decimal import Decimal

import factory

from practica.communities.models import (
    MaturityAssessment,
    MaturityCompetency,
    MaturityScore,
    StrategyAudience,
    StrategyLeader,
    StrategyStatus,
    StrategyTarget,
    StrategyVersion,
    TargetComparison,
)
from tests.factories.communities import CommunityFactory
from tests.factories.people import UserFactory


class StrategyVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategyVersion

    community = factory.SubFactory(CommunityFactory)
    number = factory.Sequence(lambda n: n + 1)
    status = StrategyStatus.DRAFT
    summary = "Help every practitioner at the company learn from the others."
    goals = factory.LazyFunction(lambda: ["Faster answers for the field"])
    scenarios = factory.LazyFunction(lambda: ["I can find a practitioner who knows"])
    principles = factory.LazyFunction(lambda: ["We don't try to control the conversation"])


class ApprovedStrategyFactory(StrategyVersionFactory):
    status = StrategyStatus.APPROVED
    approved_by = factory.SubFactory(UserFactory)
    approved_at = factory.LazyFunction(
        lambda: datetime.datetime(2021, 3, 12, 10, 0, tzinfo=datetime.UTC)
    )


class StrategyAudienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategyAudience

    version = factory.SubFactory(StrategyVersionFactory)
    label = factory.Sequence(lambda n: f"Audience {n}")
    role = "data_scientist"


class StrategyTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategyTarget

    version = factory.SubFactory(StrategyVersionFactory)
    metric_key = "members"
    comparison = TargetComparison.AT_LEAST
    target_value = Decimal("10")
    amber_margin_percent = 10


class StrategyLeaderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategyLeader

    version = factory.SubFactory(StrategyVersionFactory)
    person = factory.SubFactory(UserFactory)
    remit = "Events and the conference"


class MaturityAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaturityAssessment
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    assessed_on = datetime.date(2020, 6, 1)
    note = ""

    @factory.post_generation
    def stages(self, create, extracted, **kwargs):
        """`stages={competency: stage}`; the competencies left out get stage 2."""
        if not create:
            return
        given = extracted or {}
        MaturityScore.objects.bulk_create(
            MaturityScore(
                assessment=self, competency=competency.value, stage=given.get(competency.value, 2)
            )
            for competency in MaturityCompetency
        )
