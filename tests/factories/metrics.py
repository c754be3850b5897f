"""Factories for the rows the metric definitions read that have no factory elsewhere:
ledger activity, affiliation history and event feedback."""

from datetime import date

import factory
from django.utils import timezone

from practica.core.models import Activity, ActivityKind
from practica.events.models import Feedback
from practica.people.models import Affiliation
from tests.factories.communities import CommunityFactory
from tests.factories.events import EventFactory
from tests.factories.people import UserFactory


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    kind = ActivityKind.ANSWERED
    person = factory.SubFactory(UserFactory)
    community = factory.SubFactory(CommunityFactory)
    occurred_at = factory.LazyFunction(timezone.now)


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    person = factory.SubFactory(UserFactory)
    org_unit = factory.LazyAttribute(lambda row: row.person.org_unit)
    job_title = "Engineer"
    valid_from = date(2020, 1, 1)
    valid_to = None


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    event = factory.SubFactory(EventFactory)
    person = factory.SubFactory(UserFactory)
    satisfaction = 5
    submitted_at = factory.LazyFunction(timezone.now)
