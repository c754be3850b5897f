"""The budget screens: the community's budgets with their bars, creating one and editing its
plan, the budget's page with its ledger, recording an expense (with the overspending warning
and the override reason), marking paid and voiding. The leadership sees, the manager edits,
everyone else gets a 403."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practica.budget.models import Budget, BudgetLine, Expense, ExpenseStatus
from tests.factories.budget import BudgetFactory, EventCostFactory, ExpenseFactory
from tests.factories.events import EventFactory

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def expense_data(**changes):
    return {
        "category": "venue",
        "description": "Room for the meetup",
        "amount": "400",
        "status": "spent",
        "incurred_on": timezone.localdate().isoformat(),
        "event": "",
        "override_reason": "",
        **changes,
    }


def test_the_leadership_sees_the_budgets_with_bars(budget, leader):
    ExpenseFactory(budget=budget, category="venue", amount=Decimal("250"))
    response = client_for(leader).get(reverse("budget:budgets", args=[budget.community.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"FY{budget.fiscal_year}" in html
    assert '<svg class="budget-chart"' in html
    assert "Venue: 1,000.00 USD planned, 250.00 USD spent" in html
    assert reverse("budget:budget_create", args=[budget.community.slug]) not in html


def test_the_manager_sees_how_to_create_one(community, manager):
    response = client_for(manager).get(reverse("budget:budgets", args=[community.slug]))
    html = response.content.decode()
    assert "No budget yet" in html
    assert reverse("budget:budget_create", args=[community.slug]) in html


@pytest.mark.parametrize("role", ["member", "outsider"])
def test_others_cannot_see_budgets(budget, role, request):
    client = client_for(request.getfixturevalue(role))
    assert client.get(reverse("budget:budgets", args=[budget.community.slug])).status_code == 403
    assert client.get(reverse("budget:budget_detail", args=[budget.pk])).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(budget):
    response = Client().get(reverse("budget:budget_detail", args=[budget.pk]))
    assert response.status_code == 302
    assert "sign-in" in response["Location"]


def test_an_unknown_community_or_budget_is_a_404(manager):
    client = client_for(manager)
    assert client.get(reverse("budget:budgets", args=["nope"])).status_code == 404
    assert client.get(reverse("budget:budget_detail", args=[999999])).status_code == 404


def test_the_manager_creates_a_budget(community, manager, settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    client = client_for(manager)
    page = client.get(reverse("budget:budget_create", args=[community.slug]))
    assert page.status_code == 200
    assert page.context["form"]["fiscal_year"].value() == timezone.localdate().year
    response = client.post(
        reverse("budget:budget_create", args=[community.slug]),
        {
            "fiscal_year": "2031",
            "currency": "eur",
            "starts_on": "",
            "ends_on": "",
            "note": "",
            "line_venue": "1,500",
            "line_grants": "800",
        },
    )
    budget = Budget.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("budget:budget_detail", args=[budget.pk])
    assert budget.currency == "EUR"
    assert dict(budget.lines.values_list("category", "planned")) == {
        "venue": Decimal("1500.00"),
        "grants": Decimal("800.00"),
    }


def test_bad_budget_input_is_shown_on_the_form(community, manager):
    response = client_for(manager).post(
        reverse("budget:budget_create", args=[community.slug]),
        {"fiscal_year": "2031", "currency": "US", "line_food": "-5"},
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert "three-letter code" in form.errors["currency"][0]
    assert "cannot be negative" in form.errors["line_food"][0]
    assert not Budget.objects.exists()


def test_a_second_budget_for_the_year_is_refused_on_the_form(budget, manager):
    response = client_for(manager).post(
        reverse("budget:budget_create", args=[budget.community.slug]),
        {"fiscal_year": str(budget.fiscal_year), "currency": "USD"},
    )
    assert response.status_code == 422
    assert "already has a budget" in response.context["form"].errors["fiscal_year"][0]


def test_a_leader_cannot_create_or_edit(budget, leader):
    client = client_for(leader)
    create = reverse("budget:budget_create", args=[budget.community.slug])
    assert client.get(create).status_code == 403
    assert client.post(create, {"fiscal_year": "2031", "currency": "USD"}).status_code == 403
    edit = reverse("budget:budget_edit", args=[budget.pk])
    assert client.post(edit, {"line_venue": "1"}).status_code == 403
    assert BudgetLine.objects.get(budget=budget, category="venue").planned == Decimal("1000")


def test_the_manager_edits_the_plan(budget, manager):
    client = client_for(manager)
    page = client.get(reverse("budget:budget_edit", args=[budget.pk]))
    assert page.context["form"]["line_venue"].value() == Decimal("1000.00")
    response = client.post(
        reverse("budget:budget_edit", args=[budget.pk]),
        {"line_venue": "1200", "line_food": "", "line_grants": "1000", "note": "Raised"},
    )
    assert response.status_code == 302
    assert dict(budget.lines.values_list("category", "planned")) == {
        "venue": Decimal("1200.00"),
        "grants": Decimal("1000.00"),
    }


def test_the_budget_page_lists_expenses_and_event_costs(budget, manager):
    event = EventFactory(community=budget.community, title="Spring meetup")
    EventCostFactory(event=event, category="food", amount=Decimal("80"))
    ExpenseFactory(budget=budget, description="Projector hire", amount=Decimal("120"))
    committed = ExpenseFactory(
        budget=budget, description="Stickers", category="swag", status=ExpenseStatus.COMMITTED
    )
    response = client_for(manager).get(reverse("budget:budget_detail", args=[budget.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Projector hire" in html
    assert "Spring meetup" in html
    assert "event cost line" in html
    assert reverse("budget:expense_paid", args=[committed.pk]) in html
    assert "Over the plan:" in html  # swag has no line
    assert response.context["standing"].spent == Decimal("200.00")


def test_the_ledger_filters_by_category_and_paginates(budget, leader, settings):
    settings.PRACTICA_PAGE_SIZE = 2
    for index in range(3):
        ExpenseFactory(budget=budget, category="food", description=f"Lunch {index}")
    ExpenseFactory(budget=budget, category="venue", description="Room")
    client = client_for(leader)
    response = client.get(reverse("budget:budget_detail", args=[budget.pk]), {"category": "food"})
    page = response.context["page_obj"]
    assert page.paginator.count == 3
    assert len(page.object_list) == 2
    assert "Mark paid" not in response.content.decode()
    second = client.get(
        reverse("budget:budget_detail", args=[budget.pk]), {"category": "food", "page": "2"}
    )
    assert len(second.context["page_obj"].object_list) == 1
    unknown = client.get(reverse("budget:budget_detail", args=[budget.pk]), {"category": "zzz"})
    assert unknown.context["page_obj"].paginator.count == 4


def test_the_manager_records_an_expense(budget, manager):
    client = client_for(manager)
    page = client.get(reverse("budget:expense_create", args=[budget.pk]))
    assert page.status_code == 200
    assert "Left per category" in page.content.decode()
    event = EventFactory(community=budget.community)
    response = client.post(
        reverse("budget:expense_create", args=[budget.pk]), expense_data(event=str(event.pk))
    )
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert (expense.amount, expense.event, expense.recorded_by) == (Decimal("400"), event, manager)


def test_overspending_warns_and_asks_for_a_reason(budget, manager):
    client = client_for(manager)
    url = reverse("budget:expense_create", args=[budget.pk])
    response = client.post(url, expense_data(amount="1100"))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="overspend-warning"' in html
    assert "Venue 100.00 USD over its planned 1,000.00 USD" in html
    assert "Record it over the plan" in html
    assert not Expense.objects.exists()

    response = client.post(url, expense_data(amount="1100", override_reason="Bigger room needed"))
    assert response.status_code == 302
    assert Expense.objects.get().override_reason == "Bigger room needed"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "-3"}, "amount", "cannot be negative"),
        ({"amount": "abc"}, "amount", "as a number"),
        ({"amount": "50000000"}, "amount", "above the limit"),
        ({"description": ""}, "description", "required"),
    ],
)
def test_bad_expenses_are_shown_on_the_form(budget, manager, changes, field, message):
    response = client_for(manager).post(
        reverse("budget:expense_create", args=[budget.pk]), expense_data(**changes)
    )
    assert response.status_code == 422
    assert message in response.context["form"].errors[field][0]
    assert not Expense.objects.exists()


def test_a_date_outside_the_period_is_refused_on_the_form(budget, manager):
    late = (budget.ends_on + timedelta(days=3)).isoformat()
    response = client_for(manager).post(
        reverse("budget:expense_create", args=[budget.pk]), expense_data(incurred_on=late)
    )
    assert response.status_code == 422
    assert "budget's period" in response.context["form"].errors["incurred_on"][0]


def test_an_event_of_another_community_is_not_offered(budget, manager):
    foreign = EventFactory()
    response = client_for(manager).post(
        reverse("budget:expense_create", args=[budget.pk]), expense_data(event=str(foreign.pk))
    )
    assert response.status_code == 422
    assert "event" in response.context["form"].errors


def test_the_manager_marks_paid_and_voids(budget, manager, leader):
    expense = ExpenseFactory(budget=budget, status=ExpenseStatus.COMMITTED)
    client = client_for(manager)
    assert client.post(reverse("budget:expense_paid", args=[expense.pk])).status_code == 302
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.SPENT
    void = reverse("budget:expense_void", args=[expense.pk])
    assert client.get(void).status_code == 200
    assert client.post(void, {"reason": ""}).status_code == 422
    assert client_for(leader).post(void, {"reason": "No"}).status_code == 403
    assert client.post(void, {"reason": "Duplicate"}).status_code == 302
    expense.refresh_from_db()
    assert expense.void_reason == "Duplicate"
    again = client.get(void)
    assert "already voided" in again.content.decode()


def test_another_year_shows_on_the_list(budget, manager):
    BudgetFactory(
        community=budget.community,
        fiscal_year=budget.fiscal_year + 5,
        starts_on=budget.ends_on + timedelta(days=1),
        ends_on=budget.ends_on + timedelta(days=300),
    )
    response = client_for(manager).get(reverse("budget:budgets", args=[budget.community.slug]))
    assert len(response.context["years"]) == 2
