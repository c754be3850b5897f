"""Cost lines of an event (venue, food, recording, speakers, swag, other), for the budget
capability to roll up. The event's organizers and hosts keep them; every change is audited.
No lock: each call inserts, updates or deletes one row.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.core.services import record_audit
from practica.events.models import CostCategory, Event, EventCost
from practica.events.permissions import can_manage_event

MAX_AMOUNT = Decimal("9999999999.99")  # max_digits=12, decimal_places=2
MAX_DESCRIPTION_LENGTH = 200
CURRENCY = re.compile(r"^[A-Z]{3}$")
EDITABLE = ("category", "description", "amount", "currency", "incurred_on")


def _require_manager(actor: Any, event: Event) -> None:
    if not can_manage_event(actor, event):
        raise PermissionDenied(_("Only the event's organizers and hosts keep its costs."))


def clean_amount(value: Any) -> Decimal:
    message = _("Enter an amount of at least 0 with at most two decimals, e.g. 1250.50.")
    if isinstance(value, bool) or value is None:
        raise ValidationError({"amount": message})
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": message}) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ValidationError({"amount": message})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": message})
    return amount.quantize(Decimal("0.01"))


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("Unknown cost fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    if "category" in changes:
        if changes["category"] not in CostCategory.values:
            raise ValidationError({"category": _("Choose a cost category.")})
        cleaned["category"] = changes["category"]
    if "amount" in changes:
        cleaned["amount"] = clean_amount(changes["amount"])
    if "currency" in changes:
        currency = str(changes["currency"] or "").strip().upper()
        if not CURRENCY.match(currency):
            raise ValidationError({"currency": _("Give a three-letter currency code, e.g. USD.")})
        cleaned["currency"] = currency
    if "description" in changes:
        description = " ".join(str(changes["description"] or "").split())
        if len(description) > MAX_DESCRIPTION_LENGTH:
            raise ValidationError(
                {
                    "description": _("Keep the description under %(n)s characters.")
                    % {"n": MAX_DESCRIPTION_LENGTH}
                }
            )
        cleaned["description"] = description
    if "incurred_on" in changes:
        incurred_on = changes["incurred_on"]
        if incurred_on is not None and not isinstance(incurred_on, date):
            raise ValidationError({"incurred_on": _("Give the date as YYYY-MM-DD.")})
        cleaned["incurred_on"] = incurred_on
    return cleaned


def add_cost(
    *,
    event: Event,
    actor: Any,
    category: str,
    amount: Any,
    currency: str = "USD",
    description: str = "",
    incurred_on: date | None = None,
) -> EventCost:
    """Add a cost line to an event. The amount is a non-negative Decimal with two places."""
    _require_manager(actor, event)
    values = _clean(
        {
            "category": category,
            "amount": amount,
            "currency": currency,
            "description": description,
            "incurred_on": incurred_on,
        }
    )
    with transaction.atomic():
        cost = EventCost.objects.create(
            event=event, recorded_by=actor, recorded_at=timezone.now(), **values
        )
        record_audit(
            actor_id=actor.pk,
            action="events.cost_added",
            target=event,
            community_id=event.community_id,
            data={
                "cost": cost.pk,
                "category": cost.category,
                "amount": str(cost.amount),
                "currency": cost.currency,
            },
        )
    return cost


def update_cost(*, cost: EventCost, actor: Any, **changes: Any) -> EventCost:
    """Change a cost line's category, description, amount, currency or date."""
    _require_manager(actor, cost.event)
    values = _clean(changes)
    with transaction.atomic():
        before = {name: str(getattr(cost, name)) for name in values}
        for name, value in values.items():
            setattr(cost, name, value)
        if values:
            cost.save(update_fields=list(values))
        record_audit(
            actor_id=actor.pk,
            action="events.cost_changed",
            target=cost.event,
            community_id=cost.event.community_id,
            data={
                "cost": cost.pk,
                "before": before,
                "after": {name: str(value) for name, value in values.items()},
            },
        )
    return cost


def remove_cost(*, cost: EventCost, actor: Any) -> None:
    """Delete a cost line (it was entered by mistake)."""
    event = cost.event
    _require_manager(actor, event)
    with transaction.atomic():
        deleted, _rows = EventCost.objects.filter(pk=cost.pk).delete()
        if deleted:
            record_audit(
                actor_id=actor.pk,
                action="events.cost_removed",
                target=event,
                community_id=event.community_id,
                data={
                    "category": cost.category,
                    "amount": str(cost.amount),
                    "currency": cost.currency,
                },
            )
