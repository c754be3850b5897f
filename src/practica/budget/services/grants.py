"""Small grants: a member applies, the manager decides, the grantee reports the outcome.

- A current member applies (what, why, amount, currency, date, optional group); each manager
  is mailed. The applicant may withdraw until the outcome is reported.
- The community manager approves in full, approves part (less than requested, with a
  reason) or declines (with a reason), never on their own application. Approval attaches
  the budget whose period holds the activity's date (there must be one, in the grant's
  currency) and commits the amount to its grants category; beyond what the category has
  left it needs an override reason. The applicant is mailed; decisions and overrides are
  audited.
- The grantee reports what happened and what was spent (at most the approved amount unless
  they give a reason); the grant then counts as spent and a RAN_GRANT_ACTIVITY activity is
  recorded.

Deciding holds a row lock on the budget and then on the grant (always in that order), so two
approvals at once cannot both take the last money, nor two decisions land on one grant.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.budget.mails import mail_applicant_about_decision, mail_managers_about_application
from practica.budget.models import Budget, BudgetCategory, Grant, GrantStatus
from practica.budget.money import clean_amount, clean_currency, format_money
from practica.budget.permissions import (
    APPROVED_STATUSES,
    can_apply_for_grant,
    can_decide_grants,
    is_applicant,
)
from practica.budget.queries.budgets import budget_holding
from practica.budget.queries.standing import budget_standing
from practica.budget.services.checks import (
    OVERSPEND,
    audit_spending,
    clean_override_reason,
    clean_text,
    require_reason_to_overspend,
)
from practica.communities.models import Community, Group
from practica.core.models import ActivityKind
from practica.core.services import record_activity, record_audit

MAX_TITLE = 200
MAX_PURPOSE = 5000
MAX_REASON = 1000
MAX_OUTCOME = 5000
# How far ahead an activity may be planned: grants are for the coming months.
MAX_DAYS_AHEAD = 730

APPROVE = "approve"
DECLINE = "decline"
DECISIONS = (APPROVE, DECLINE)


def _locked_grant(grant: Grant) -> Grant:
    return (
        Grant.objects.select_for_update(of=("self",))
        .select_related("community", "applicant", "group")
        .get(pk=grant.pk)
    )


def _activity_data(grant: Grant) -> dict[str, int]:
    data = {"grant": grant.pk}
    if grant.group_id is not None:
        data["group"] = grant.group_id
    return data


def apply_for_grant(
    *,
    community: Community,
    applicant: Any,
    title: str,
    purpose: str,
    amount: Any,
    currency: str,
    activity_on: date,
    group: Group | None = None,
) -> Grant:
    """A current member asks for `amount` in `currency` to run an activity on `activity_on`
    (today or later, at most two years ahead), optionally for one of the community's open
    groups. If a budget already holds that date, the currency must be the budget's. Each
    manager of the community is mailed."""
    if not can_apply_for_grant(applicant, community):
        raise PermissionDenied(
            _("Only members of %(name)s can apply for its grants.") % {"name": community.name}
        )
    title = clean_text(
        title,
        field="title",
        max_length=MAX_TITLE,
        required=True,
        required_message=_("Say what the activity is."),
    )
    purpose = clean_text(
        purpose,
        field="purpose",
        max_length=MAX_PURPOSE,
        required=True,
        required_message=_("Say why the community should fund it."),
    )
    money = clean_amount(amount)
    currency = clean_currency(currency)
    if not isinstance(activity_on, date):
        raise ValidationError({"activity_on": _("Give the date as YYYY-MM-DD.")})
    today = timezone.localdate()
    if activity_on < today:
        raise ValidationError({"activity_on": _("The activity's date cannot be in the past.")})
    if activity_on > today + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(
            {"activity_on": _("Grants are for activities in the next two years at most.")}
        )
    if group is not None and group.community_id != community.pk:
        raise ValidationError({"group": _("Choose a group of this community.")})
    if group is not None and group.is_archived:
        raise ValidationError({"group": _("This group is archived.")})
    budget = budget_holding(community.pk, activity_on)
    if budget is not None and budget.currency != currency:
        raise ValidationError(
            {
                "currency": _("The FY%(year)s budget is in %(currency)s: ask in %(currency)s.")
                % {"year": budget.fiscal_year, "currency": budget.currency}
            }
        )
    with transaction.atomic():
        grant = Grant.objects.create(
            community=community,
            applicant=applicant,
            group=group,
            title=title,
            purpose=purpose,
            amount_requested=money,
            currency=currency,
            activity_on=activity_on,
        )
        mail_managers_about_application(grant)
    return grant


def withdraw_grant(*, grant: Grant, actor: Any) -> Grant:
    """The applicant withdraws their application, or an approval not yet reported (its money
    is committed no more; audited)."""
    if not is_applicant(actor, grant):
        raise PermissionDenied(_("Only the applicant can withdraw a grant application."))
    with transaction.atomic():
        locked = _locked_grant(grant)
        if locked.status not in (GrantStatus.SUBMITTED, *APPROVED_STATUSES):
            raise ValidationError(
                _("A grant that is %(status)s cannot be withdrawn.")
                % {"status": locked.get_status_display().lower()}
            )
        was_approved = locked.status in APPROVED_STATUSES
        locked.status = GrantStatus.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
        if was_approved:
            record_audit(
                actor_id=actor.pk,
                action="budget.grant_withdrawn",
                target=locked,
                community_id=locked.community_id,
                data={"amount_approved": str(locked.amount_approved)},
            )
    return locked


def _require_decider(actor: Any, grant: Grant) -> None:
    if is_applicant(actor, grant):
        raise PermissionDenied(_("You cannot decide on your own grant application."))
    if not can_decide_grants(actor, grant.community):
        raise PermissionDenied(_("Only the community manager decides on grants."))


def _require_submitted(grant: Grant) -> None:
    if grant.status != GrantStatus.SUBMITTED:
        raise ValidationError(
            _("This application is no longer waiting for a decision (it is %(status)s).")
            % {"status": grant.get_status_display().lower()}
        )


def _budget_for(grant: Grant) -> Budget:
    budget = budget_holding(grant.community_id, grant.activity_on)
    if budget is None:
        raise ValidationError(
            _(
                "No budget of %(name)s holds %(date)s, the activity's date: create the budget "
                "for that fiscal year first."
            )
            % {"name": grant.community.name, "date": grant.activity_on.isoformat()}
        )
    if budget.currency != grant.currency:
        raise ValidationError(
            _(
                "The grant asks for %(grant)s but the FY%(year)s budget is in %(budget)s: "
                "decline it and ask for a new application in %(budget)s."
            )
            % {"grant": grant.currency, "year": budget.fiscal_year, "budget": budget.currency}
        )
    return budget


def approve_grant(
    *,
    grant: Grant,
    actor: Any,
    amount: Any = None,
    reason: str = "",
    override_reason: str = "",
) -> Grant:
    """Approve the application in full (`amount` None or the requested amount) or in part
    (less, with a `reason`). Attaches the budget holding the activity's date and commits the
    amount to its grants category; more than the category has left needs `override_reason`.
    Holds row locks on the budget, then the grant. Mails the applicant; audited."""
    _require_decider(actor, grant)
    reason = clean_text(reason, field="reason", max_length=MAX_REASON)
    override_reason = clean_override_reason(override_reason)
    granted = (
        grant.amount_requested
        if amount is None or amount == ""
        else clean_amount(amount, field="amount")
    )
    if granted > grant.amount_requested:
        raise ValidationError(
            {
                "amount": _("Approve at most the %(requested)s requested.")
                % {"requested": format_money(grant.amount_requested, grant.currency)}
            }
        )
    partly = granted < grant.amount_requested
    if partly and not reason:
        raise ValidationError(
            {"reason": _("Say why you approve less than requested: the applicant will read it.")}
        )
    _require_submitted(grant)
    budget = _budget_for(grant)
    with transaction.atomic():
        locked_budget = Budget.objects.select_for_update().get(pk=budget.pk)
        locked = _locked_grant(grant)
        _require_submitted(locked)
        standing = budget_standing(locked_budget).category(BudgetCategory.GRANTS)
        over = require_reason_to_overspend(
            standing=standing,
            adding=granted,
            currency=locked_budget.currency,
            override_reason=override_reason,
        )
        locked.budget = locked_budget
        locked.status = GrantStatus.PARTLY_APPROVED if partly else GrantStatus.APPROVED
        locked.amount_approved = granted
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.override_reason = override_reason if over > 0 else ""
        locked.save(
            update_fields=[
                "budget",
                "status",
                "amount_approved",
                "decided_by",
                "decided_at",
                "decision_reason",
                "override_reason",
                "updated_at",
            ]
        )
        data = {
            "amount_requested": str(locked.amount_requested),
            "amount_approved": str(granted),
            "currency": locked.currency,
            "budget": locked_budget.pk,
            "reason": reason,
        }
        audit_spending(
            actor=actor,
            action=f"budget.grant_{locked.status}",
            target=locked,
            community_id=locked.community_id,
            data=data,
            over=over,
            override_reason=override_reason,
        )
        mail_applicant_about_decision(locked)
    return locked


def decline_grant(*, grant: Grant, actor: Any, reason: str) -> Grant:
    """Decline the application with a reason the applicant reads. Holds a row lock on the
    grant. Mails the applicant; audited."""
    _require_decider(actor, grant)
    reason = clean_text(
        reason,
        field="reason",
        max_length=MAX_REASON,
        required=True,
        required_message=_("Say why you decline: the applicant will read it."),
    )
    with transaction.atomic():
        locked = _locked_grant(grant)
        _require_submitted(locked)
        locked.status = GrantStatus.DECLINED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.save(
            update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"]
        )
        record_audit(
            actor_id=actor.pk,
            action="budget.grant_declined",
            target=locked,
            community_id=locked.community_id,
            data={"amount_requested": str(locked.amount_requested), "reason": reason},
        )
        mail_applicant_about_decision(locked)
    return locked


def decide_grant(
    *,
    grant: Grant,
    actor: Any,
    decision: str,
    amount: Any = None,
    reason: str = "",
    override_reason: str = "",
) -> Grant:
    """`approve` (in full, or in part with a smaller `amount`) or `decline`: one entry point
    for the decision form and endpoint."""
    if decision == APPROVE:
        return approve_grant(
            grant=grant, actor=actor, amount=amount, reason=reason, override_reason=override_reason
        )
    if decision == DECLINE:
        return decline_grant(grant=grant, actor=actor, reason=reason)
    raise ValidationError({"decision": _("Choose to approve or to decline.")})


def report_grant_outcome(
    *,
    grant: Grant,
    actor: Any,
    outcome: str,
    amount_spent: Any,
    override_reason: str = "",
) -> Grant:
    """The grantee says how the activity went and what it cost (0 allowed; more than the
    approved amount needs `override_reason`, audited). The grant turns from committed to
    spent, and a RAN_GRANT_ACTIVITY activity is recorded (with the group, if any). Holds a
    row lock on the grant."""
    if not is_applicant(actor, grant):
        raise PermissionDenied(_("Only the grantee reports the outcome of a grant."))
    outcome = clean_text(
        outcome,
        field="outcome",
        max_length=MAX_OUTCOME,
        required=True,
        required_message=_("Say how the activity went."),
    )
    spent = clean_amount(amount_spent, field="amount_spent", allow_zero=True)
    override_reason = clean_override_reason(override_reason)
    with transaction.atomic():
        locked = _locked_grant(grant)
        if locked.status not in APPROVED_STATUSES:
            raise ValidationError(
                _("Only an approved grant's outcome can be reported (this one is %(status)s).")
                % {"status": locked.get_status_display().lower()}
            )
        approved = locked.amount_approved or Decimal("0.00")
        over = max(spent - approved, Decimal("0.00"))
        if over > 0 and not override_reason:
            raise ValidationError(
                {
                    "override_reason": ValidationError(
                        _(
                            "That is %(over)s more than the %(approved)s approved. Give a "
                            "reason for spending more, or correct the amount."
                        )
                        % {
                            "over": format_money(over, locked.currency),
                            "approved": format_money(approved, locked.currency),
                        },
                        code=OVERSPEND,
                    )
                }
            )
        locked.status = GrantStatus.REPORTED
        locked.outcome = outcome
        locked.amount_spent = spent
        locked.reported_at = timezone.now()
        if over > 0:
            locked.override_reason = override_reason
        locked.save(
            update_fields=[
                "status",
                "outcome",
                "amount_spent",
                "reported_at",
                "override_reason",
                "updated_at",
            ]
        )
        record_activity(
            kind=ActivityKind.RAN_GRANT_ACTIVITY,
            person_id=actor.pk,
            community_id=locked.community_id,
            subject=locked,
            occurred_at=locked.reported_at,
            data=_activity_data(locked),
        )
        if over > 0:
            record_audit(
                actor_id=actor.pk,
                action="budget.grant_overspent",
                target=locked,
                community_id=locked.community_id,
                data={
                    "amount_approved": str(approved),
                    "amount_spent": str(spent),
                    "over_by": str(over),
                    "reason": override_reason,
                },
            )
    return locked
