"""Which budgets a community has and which one holds a date."""

from datetime import date

from django.db.models import QuerySet

from practica.budget.models import Budget
from practica.budget.queries.standing import BudgetStanding, budget_standing
from practica.communities.models import Community


def community_budgets(community: Community) -> QuerySet[Budget]:
    """The community's budgets, the latest fiscal year first."""
    return Budget.objects.filter(community=community).order_by("-fiscal_year")


def budgets_with_standing(community: Community) -> list[BudgetStanding]:
    """Every budget of the community with where it stands (four queries a budget; a
    community has one budget a year)."""
    return [budget_standing(budget) for budget in community_budgets(community)]


def budget_holding(community_id: int, day: date) -> Budget | None:
    """The community's budget whose period holds `day`, if any (periods never overlap)."""
    return (
        Budget.objects.filter(community_id=community_id, starts_on__lte=day, ends_on__gte=day)
        .order_by("starts_on")
        .first()
    )


def overlapping_budget(
    community_id: int, starts_on: date, ends_on: date, *, exclude_pk: int | None = None
) -> Budget | None:
    """A budget of the community whose period shares a day with `starts_on`–`ends_on`."""
    budgets = Budget.objects.filter(
        community_id=community_id, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    if exclude_pk is not None:
        budgets = budgets.exclude(pk=exclude_pk)
    return budgets.order_by("starts_on").first()
