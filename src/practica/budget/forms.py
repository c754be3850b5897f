"""Forms of the budget and grant screens. They check the shape of the input with the same
money rules as the services (`budget.money`); the services decide the rest."""

from datetime import timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from practica.budget.fiscal_years import FIRST_YEAR, LAST_YEAR
from practica.budget.models import Budget, BudgetCategory, ExpenseStatus, GrantStatus
from practica.budget.money import clean_amount, clean_currency
from practica.budget.queries.grants import APPROVED_FILTER
from practica.budget.services.budgets import MAX_NOTE
from practica.budget.services.checks import MAX_OVERRIDE_REASON
from practica.budget.services.expenses import MAX_DESCRIPTION, MAX_VOID_REASON
from practica.budget.services.grants import (
    APPROVE,
    DECLINE,
    MAX_OUTCOME,
    MAX_PURPOSE,
    MAX_REASON,
    MAX_TITLE,
)
from practica.communities.models import Community, Group
from practica.events.models import Event

LINE_PREFIX = "line_"
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MoneyField(forms.CharField):
    """An amount typed as text (`1250.50`), checked by `budget.money.clean_amount`."""

    def __init__(self, *, allow_zero: bool = False, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(max_length=32, **kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        try:
            return clean_amount(text.replace(",", ""), allow_zero=self.allow_zero)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class CurrencyField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"size": 4, "autocapitalize": "characters"})
        )
        kwargs.setdefault("help_text", _("Its three-letter code, e.g. USD, EUR, CNY."))
        super().__init__(label=_("Currency"), max_length=3, **kwargs)

    def clean(self, value: Any) -> Any:
        try:
            return clean_currency(super().clean(value))
        except ValidationError as error:
            raise ValidationError(error.messages) from None


def line_field_name(category: str) -> str:
    return f"{LINE_PREFIX}{category}"


class BudgetLinesMixin(forms.Form):
    """One planned amount per category (`line_<category>`); blank means no line."""

    def add_line_fields(self, budget: Budget | None = None) -> None:
        planned = dict(budget.lines.values_list("category", "planned")) if budget else {}
        for category, label in BudgetCategory.choices:
            self.fields[line_field_name(category)] = MoneyField(
                label=label, required=False, allow_zero=True, initial=planned.get(category)
            )

    def line_fields(self) -> list[forms.BoundField]:
        return [self[line_field_name(category)] for category in BudgetCategory.values]

    def lines(self) -> dict[str, Any]:
        return {
            category: self.cleaned_data.get(line_field_name(category))
            for category in BudgetCategory.values
        }


class BudgetCreateForm(BudgetLinesMixin):
    fiscal_year = forms.IntegerField(
        label=_("Fiscal year"), min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    currency = CurrencyField()
    starts_on = forms.DateField(
        label=_("Starts on"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Leave empty for the fiscal year's first day."),
    )
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Leave empty for the fiscal year's last day."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_line_fields()


class BudgetEditForm(BudgetLinesMixin):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, budget: Budget, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"note": budget.note})
        super().__init__(*args, **kwargs)
        self.add_line_fields(budget)


def budget_events(budget: Budget) -> Any:
    """The events an expense of `budget` may be for: hosted or co-hosted by the community,
    starting in (or a day around) the budget's period, the latest first."""
    return (
        Event.objects.filter(
            Q(community_id=budget.community_id) | Q(co_hosts=budget.community_id),
            starts_at__date__gte=budget.starts_on - timedelta(days=1),
            starts_at__date__lte=budget.ends_on + timedelta(days=1),
        )
        .distinct()
        .order_by("-starts_at")
    )


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Event) -> str:
        return f"{obj.starts_at:%Y-%m-%d} · {obj.title}"


class ExpenseForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=BudgetCategory.choices)
    description = forms.CharField(label=_("What for"), max_length=MAX_DESCRIPTION)
    amount = MoneyField(label=_("Amount"))
    status = forms.ChoiceField(
        label=_("Status"),
        choices=ExpenseStatus.choices,
        initial=ExpenseStatus.SPENT,
        widget=forms.RadioSelect,
        help_text=_("Committed: ordered or promised, not paid yet."),
    )
    incurred_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    event = EventChoiceField(
        label=_("For the event"),
        queryset=Event.objects.none(),
        required=False,
        empty_label=_("No event"),
        help_text=_("Its own cost lines are counted already: record here only what is not."),
    )
    override_reason = forms.CharField(
        label=_("Reason for going over the plan"),
        required=False,
        max_length=MAX_OVERRIDE_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when the expense takes its category past the planned amount."),
    )

    def __init__(self, *args: Any, budget: Budget, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = budget_events(budget)
        self.fields["incurred_on"].widget.attrs.update(
            {"min": budget.starts_on.isoformat(), "max": budget.ends_on.isoformat()}
        )
        self.fields["amount"].label = _("Amount (%(currency)s)") % {"currency": budget.currency}


class VoidExpenseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why void it"),
        max_length=MAX_VOID_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The expense stays listed, crossed out, with this reason."),
    )


class GrantApplicationForm(forms.Form):
    title = forms.CharField(
        label=_("What"),
        max_length=MAX_TITLE,
        help_text=_("The activity, e.g. “Pizza for the reading group's 10th session”."),
    )
    purpose = forms.CharField(
        label=_("Why"),
        max_length=MAX_PURPOSE,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who it is for and what the community gets from it."),
    )
    amount = MoneyField(label=_("Amount"))
    currency = CurrencyField()
    activity_on = forms.DateField(label=_("Date of the activity"), widget=DATE_INPUT)
    group = forms.ModelChoiceField(
        label=_("For the group"),
        queryset=Group.objects.none(),
        required=False,
        empty_label=_("No group"),
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = Group.objects.filter(community=community, archived_at__isnull=True)
        self.fields["group"].queryset = groups.order_by("name")
        if not groups.exists():
            del self.fields["group"]


class GrantDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (DECLINE, _("Decline"))],
        widget=forms.RadioSelect,
    )
    amount = MoneyField(
        label=_("Amount to grant"),
        required=False,
        help_text=_("The amount requested approves it in full; less approves part of it."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to decline or to approve part: the applicant reads it."),
    )
    override_reason = forms.CharField(
        label=_("Reason for going over the grants budget"),
        required=False,
        max_length=MAX_OVERRIDE_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when the grants category has less left than this amount."),
    )


class GrantReportForm(forms.Form):
    outcome = forms.CharField(
        label=_("How it went"),
        max_length=MAX_OUTCOME,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happened, how many came, what you would do again."),
    )
    amount_spent = MoneyField(label=_("Amount spent"), allow_zero=True)
    override_reason = forms.CharField(
        label=_("Reason for spending more than approved"),
        required=False,
        max_length=MAX_OVERRIDE_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when you spent more than the approved amount."),
    )


class GrantFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            (APPROVED_FILTER, _("Granted (approved, partly or reported)")),
            *GrantStatus.choices,
        ],
    )
    fiscal_year = forms.TypedChoiceField(
        label=_("Fiscal year"), required=False, coerce=int, empty_value=None, choices=[]
    )
    group = forms.ModelChoiceField(
        label=_("Group"), required=False, queryset=Group.objects.none(), empty_label=_("Any group")
    )

    def __init__(self, *args: Any, community: Community, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = [
            ("", _("Any year")),
            *((year, str(year)) for year in years),
        ]
        self.fields["group"].queryset = Group.objects.filter(community=community).order_by("name")
