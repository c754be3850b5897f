"""Factories for the rows the metric definitions read that have no factory elsewhere:
ledger activity, affiliation history and event feedback."""

import hashlib
from datetime import date, timedelta

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


# --- Pulse surveys (helper H4) ---------------------------------------------------------------


class PulseSurveyFactory(factory.django.DjangoModelFactory):
    """A pulse; `status` scheduled. Invite people with `send_pulse` or PulseInvitationFactory."""

    class Meta:
        model = "metrics.PulseSurvey"

    community = factory.SubFactory(CommunityFactory)
    question = "How likely are you to recommend this community to a colleague?"
    sample_size = None
    send_at = factory.LazyFunction(timezone.now)
    closes_at = factory.LazyAttribute(lambda survey: survey.send_at + timedelta(days=14))
    min_interval_days = 90


class PulseInvitationFactory(factory.django.DjangoModelFactory):
    """One person invited to a pulse; `token` (not stored) is the raw token of its links."""

    class Meta:
        model = "metrics.PulseInvitation"
        exclude = ("token",)

    survey = factory.SubFactory(PulseSurveyFactory)
    person = factory.SubFactory(UserFactory)
    token = factory.Sequence(lambda n: f"test-pulse-token-{n}")
    token_hash = factory.LazyAttribute(lambda row: hashlib.sha256(row.token.encode()).hexdigest())
    invited_at = factory.LazyFunction(timezone.now)
