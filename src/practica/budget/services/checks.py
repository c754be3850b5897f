"""Checks the budget services share: short texts, and the overspending rule and its audit.

Spending past a category's planned amount is allowed only with a reason, which is kept on the
row and written to the audit log; without one the service refuses and says by how much the
category would go over.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from practica.budget.money import format_money
from practica.budget.queries.standing import CategoryStanding
from practica.core.services import record_audit

MAX_OVERRIDE_REASON = 500
OVERSPEND = "overspend"


def clean_text(
    value: Any, *, field: str, max_length: int, required: bool = False, required_message: str = ""
) -> str:
    """`value` stripped; a ValidationError on `field` when required and empty, or too long."""
    text = str(value or "").strip()
    if "\x00" in text:
        raise ValidationError({field: _("The text contains a character that is not allowed.")})
    if required and not text:
        raise ValidationError({field: required_message or _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError(
            {field: _("Keep this to at most %(n)s characters.") % {"n": max_length}}
        )
    return text


def clean_override_reason(value: Any, *, field: str = "override_reason") -> str:
    return clean_text(value, field=field, max_length=MAX_OVERRIDE_REASON)


def overspend_by(standing: CategoryStanding, adding: Decimal) -> Decimal:
    """How far past its planned amount `adding` would take the category (0 if not past)."""
    after = standing.used + adding
    return max(after - standing.planned, Decimal("0.00"))


def require_reason_to_overspend(
    *,
    standing: CategoryStanding,
    adding: Decimal,
    currency: str,
    override_reason: str,
    field: str = "override_reason",
) -> Decimal:
    """Refuse to take the category past its plan without `override_reason`; the amount it
    goes over by (0 if it stays within the plan)."""
    over = overspend_by(standing, adding)
    if over > 0 and not override_reason:
        message = _(
            "This takes %(category)s %(over)s over its planned %(planned)s "
            "(%(remaining)s was left). Give a reason to go over the plan, or lower the amount."
        ) % {
            "category": standing.label,
            "over": format_money(over, currency),
            "planned": format_money(standing.planned, currency),
            "remaining": format_money(max(standing.remaining, Decimal("0.00")), currency),
        }
        raise ValidationError({field: ValidationError(message, code=OVERSPEND)})
    return over


def audit_spending(
    *,
    actor: Any,
    action: str,
    target: Model,
    community_id: int,
    data: dict[str, Any],
    over: Decimal,
    override_reason: str,
) -> None:
    """Audit a write that takes money from a category as `action`, and, when it went `over`
    the plan, the override too (with the same data, how far over and the reason)."""
    record_audit(
        actor_id=actor.pk,
        action=action,
        target=target,
        community_id=community_id,
        data=data,
    )
    if over > 0:
        record_audit(
            actor_id=actor.pk,
            action="budget.overspend_overridden",
            target=target,
            community_id=community_id,
            data={**data, "over_by": str(over), "reason": override_reason},
        )


def is_overspend_refusal(error: ValidationError) -> bool:
    """Whether a service refused only for want of a reason to overspend."""
    return hasattr(error, "error_dict") and any(
        item.code == OVERSPEND for items in error.error_dict.values() for item in items
    )
