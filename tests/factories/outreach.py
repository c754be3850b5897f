"""Factories for outreach: segments, campaigns and their recipients.

Helpers of other areas append their factories below, each under its own name.
"""

import datetime

import factory

from practica.outreach.models import Campaign, CampaignSchedule, Segment
from tests.factories.communities import CommunityFactory

DATA_SCIENCE_TITLES = "data scientist|applied scientist|machine learning engineer"


class SegmentFactory(factory.django.DjangoModelFactory):
    """Last calendar month's data-science hires who are not members yet."""

    class Meta:
        model = Segment

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"New data-science hires {n}")
    rules = factory.LazyFunction(
        lambda: [
            {"field": "hired_on", "op": "in_previous_month"},
            {"field": "job_title", "op": "matches", "value": DATA_SCIENCE_TITLES},
            {"field": "membership", "op": "not_member"},
        ]
    )


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    community = factory.SubFactory(CommunityFactory)
    segment = factory.SubFactory(SegmentFactory, community=factory.SelfAttribute("..community"))
    name = factory.Sequence(lambda n: f"Monthly welcome {n}")
    subject = "Welcome to {{ community }}, {{ first_name }}"
    body = "Hello {{ first_name }},\n\nJoin us: {{ join_link }}"
    schedule = CampaignSchedule.MONTHLY
    weekday = 0
    week_of_month = 1
    local_hour = 9


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)
