"""Budgets per community and fiscal year, the expenses recorded against them, and the small
grants members apply for.

Money is `Decimal` with two places, in the budget's currency. What a budget has spent and
committed is always computed (`practica.budget.queries`), never stored: expenses, the
community's events' cost lines, and grants (approved ones commit, reported ones spend).
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practica.core.models import TimeStampedModel

MONEY = {"max_digits": 12, "decimal_places": 2}


class BudgetCategory(models.TextChoices):
    VENUE = "venue", _("Venue")
    FOOD = "food", _("Food and drinks")
    RECORDING = "recording", _("Recording")
    CONFERENCE = "conference", _("Conference")
    SWAG = "swag", _("Swag and prizes")
    GRANTS = "grants", _("Grants")
    OTHER = "other", _("Other")


class Budget(TimeStampedModel):
    """A community's budget for one fiscal year, in one currency."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="budgets"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["community", "-fiscal_year"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(fields=["community", "fiscal_year"], name="budget_per_year"),
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="budget_period"),
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year} budget of {self.community_id}"


class BudgetLine(models.Model):
    """The amount planned for one category of a budget; a category without a line has none."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(_("category"), max_length=12, choices=BudgetCategory.choices)
    planned = models.DecimalField(_("planned"), **MONEY, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["budget", "category"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["budget", "category"], name="budget_line_once"),
            models.CheckConstraint(condition=Q(planned__gte=0), name="budget_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.planned}"


class ExpenseStatus(models.TextChoices):
    COMMITTED = "committed", _("Committed")
    SPENT = "spent", _("Spent")


class Expense(models.Model):
    """Money committed or spent against a budget, linked to the event it was for if any.

    Voided rather than deleted, so the record of what was once entered stays. An expense that
    took a category past its planned amount carries the manager's reason for the override.
    """

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="expenses")
    category = models.CharField(_("category"), max_length=12, choices=BudgetCategory.choices)
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount"), **MONEY)
    status = models.CharField(
        _("status"), max_length=10, choices=ExpenseStatus.choices, default=ExpenseStatus.SPENT
    )
    incurred_on = models.DateField(_("date"))
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_expenses",
    )
    override_reason = models.CharField(_("reason for overspending"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=500, blank=True)

    class Meta:
        ordering = ["budget", "-incurred_on", "-pk"]
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_positive"),
        ]
        indexes = [models.Index(fields=["budget", "category"], name="expense_budget_category")]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class GrantStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    PARTLY_APPROVED = "partly_approved", _("Partly approved")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REPORTED = "reported", _("Outcome reported")


class Grant(TimeStampedModel):
    """A member's request for a small grant to run an activity, the decision, and the outcome.

    Approval (whole or part) commits `amount_approved` to the grants category of the budget
    whose fiscal year holds `activity_on`; the grantee's report turns the commitment into
    `amount_spent`.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="grants"
    )
    budget = models.ForeignKey(
        Budget, null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants"
    )
    group = models.ForeignKey(
        "communities.Group",
        verbose_name=_("for the group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grants",
    )
    title = models.CharField(_("what"), max_length=200)
    purpose = models.TextField(_("why"), max_length=5000)
    amount_requested = models.DecimalField(_("amount requested"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    activity_on = models.DateField(_("date of the activity"))
    status = models.CharField(
        _("status"), max_length=16, choices=GrantStatus.choices, default=GrantStatus.SUBMITTED
    )
    amount_approved = models.DecimalField(_("amount approved"), **MONEY, null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=1000, blank=True)
    override_reason = models.CharField(_("reason for overspending"), max_length=500, blank=True)
    outcome = models.TextField(_("outcome"), blank=True, max_length=5000)
    amount_spent = models.DecimalField(_("amount spent"), **MONEY, null=True, blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)

    class Meta:
        ordering = ["community", "-created_at"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.CheckConstraint(condition=Q(amount_requested__gt=0), name="grant_positive"),
            models.CheckConstraint(
                condition=Q(amount_approved__isnull=True) | Q(amount_approved__gt=0),
                name="grant_approved_positive",
            ),
            models.CheckConstraint(
                condition=Q(amount_spent__isnull=True) | Q(amount_spent__gte=0),
                name="grant_spent_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["community", "status"], name="grant_community_status")]

    def __str__(self) -> str:
        return self.title
