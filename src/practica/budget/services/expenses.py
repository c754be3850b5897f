"""Recording what a community spends or commits against its budget, and voiding a mistake.

Only the community manager (or staff) does this. Recording holds a row lock on the budget
(`SELECT … FOR UPDATE`; SQLite's IMMEDIATE transactions serialise writers anyway) while it
checks the category against its plan, so two expenses recorded at once cannot both take the
last of it. Going over the plan needs a reason, kept on the expense and audited.
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.budget.models import Budget, BudgetCategory, Expense, ExpenseStatus
from practica.budget.money import clean_amount
from practica.budget.permissions import can_edit_budgets
from practica.budget.queries.standing import budget_standing
from practica.budget.services.checks import (
    audit_spending,
    clean_override_reason,
    clean_text,
    require_reason_to_overspend,
)
from practica.core.services import record_audit
from practica.events.models import Event

MAX_DESCRIPTION = 200
MAX_VOID_REASON = 500


def _require_editor(actor: Any, budget: Budget) -> None:
    if not can_edit_budgets(actor, budget.community):
        raise PermissionDenied(_("Only the community manager records expenses."))


def _clean_event(event: Event | None, budget: Budget) -> Event | None:
    if event is None:
        return None
    of_community = Event.objects.filter(pk=event.pk).filter(
        Q(community_id=budget.community_id) | Q(co_hosts=budget.community_id)
    )
    if not of_community.exists():
        raise ValidationError({"event": _("Choose an event the community hosts or co-hosts.")})
    return event


def record_expense(
    *,
    budget: Budget,
    actor: Any,
    category: str,
    description: str,
    amount: Any,
    incurred_on: date,
    status: str = ExpenseStatus.SPENT,
    event: Event | None = None,
    override_reason: str = "",
) -> Expense:
    """Record money spent (or committed: ordered, not yet paid) in `category`, on a date in
    the budget's period, optionally for an event of the community. If the category's spent
    plus committed would pass its planned amount, refuses (saying by how much) unless
    `override_reason` is given. Holds a row lock on the budget."""
    _require_editor(actor, budget)
    if category not in BudgetCategory.values:
        raise ValidationError({"category": _("Choose a budget category.")})
    if status not in ExpenseStatus.values:
        raise ValidationError({"status": _("Choose spent or committed.")})
    description = clean_text(
        description,
        field="description",
        max_length=MAX_DESCRIPTION,
        required=True,
        required_message=_("Say what the money is for."),
    )
    money = clean_amount(amount)
    override_reason = clean_override_reason(override_reason)
    if not isinstance(incurred_on, date):
        raise ValidationError({"incurred_on": _("Give the date as YYYY-MM-DD.")})
    if not budget.starts_on <= incurred_on <= budget.ends_on:
        raise ValidationError(
            {
                "incurred_on": _("The date must be in the budget's period, %(start)s to %(end)s.")
                % {"start": budget.starts_on, "end": budget.ends_on}
            }
        )
    event = _clean_event(event, budget)
    with transaction.atomic():
        locked = Budget.objects.select_for_update().get(pk=budget.pk)
        standing = budget_standing(locked).category(category)
        over = require_reason_to_overspend(
            standing=standing,
            adding=money,
            currency=locked.currency,
            override_reason=override_reason,
        )
        expense = Expense.objects.create(
            budget=locked,
            category=category,
            description=description,
            amount=money,
            status=status,
            incurred_on=incurred_on,
            event=event,
            override_reason=override_reason if over > 0 else "",
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        data = {
            "expense": expense.pk,
            "category": category,
            "amount": str(money),
            "currency": locked.currency,
            "status": status,
        }
        audit_spending(
            actor=actor,
            action="budget.expense_recorded",
            target=locked,
            community_id=locked.community_id,
            data=data,
            over=over,
            override_reason=override_reason,
        )
    return expense


def _locked_expense(expense: Expense) -> Expense:
    return (
        Expense.objects.select_for_update(of=("self",)).select_related("budget").get(pk=expense.pk)
    )


def mark_expense_spent(*, expense: Expense, actor: Any) -> Expense:
    """A committed expense was paid: it now counts as spent (the total used is the same, so
    the plan is not checked again)."""
    _require_editor(actor, expense.budget)
    with transaction.atomic():
        locked = _locked_expense(expense)
        if locked.voided_at is not None:
            raise ValidationError(_("This expense is voided."))
        if locked.status == ExpenseStatus.SPENT:
            raise ValidationError(_("This expense is already marked as spent."))
        locked.status = ExpenseStatus.SPENT
        locked.save(update_fields=["status"])
        record_audit(
            actor_id=actor.pk,
            action="budget.expense_paid",
            target=locked.budget,
            community_id=locked.budget.community_id,
            data={"expense": locked.pk, "amount": str(locked.amount)},
        )
    return locked


def void_expense(*, expense: Expense, actor: Any, reason: str) -> Expense:
    """Void an expense entered by mistake, with the reason; it stays listed, no longer
    counted. Audited."""
    _require_editor(actor, expense.budget)
    reason = clean_text(
        reason,
        field="reason",
        max_length=MAX_VOID_REASON,
        required=True,
        required_message=_("Say why the expense is voided."),
    )
    with transaction.atomic():
        locked = _locked_expense(expense)
        if locked.voided_at is not None:
            raise ValidationError(_("This expense is already voided."))
        locked.voided_at = timezone.now()
        locked.voided_by = actor
        locked.void_reason = reason
        locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
        record_audit(
            actor_id=actor.pk,
            action="budget.expense_voided",
            target=locked.budget,
            community_id=locked.budget.community_id,
            data={
                "expense": locked.pk,
                "amount": str(locked.amount),
                "currency": locked.budget.currency,
                "reason": reason,
            },
        )
    return locked
