"""Fixtures shared by the budget tests: a community with its manager, a leader, the executive
sponsor, a member and an outsider; a budget whose period holds today, with a plan."""

from decimal import Decimal

import pytest

from practica.budget.models import BudgetCategory
from practica.communities.models import MembershipRole
from tests.factories.budget import BudgetFactory, BudgetLineFactory
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory

PLAN = {
    BudgetCategory.VENUE: Decimal("1000.00"),
    BudgetCategory.FOOD: Decimal("500.00"),
    BudgetCategory.GRANTS: Decimal("1000.00"),
}


@pytest.fixture
def community(db):
    return CommunityFactory(name="Machine Learning", slug="machine-learning")


def member_with_role(community, role):
    return MembershipFactory(community=community, role=role).person


@pytest.fixture
def manager(community):
    return member_with_role(community, MembershipRole.MANAGER)


@pytest.fixture
def leader(community):
    return member_with_role(community, MembershipRole.LEADER)


@pytest.fixture
def sponsor(community):
    return member_with_role(community, MembershipRole.EXECUTIVE_SPONSOR)


@pytest.fixture
def member(community):
    return member_with_role(community, MembershipRole.MEMBER)


@pytest.fixture
def outsider(db):
    return UserFactory()


@pytest.fixture
def budget(community):
    budget = BudgetFactory(community=community)
    for category, planned in PLAN.items():
        BudgetLineFactory(budget=budget, category=category, planned=planned)
    return budget


@pytest.fixture
def outbox(settings):
    """Mail goes to the outbox (pytest-django would swap in locmem)."""
    settings.EMAIL_BACKEND = "practica.mail.backends.OutboxEmailBackend"
