"""Factories for grassroots groups' health: ledger rows about a group and health alerts."""

import factory
from django.utils import timezone

from practica.communities.models import GroupHealthAlert, GroupHealthAlertKind
from practica.core.models import Activity, ActivityKind
from tests.factories.communities import GroupFactory
from tests.factories.people import UserFactory


class GroupActivityFactory(factory.django.DjangoModelFactory):
    """One ledger row about a group, as the apps that record it write them: in the group's
    community, with `data={"group": id}`."""

    class Meta:
        model = Activity

    class Params:
        group = factory.SubFactory(GroupFactory)

    kind = ActivityKind.DISCUSSED
    person = factory.SubFactory(UserFactory)
    community = factory.LazyAttribute(lambda row: row.group.community)
    occurred_at = factory.LazyFunction(timezone.now)
    data = factory.LazyAttribute(lambda row: {"group": row.group.pk})


class GroupHealthAlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupHealthAlert

    group = factory.SubFactory(GroupFactory)
    kind = GroupHealthAlertKind.IDLE
    raised_at = factory.LazyFunction(timezone.now)
