"""Factories for budgets, their lines, expenses and grants (plus events' cost lines, which the
budget rolls up)."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from practica.budget.models import (
    Budget,
    BudgetCategory,
    BudgetLine,
    Expense,
    ExpenseStatus,
    Grant,
    GrantStatus,
)
from practica.events.models import CostCategory, EventCost
from tests.factories.communities import CommunityFactory
from tests.factories.events import EventFactory
from tests.factories.people import UserFactory


class BudgetFactory(factory.django.DjangoModelFactory):
    """A budget whose period holds today: from half a year ago to half a year ahead."""

    class Meta:
        model = Budget

    community = factory.SubFactory(CommunityFactory)
    fiscal_year = factory.LazyFunction(lambda: timezone.localdate().year)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=180))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=180))
    currency = "USD"


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    budget = factory.SubFactory(BudgetFactory)
    category = BudgetCategory.VENUE
    planned = Decimal("1000.00")


class ExpenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expense

    budget = factory.SubFactory(BudgetFactory)
    category = BudgetCategory.VENUE
    description = factory.Sequence(lambda n: f"Expense {n}")
    amount = Decimal("100.00")
    status = ExpenseStatus.SPENT
    incurred_on = factory.LazyFunction(timezone.localdate)


class GrantFactory(factory.django.DjangoModelFactory):
    """A submitted application for 200 USD, two weeks ahead."""

    class Meta:
        model = Grant

    community = factory.SubFactory(CommunityFactory)
    applicant = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Study session {n}")
    purpose = "Food for the study group."
    amount_requested = Decimal("200.00")
    currency = "USD"
    activity_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
    status = GrantStatus.SUBMITTED


class EventCostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventCost

    event = factory.SubFactory(EventFactory)
    category = CostCategory.VENUE
    amount = Decimal("50.00")
    currency = "USD"
