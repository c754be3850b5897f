"""Cost lines of an event: adding, changing, removing (organizers only), amounts as exact
decimals, totals per currency never mixing currencies, and bad input refused."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from practica.core.models import AuditLogEntry
from practica.events.models import CostCategory, EventCost
from practica.events.queries.attendance import cost_lines, cost_totals
from practica.events.services.costs import add_cost, remove_cost, update_cost
from tests.factories.events import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(community):
    return EventFactory(community=community)


def test_cost_lines_add_change_remove(event, organizer):
    venue = add_cost(
        event=event,
        actor=organizer,
        category=CostCategory.VENUE,
        amount="1,250.50",
        currency="eur",
        description="  Main   hall ",
        incurred_on=date(2030, 3, 5),
    )
    assert venue.amount == Decimal("1250.50")
    assert (venue.currency, venue.description) == ("EUR", "Main hall")
    food = add_cost(event=event, actor=organizer, category=CostCategory.FOOD, amount=Decimal("300"))
    assert food.currency == "USD"
    update_cost(cost=food, actor=organizer, amount="320.10", description="Pizza")
    food.refresh_from_db()
    assert (food.amount, food.description) == (Decimal("320.10"), "Pizza")
    assert list(cost_lines(event)) == [food, venue]
    remove_cost(cost=venue, actor=organizer)
    assert list(EventCost.objects.all()) == [food]
    actions = set(AuditLogEntry.objects.values_list("action", flat=True))
    assert {"events.cost_added", "events.cost_changed", "events.cost_removed"} <= actions


def test_totals_per_currency_and_category(event, organizer):
    add_cost(event=event, actor=organizer, category="venue", amount="100.10")
    add_cost(event=event, actor=organizer, category="venue", amount="0.20")
    add_cost(event=event, actor=organizer, category="food", amount="50", currency="EUR")
    totals = cost_totals(event)
    assert totals.by_currency == [("EUR", Decimal("50.00")), ("USD", Decimal("100.30"))]
    assert [(c, cur, total) for c, _label, cur, total in totals.by_category] == [
        ("food", "EUR", Decimal("50.00")),
        ("venue", "USD", Decimal("100.30")),
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "Infinity"}, "amount"),
        ({"amount": "1e20"}, "amount"),
        ({"amount": None}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": "5", "currency": "dollars"}, "currency"),
        ({"amount": "5", "currency": "U1D"}, "currency"),
        ({"amount": "5", "category": "bribes"}, "category"),
        ({"amount": "5", "description": "d" * 201}, "description"),
        ({"amount": "5", "incurred_on": "yesterday"}, "incurred_on"),
    ],
)
def test_bad_cost_input_changes_nothing(event, organizer, fields, field):
    values = {"category": "venue", **fields}
    with pytest.raises(ValidationError) as refused:
        add_cost(event=event, actor=organizer, **values)
    assert field in refused.value.message_dict
    assert not EventCost.objects.exists()


def test_update_refuses_unknown_fields_and_bad_values(event, organizer):
    line = add_cost(event=event, actor=organizer, category="venue", amount="10")
    with pytest.raises(ValidationError):
        update_cost(cost=line, actor=organizer, event=EventFactory())
    with pytest.raises(ValidationError):
        update_cost(cost=line, actor=organizer, amount="-5")
    line.refresh_from_db()
    assert line.amount == Decimal("10.00")
    assert line.event == event


def test_only_organizers_keep_costs(event, organizer, member):
    with pytest.raises(PermissionDenied):
        add_cost(event=event, actor=member, category="venue", amount="10")
    line = add_cost(event=event, actor=organizer, category="venue", amount="10")
    with pytest.raises(PermissionDenied):
        update_cost(cost=line, actor=member, amount="20")
    with pytest.raises(PermissionDenied):
        remove_cost(cost=line, actor=member)
    line.refresh_from_db()
    assert line.amount == Decimal("10.00")
