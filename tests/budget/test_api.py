"""The budget and grants API: budgets with their standing, creating and planning, the ledger,
expenses (overspending as a 422 on `override_reason`), grants from application to report;
403 for the wrong person, 404 for what they may not see, 422 for bad input, nothing changed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from practica.budget.models import Budget, Expense, Grant, GrantStatus
from practica.mail.models import OutboundMessage
from tests.api.clients import API, session_client, token_client
from tests.factories.budget import EventCostFactory, ExpenseFactory, GrantFactory
from tests.factories.communities import GroupFactory
from tests.factories.events import EventFactory

pytestmark = pytest.mark.django_db


def call(client, method, path, data=None):
    if method == "get":
        return client.get(f"{API}{path}", data or {})
    return getattr(client, method)(f"{API}{path}", data or {}, content_type="application/json")


def today_plus(days):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# --- Budgets -------------------------------------------------------------------------------


def test_the_leadership_lists_budgets_with_their_standing(budget, sponsor):
    ExpenseFactory(budget=budget, category="venue", amount=Decimal("250"))
    response = call(
        token_client(sponsor), "get", f"/budget/communities/{budget.community.slug}/budgets"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["fiscal_year"] == budget.fiscal_year
    assert item["community"]["slug"] == budget.community.slug
    venue = next(row for row in item["categories"] if row["category"] == "venue")
    assert (venue["planned"], venue["spent"], venue["remaining"]) == ("1000.00", "250.00", "750.00")
    assert item["remaining"] == "2250.00"


@pytest.mark.parametrize("role", ["member", "outsider"])
def test_others_get_a_403(budget, role, request):
    client = token_client(request.getfixturevalue(role))
    slug = budget.community.slug
    assert call(client, "get", f"/budget/communities/{slug}/budgets").status_code == 403
    assert call(client, "get", f"/budget/budgets/{budget.pk}").status_code == 403
    assert call(client, "get", f"/budget/budgets/{budget.pk}/expenses").status_code == 403


def test_anonymous_callers_get_a_401(budget):
    from django.test import Client

    assert Client().get(f"{API}/budget/budgets/{budget.pk}").status_code == 401


def test_the_manager_creates_a_budget(community, manager, settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    response = call(
        token_client(manager),
        "post",
        f"/budget/communities/{community.slug}/budgets",
        {"fiscal_year": 2031, "currency": "usd", "lines": {"venue": "1500", "grants": 800}},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["starts_on"], body["ends_on"], body["currency"]) == (
        "2031-01-01",
        "2031-12-31",
        "USD",
    )
    assert body["planned"] == "2300.00"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"fiscal_year": 2031, "currency": "usd", "lines": {"venue": "-1"}}, "lines.venue"),
        ({"fiscal_year": 2031, "currency": "usd", "lines": {"travel": "1"}}, "lines.travel"),
        ({"fiscal_year": 1900, "currency": "usd"}, "fiscal_year"),
        ({"fiscal_year": 2031, "currency": "us"}, "currency"),
        ({"fiscal_year": 2031, "currency": "usd", "surprise": 1}, "surprise"),
    ],
)
def test_bad_budgets_are_a_422_naming_the_field(community, manager, payload, field):
    response = call(
        token_client(manager), "post", f"/budget/communities/{community.slug}/budgets", payload
    )
    assert response.status_code == 422
    assert any(name.startswith(field) for name in response.json()["errors"]), response.json()
    assert not Budget.objects.exists()


def test_a_leader_cannot_create_or_plan(budget, leader):
    client = token_client(leader)
    slug = budget.community.slug
    created = call(
        client,
        "post",
        f"/budget/communities/{slug}/budgets",
        {"fiscal_year": 2031, "currency": "USD"},
    )
    assert created.status_code == 403
    planned = call(client, "patch", f"/budget/budgets/{budget.pk}", {"lines": {"venue": "1"}})
    assert planned.status_code == 403


def test_the_manager_changes_the_plan(budget, manager):
    response = call(
        token_client(manager),
        "patch",
        f"/budget/budgets/{budget.pk}",
        {"lines": {"venue": "2000", "food": None}, "note": "Raised"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["note"] == "Raised"
    assert {row["category"]: row["planned"] for row in body["categories"]} == {
        "venue": "2000.00",
        "grants": "1000.00",
    }


def test_an_unknown_budget_is_a_404(manager):
    assert call(token_client(manager), "get", "/budget/budgets/999999").status_code == 404


# --- Expenses ------------------------------------------------------------------------------


def test_the_ledger_lists_expenses_and_event_costs(budget, leader):
    expense = ExpenseFactory(budget=budget, description="Room")
    event = EventFactory(community=budget.community)
    cost = EventCostFactory(event=event, amount=Decimal("9"), incurred_on=timezone.localdate())
    response = call(token_client(leader), "get", f"/budget/budgets/{budget.pk}/expenses")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {(item["kind"], item["id"]) for item in body["items"]} == {
        ("expense", expense.pk),
        ("event_cost", cost.pk),
    }
    only_food = call(
        token_client(leader), "get", f"/budget/budgets/{budget.pk}/expenses", {"category": "food"}
    )
    assert only_food.json()["count"] == 0
    bad = call(
        token_client(leader), "get", f"/budget/budgets/{budget.pk}/expenses", {"category": "x"}
    )
    assert bad.status_code == 422
    paged = call(token_client(leader), "get", f"/budget/budgets/{budget.pk}/expenses", {"limit": 1})
    assert (paged.json()["count"], len(paged.json()["items"])) == (2, 1)


def test_the_manager_records_an_expense(budget, manager):
    event = EventFactory(community=budget.community)
    response = call(
        token_client(manager),
        "post",
        f"/budget/budgets/{budget.pk}/expenses",
        {
            "category": "venue",
            "description": "Room",
            "amount": "400.50",
            "incurred_on": timezone.localdate().isoformat(),
            "status": "committed",
            "event_id": event.pk,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amount"], body["status"], body["event_id"]) == ("400.50", "committed", event.pk)


def test_overspending_is_a_422_on_override_reason_until_a_reason_is_given(budget, manager):
    client = token_client(manager)
    payload = {
        "category": "venue",
        "description": "Hall",
        "amount": 1200,
        "incurred_on": timezone.localdate().isoformat(),
    }
    refused = call(client, "post", f"/budget/budgets/{budget.pk}/expenses", payload)
    assert refused.status_code == 422
    assert "200.00 USD over its planned" in refused.json()["errors"]["override_reason"][0]
    assert not Expense.objects.exists()
    accepted = call(
        client,
        "post",
        f"/budget/budgets/{budget.pk}/expenses",
        {**payload, "override_reason": "Sponsor agreed"},
    )
    assert accepted.status_code == 201
    assert accepted.json()["override_reason"] == "Sponsor agreed"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": "20000000"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"event_id": 999999}, "event_id"),
        ({"incurred_on": "2001-01-01"}, "incurred_on"),
        ({"category": "travel"}, "category"),
        ({"description": ""}, "description"),
    ],
)
def test_bad_expenses_are_a_422(budget, manager, changes, field):
    payload = {
        "category": "venue",
        "description": "Room",
        "amount": "10",
        "incurred_on": timezone.localdate().isoformat(),
        **changes,
    }
    response = call(token_client(manager), "post", f"/budget/budgets/{budget.pk}/expenses", payload)
    assert response.status_code == 422
    assert field in response.json()["errors"], response.json()
    assert not Expense.objects.exists()


def test_an_event_of_another_community_is_a_422_on_event_id(budget, manager):
    payload = {
        "category": "venue",
        "description": "Room",
        "amount": "10",
        "incurred_on": timezone.localdate().isoformat(),
        "event_id": EventFactory().pk,
    }
    response = call(token_client(manager), "post", f"/budget/budgets/{budget.pk}/expenses", payload)
    assert response.status_code == 422
    assert "hosts or co-hosts" in response.json()["errors"]["event_id"][0]


def test_paying_and_voiding_an_expense(budget, manager, leader):
    expense = ExpenseFactory(budget=budget, status="committed")
    client = token_client(manager)
    paid = call(client, "post", f"/budget/expenses/{expense.pk}/paid")
    assert (paid.status_code, paid.json()["status"]) == (200, "spent")
    assert call(client, "post", f"/budget/expenses/{expense.pk}/paid").status_code == 422
    assert (
        call(
            token_client(leader), "post", f"/budget/expenses/{expense.pk}/void", {"reason": "x"}
        ).status_code
        == 403
    )
    assert (
        call(client, "post", f"/budget/expenses/{expense.pk}/void", {"reason": ""}).status_code
        == 422
    )
    voided = call(client, "post", f"/budget/expenses/{expense.pk}/void", {"reason": "Twice"})
    assert voided.status_code == 200
    assert voided.json()["void_reason"] == "Twice"
    assert voided.json()["voided_at"]


def test_writes_with_a_session_need_the_csrf_token(budget, manager):
    client = session_client(manager, enforce_csrf_checks=True)
    response = call(client, "patch", f"/budget/budgets/{budget.pk}", {"note": "x"})
    assert response.status_code == 403


# --- Grants --------------------------------------------------------------------------------


def test_a_member_applies_and_the_manager_is_mailed(budget, manager, member, outbox):
    group = GroupFactory(community=budget.community)
    response = call(
        token_client(member),
        "post",
        f"/budget/communities/{budget.community.slug}/grants",
        {
            "title": "Pizza",
            "purpose": "Reading group",
            "amount": "300",
            "currency": "USD",
            "activity_on": today_plus(10),
            "group": group.slug,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["applicant"]["id"] == member.pk
    assert body["group"]["slug"] == group.slug
    assert body["amount_requested"] == "300.00"
    assert OutboundMessage.objects.filter(to_email=manager.email).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "10000000.01"}, "amount"),
        ({"activity_on": "2000-01-01"}, "activity_on"),
        ({"currency": "EUR"}, "currency"),
        ({"group": "no-such-group"}, "group"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_applications_are_a_422(budget, member, changes, field):
    payload = {
        "title": "Pizza",
        "purpose": "Reading group",
        "amount": "300",
        "currency": "USD",
        "activity_on": today_plus(10),
        **changes,
    }
    response = call(
        token_client(member), "post", f"/budget/communities/{budget.community.slug}/grants", payload
    )
    assert response.status_code == 422
    assert field in response.json()["errors"], response.json()
    assert not Grant.objects.exists()


def test_outsiders_cannot_apply(budget, outsider):
    payload = {
        "title": "Pizza",
        "purpose": "Reading group",
        "amount": "300",
        "currency": "USD",
        "activity_on": today_plus(10),
    }
    response = call(
        token_client(outsider),
        "post",
        f"/budget/communities/{budget.community.slug}/grants",
        payload,
    )
    assert response.status_code == 403


def test_grant_lists_for_the_leadership_and_for_members(community, leader, member):
    mine = GrantFactory(community=community, applicant=member)
    other = GrantFactory(community=community, status=GrantStatus.DECLINED)
    slug = community.slug
    everyone = call(token_client(leader), "get", f"/budget/communities/{slug}/grants")
    assert {item["id"] for item in everyone.json()["items"]} == {mine.pk, other.pk}
    declined = call(
        token_client(leader), "get", f"/budget/communities/{slug}/grants", {"status": "declined"}
    )
    assert [item["id"] for item in declined.json()["items"]] == [other.pk]
    own = call(token_client(member), "get", f"/budget/communities/{slug}/grants")
    assert [item["id"] for item in own.json()["items"]] == [mine.pk]
    queue = call(token_client(leader), "get", f"/budget/communities/{slug}/grants/queue")
    assert [item["id"] for item in queue.json()["items"]] == [mine.pk]
    assert (
        call(token_client(member), "get", f"/budget/communities/{slug}/grants/queue").status_code
        == 403
    )
    bad = call(
        token_client(leader), "get", f"/budget/communities/{slug}/grants", {"status": "lost"}
    )
    assert bad.status_code == 422
    assert call(token_client(member), "get", "/budget/grants/mine").json()["count"] == 1


def test_a_grant_is_a_404_to_who_may_not_see_it(community, member, outsider):
    grant = GrantFactory(community=community)
    assert call(token_client(member), "get", f"/budget/grants/{grant.pk}").status_code == 404
    assert call(token_client(outsider), "get", f"/budget/grants/{grant.pk}").status_code == 404


def test_from_decision_to_report(budget, manager, member, outbox):
    grant = GrantFactory(
        community=budget.community, applicant=member, amount_requested=Decimal("300")
    )
    manager_client = token_client(manager)
    partly = call(
        manager_client,
        "post",
        f"/budget/grants/{grant.pk}/decision",
        {"decision": "approve", "amount": "200"},
    )
    assert partly.status_code == 422
    assert "reason" in partly.json()["errors"]
    decided = call(
        manager_client,
        "post",
        f"/budget/grants/{grant.pk}/decision",
        {"decision": "approve", "amount": "200", "reason": "Half"},
    )
    assert decided.status_code == 200
    assert (decided.json()["status"], decided.json()["amount_approved"]) == (
        "partly_approved",
        "200.00",
    )
    assert decided.json()["budget_id"] == budget.pk
    again = call(
        manager_client,
        "post",
        f"/budget/grants/{grant.pk}/decision",
        {"decision": "decline", "reason": "x"},
    )
    assert again.status_code == 422
    standing = call(manager_client, "get", f"/budget/budgets/{budget.pk}").json()
    grants = next(row for row in standing["categories"] if row["category"] == "grants")
    assert (grants["committed"], grants["remaining"]) == ("200.00", "800.00")

    member_client = token_client(member)
    over = call(
        member_client,
        "post",
        f"/budget/grants/{grant.pk}/report",
        {"outcome": "Great", "amount_spent": "250"},
    )
    assert over.status_code == 422
    assert "override_reason" in over.json()["errors"]
    reported = call(
        member_client,
        "post",
        f"/budget/grants/{grant.pk}/report",
        {"outcome": "Great", "amount_spent": "190"},
    )
    assert reported.status_code == 200
    assert (reported.json()["status"], reported.json()["amount_spent"]) == ("reported", "190.00")


def test_a_manager_cannot_decide_their_own_grant(budget, manager):
    grant = GrantFactory(community=budget.community, applicant=manager)
    response = call(
        token_client(manager),
        "post",
        f"/budget/grants/{grant.pk}/decision",
        {"decision": "approve"},
    )
    assert response.status_code == 403
    assert "your own" in response.json()["detail"]


def test_approval_without_a_budget_is_a_422(community, manager, member):
    grant = GrantFactory(community=community, applicant=member)
    response = call(
        token_client(manager),
        "post",
        f"/budget/grants/{grant.pk}/decision",
        {"decision": "approve"},
    )
    assert response.status_code == 422
    assert "create the budget" in response.json()["errors"]["__all__"][0]


def test_approval_past_the_grants_budget_needs_override_reason(budget, manager, member):
    grant = GrantFactory(
        community=budget.community, applicant=member, amount_requested=Decimal("1500")
    )
    client = token_client(manager)
    refused = call(client, "post", f"/budget/grants/{grant.pk}/decision", {"decision": "approve"})
    assert refused.status_code == 422
    assert "500.00 USD over" in refused.json()["errors"]["override_reason"][0]
    accepted = call(
        client,
        "post",
        f"/budget/grants/{grant.pk}/decision",
        {"decision": "approve", "override_reason": "Top-up"},
    )
    assert accepted.status_code == 200


def test_a_bad_decision_is_a_422(budget, manager, member):
    grant = GrantFactory(community=budget.community, applicant=member)
    response = call(
        token_client(manager),
        "post",
        f"/budget/grants/{grant.pk}/decision",
        {"decision": "perhaps"},
    )
    assert response.status_code == 422


def test_the_applicant_withdraws(community, member, leader):
    grant = GrantFactory(community=community, applicant=member)
    assert (
        call(token_client(leader), "post", f"/budget/grants/{grant.pk}/withdraw").status_code == 403
    )
    response = call(token_client(member), "post", f"/budget/grants/{grant.pk}/withdraw")
    assert (response.status_code, response.json()["status"]) == (200, "withdrawn")
    assert (
        call(token_client(member), "post", f"/budget/grants/{grant.pk}/withdraw").status_code == 422
    )


def test_the_budget_endpoints_are_in_the_openapi_schema(db):
    from django.test import Client

    schema = Client().get(f"{API}/openapi.json").json()
    operations = {
        operation["operationId"]
        for path, item in schema["paths"].items()
        if path.startswith(f"{API}/budget/")
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    assert operations == {
        "list_community_budgets",
        "create_community_budget",
        "get_budget",
        "update_budget_plan",
        "list_budget_expenses",
        "record_budget_expense",
        "mark_budget_expense_paid",
        "void_budget_expense",
        "list_community_grants",
        "list_grant_queue",
        "apply_for_community_grant",
        "list_my_grants",
        "get_grant",
        "decide_on_grant",
        "withdraw_grant_application",
        "report_on_grant",
    }
