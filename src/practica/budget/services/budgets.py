"""Creating a community's budget for a fiscal year and planning its lines.

Only the community manager (or staff) does this (`can_edit_budgets`). Changing the lines
takes a row lock on the budget, like every write that compares money with the plan, so a
plan and an expense checked against it never cross.
"""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from practica.budget.fiscal_years import FIRST_YEAR, LAST_YEAR, fiscal_year_period
from practica.budget.models import Budget, BudgetCategory, BudgetLine
from practica.budget.money import clean_amount, clean_currency
from practica.budget.permissions import can_edit_budgets
from practica.budget.queries.budgets import overlapping_budget
from practica.budget.services.checks import clean_text
from practica.communities.models import Community
from practica.core.services import record_audit

MAX_NOTE = 2000
# A budget covers a fiscal year; a longer or shorter one only while a company changes its year.
MAX_PERIOD_DAYS = 731


def _require_editor(actor: Any, community: Community) -> None:
    if not can_edit_budgets(actor, community):
        raise PermissionDenied(_("Only the community manager keeps the budgets."))


def clean_lines(lines: Mapping[str, Any]) -> dict[str, Decimal | None]:
    """Planned amounts per category (0 allowed); None or "" removes a category's line. Errors
    are keyed `lines.<category>`."""
    unknown = sorted(set(lines) - set(BudgetCategory.values))
    if unknown:
        raise ValidationError(
            {"lines": _("Unknown budget categories: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    cleaned: dict[str, Decimal | None] = {}
    errors: dict[str, list[str]] = {}
    for category, value in lines.items():
        if value is None or value == "":
            cleaned[category] = None
            continue
        try:
            cleaned[category] = clean_amount(value, field=f"lines.{category}", allow_zero=True)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_period(
    fiscal_year: Any, starts_on: date | None, ends_on: date | None
) -> tuple[date, date]:
    if isinstance(fiscal_year, bool) or not isinstance(fiscal_year, int):
        raise ValidationError({"fiscal_year": _("Give the fiscal year as a number, e.g. 2025.")})
    if not FIRST_YEAR <= fiscal_year <= LAST_YEAR:
        raise ValidationError(
            {
                "fiscal_year": _("Give a fiscal year between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            }
        )
    default_start, default_end = fiscal_year_period(fiscal_year)
    starts_on = starts_on or default_start
    ends_on = ends_on or default_end
    if ends_on <= starts_on:
        raise ValidationError({"ends_on": _("The budget must end after it starts.")})
    if (ends_on - starts_on).days > MAX_PERIOD_DAYS:
        raise ValidationError({"ends_on": _("A budget covers one fiscal year, two at most.")})
    return starts_on, ends_on


def _year_taken(community: Community, fiscal_year: int) -> ValidationError:
    return ValidationError(
        {
            "fiscal_year": _("%(name)s already has a budget for fiscal year %(year)s.")
            % {"name": community.name, "year": fiscal_year}
        }
    )


def create_budget(
    *,
    community: Community,
    fiscal_year: int,
    currency: str,
    actor: Any,
    starts_on: date | None = None,
    ends_on: date | None = None,
    lines: Mapping[str, Any] | None = None,
    note: str = "",
) -> Budget:
    """Create the community's budget for `fiscal_year` in `currency` (ISO 4217), with its
    planned amount per category. The period defaults to the fiscal year's (see
    `fiscal_years`); it may not share a day with another budget of the community, so each
    date has at most one budget. One budget per community and year."""
    _require_editor(actor, community)
    starts_on, ends_on = _clean_period(fiscal_year, starts_on, ends_on)
    currency = clean_currency(currency)
    planned = {key: value for key, value in clean_lines(lines or {}).items() if value is not None}
    note = clean_text(note, field="note", max_length=MAX_NOTE)
    with transaction.atomic():
        if Budget.objects.filter(community=community, fiscal_year=fiscal_year).exists():
            raise _year_taken(community, fiscal_year)
        clash = overlapping_budget(community.pk, starts_on, ends_on)
        if clash is not None:
            raise ValidationError(
                {
                    "starts_on": _(
                        "The period overlaps the FY%(year)s budget (%(start)s to %(end)s)."
                    )
                    % {"year": clash.fiscal_year, "start": clash.starts_on, "end": clash.ends_on}
                }
            )
        try:
            with transaction.atomic():
                budget = Budget.objects.create(
                    community=community,
                    fiscal_year=fiscal_year,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    currency=currency,
                    note=note,
                    created_by=actor,
                )
        except IntegrityError:
            # Another request created the same year a moment ago.
            raise _year_taken(community, fiscal_year) from None
        BudgetLine.objects.bulk_create(
            BudgetLine(budget=budget, category=category, planned=amount)
            for category, amount in planned.items()
        )
        record_audit(
            actor_id=actor.pk,
            action="budget.created",
            target=budget,
            community_id=community.pk,
            data={
                "fiscal_year": fiscal_year,
                "currency": currency,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
                "lines": {category: str(amount) for category, amount in planned.items()},
            },
        )
    return budget


def update_budget(
    *,
    budget: Budget,
    actor: Any,
    lines: Mapping[str, Any] | None = None,
    note: str | None = None,
) -> Budget:
    """Change planned amounts (only the categories given; None removes a line) and the note.
    Holds a row lock on the budget. A plan may be set below what is already spent: the
    category then shows as overspent."""
    _require_editor(actor, budget.community)
    changes = clean_lines(lines or {})
    cleaned_note = None if note is None else clean_text(note, field="note", max_length=MAX_NOTE)
    with transaction.atomic():
        locked = Budget.objects.select_for_update().get(pk=budget.pk)
        before = {line.category: line.planned for line in BudgetLine.objects.filter(budget=locked)}
        for category, amount in changes.items():
            if amount is None:
                BudgetLine.objects.filter(budget=locked, category=category).delete()
            else:
                BudgetLine.objects.update_or_create(
                    budget=locked, category=category, defaults={"planned": amount}
                )
        if cleaned_note is not None and cleaned_note != locked.note:
            locked.note = cleaned_note
            locked.save(update_fields=["note", "updated_at"])
        after = {line.category: line.planned for line in BudgetLine.objects.filter(budget=locked)}
        if before != after:
            record_audit(
                actor_id=actor.pk,
                action="budget.lines_changed",
                target=locked,
                community_id=locked.community_id,
                data={
                    "before": {key: str(value) for key, value in before.items()},
                    "after": {key: str(value) for key, value in after.items()},
                },
            )
    budget.note = locked.note
    return budget
