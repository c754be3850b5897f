"""Approvals and expenses at the same moment cannot both take the last money: each holds a
row lock on the budget while it checks the plan (PostgreSQL, real threads)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from practica.budget.models import Expense, Grant, GrantStatus
from practica.budget.queries.standing import budget_standing
from practica.budget.services.expenses import record_expense
from practica.budget.services.grants import approve_grant
from practica.communities.models import MembershipRole
from tests.budget.conftest import PLAN, member_with_role
from tests.concurrency import postgres_only, run_concurrently
from tests.factories.budget import BudgetFactory, BudgetLineFactory, GrantFactory
from tests.factories.communities import CommunityFactory

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def planned_budget(transactional_db):
    community = CommunityFactory()
    budget = BudgetFactory(community=community)
    for category, planned in PLAN.items():
        BudgetLineFactory(budget=budget, category=category, planned=planned)
    return budget


def test_two_approvals_at_once_cannot_both_take_the_last_money(planned_budget):
    community = planned_budget.community
    managers = [member_with_role(community, MembershipRole.MANAGER) for _ in range(2)]
    # 1,000 planned for grants: each 600 fits alone, not both.
    grants = [GrantFactory(community=community, amount_requested=Decimal("600")) for _ in range(2)]

    errors = run_concurrently(
        [
            lambda grant=grant, manager=manager: approve_grant(grant=grant, actor=manager)
            for grant, manager in zip(grants, managers, strict=True)
        ]
    )

    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert "override_reason" in errors[0].message_dict
    statuses = sorted(Grant.objects.values_list("status", flat=True))
    assert statuses == [GrantStatus.APPROVED, GrantStatus.SUBMITTED]
    assert budget_standing(planned_budget).category("grants").remaining == Decimal("400.00")


def test_one_grant_decided_twice_at_once_is_approved_once(planned_budget):
    community = planned_budget.community
    managers = [member_with_role(community, MembershipRole.MANAGER) for _ in range(2)]
    grant = GrantFactory(community=community, amount_requested=Decimal("100"))

    errors = run_concurrently(
        [lambda manager=manager: approve_grant(grant=grant, actor=manager) for manager in managers]
    )

    assert len(errors) == 1
    assert "no longer waiting" in errors[0].messages[0]
    assert budget_standing(planned_budget).category("grants").committed == Decimal("100.00")


def test_many_expenses_at_once_never_pass_the_plan_unnoticed(planned_budget):
    community = planned_budget.community
    manager = member_with_role(community, MembershipRole.MANAGER)
    attempts = 8  # 8 × 300 against 1,000 planned for the venue: exactly 3 fit.

    def spend():
        record_expense(
            budget=planned_budget,
            actor=manager,
            category="venue",
            description="Room",
            amount="300",
            incurred_on=timezone.localdate(),
        )

    errors = run_concurrently([spend for _ in range(attempts)])

    assert len(errors) == attempts - 3
    assert all(isinstance(error, ValidationError) for error in errors)
    assert Expense.objects.count() == 3
    assert budget_standing(planned_budget).category("venue").remaining == Decimal("100.00")
