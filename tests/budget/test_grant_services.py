"""Grants: a member applies (managers mailed), withdraws; the manager approves in full or in
part or declines (with reasons), never their own, within the grants budget unless overridden,
from the budget holding the activity's date in its currency (applicant mailed, decisions
audited); the grantee reports the outcome (activity recorded)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.budget.models import Grant, GrantStatus
from practica.budget.queries.standing import budget_standing
from practica.budget.services.checks import is_overspend_refusal
from practica.budget.services.grants import (
    apply_for_grant,
    approve_grant,
    decide_grant,
    decline_grant,
    report_grant_outcome,
    withdraw_grant,
)
from practica.communities.models import MembershipRole
from practica.core.models import Activity, ActivityKind, AuditLogEntry
from practica.mail.models import OutboundMessage
from tests.budget.conftest import member_with_role
from tests.factories.budget import BudgetFactory, GrantFactory
from tests.factories.communities import GroupFactory

pytestmark = pytest.mark.django_db

D = Decimal


def in_two_weeks():
    return timezone.localdate() + timedelta(days=14)


def apply(community, applicant, **changes):
    values = {
        "title": "Pizza for the reading group",
        "purpose": "Ten sessions on the Deep Learning book.",
        "amount": "300",
        "currency": "USD",
        "activity_on": in_two_weeks(),
        **changes,
    }
    return apply_for_grant(community=community, applicant=applicant, **values)


def grants_remaining(budget):
    return budget_standing(budget).category("grants").remaining


def test_a_member_applies_and_the_managers_are_mailed_once(community, manager, member, outbox):
    second_manager = member_with_role(community, MembershipRole.MANAGER)
    member_with_role(community, MembershipRole.LEADER)
    group = GroupFactory(community=community)
    grant = apply(community, member, group=group, amount="300.5", currency="usd")
    assert grant.status == GrantStatus.SUBMITTED
    assert (grant.amount_requested, grant.currency, grant.group) == (D("300.50"), "USD", group)
    mails = OutboundMessage.objects.order_by("to_email")
    assert sorted(mail.to_email for mail in mails) == sorted([manager.email, second_manager.email])
    mail = mails.get(to_email=manager.email)
    assert member.display_name in mail.subject
    assert "Pizza for the reading group" in mail.body_text
    assert "300.50 USD" in mail.body_text
    assert f"/budget/grants/{grant.pk}/" in mail.body_text
    assert mail.idempotency_key == f"budget-grant-{grant.pk}-applied-to-{manager.pk}"


def test_a_manager_applying_is_not_mailed_about_their_own_application(community, manager, outbox):
    apply(community, manager)
    assert not OutboundMessage.objects.exists()


def test_only_current_members_apply(community, outsider):
    with pytest.raises(PermissionDenied):
        apply(community, outsider)
    assert not Grant.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": " "}, "title", "what the activity is"),
        ({"purpose": ""}, "purpose", "why the community should fund it"),
        ({"amount": "-20"}, "amount", "cannot be negative"),
        ({"amount": "0"}, "amount", "more than zero"),
        ({"amount": "99999999"}, "amount", "above the limit"),
        ({"currency": "EURO"}, "currency", "three-letter code"),
        ({"activity_on": "soon"}, "activity_on", "YYYY-MM-DD"),
    ],
)
def test_bad_applications_are_refused(community, member, changes, field, message):
    with pytest.raises(ValidationError) as refused:
        apply(community, member, **changes)
    assert message in refused.value.message_dict[field][0]
    assert not Grant.objects.exists()


def test_the_activity_date_is_today_to_two_years_ahead(community, member):
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="in the past"):
        apply(community, member, activity_on=today - timedelta(days=1))
    with pytest.raises(ValidationError, match="two years"):
        apply(community, member, activity_on=today + timedelta(days=731))
    assert apply(community, member, activity_on=today)


def test_the_group_must_be_an_open_group_of_the_community(community, member):
    with pytest.raises(ValidationError, match="group of this community"):
        apply(community, member, group=GroupFactory())
    archived = GroupFactory(community=community, archived_at=timezone.now())
    with pytest.raises(ValidationError, match="archived"):
        apply(community, member, group=archived)


def test_the_currency_must_be_the_budget_s_when_one_holds_the_date(budget, member):
    with pytest.raises(ValidationError) as refused:
        apply(budget.community, member, currency="EUR")
    assert "is in USD: ask in USD" in refused.value.message_dict["currency"][0]


def test_approving_in_full_commits_the_budget_and_mails_the_applicant(
    budget, manager, member, outbox
):
    grant = apply(budget.community, member)
    OutboundMessage.objects.all().delete()

    approved = approve_grant(grant=grant, actor=manager)

    assert approved.status == GrantStatus.APPROVED
    assert (approved.amount_approved, approved.budget, approved.decided_by) == (
        D("300.00"),
        budget,
        manager,
    )
    assert grants_remaining(budget) == D("700.00")
    mail = OutboundMessage.objects.get()
    assert mail.to_email == member.email
    assert mail.idempotency_key == f"budget-grant-{grant.pk}-decided"
    assert "is approved: 300.00 USD" in mail.body_text
    entry = AuditLogEntry.objects.get(action="budget.grant_approved")
    assert (entry.actor, entry.data["amount_approved"]) == (manager, "300.00")


def test_approving_part_needs_a_reason(budget, manager, member, outbox):
    grant = apply(budget.community, member)
    with pytest.raises(ValidationError) as refused:
        approve_grant(grant=grant, actor=manager, amount="200")
    assert "approve less than requested" in refused.value.message_dict["reason"][0]
    approved = approve_grant(grant=grant, actor=manager, amount="200", reason="Half the pizza")
    assert approved.status == GrantStatus.PARTLY_APPROVED
    assert approved.decision_reason == "Half the pizza"
    assert grants_remaining(budget) == D("800.00")
    mail = OutboundMessage.objects.get(to_email=member.email)
    assert "partly approved: 200.00 USD of the 300.00 USD" in mail.body_text
    assert "Half the pizza" in mail.body_text
    assert AuditLogEntry.objects.filter(action="budget.grant_partly_approved").exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [("301", "at most the 300.00 USD"), ("0", "more than zero"), ("-1", "negative")],
)
def test_the_approved_amount_is_between_zero_and_the_request(
    budget, manager, member, amount, message
):
    grant = apply(budget.community, member)
    with pytest.raises(ValidationError) as refused:
        approve_grant(grant=grant, actor=manager, amount=amount, reason="r")
    assert message in refused.value.message_dict["amount"][0]


def test_declining_needs_a_reason_and_mails_it(budget, manager, member, outbox):
    grant = apply(budget.community, member)
    with pytest.raises(ValidationError) as refused:
        decline_grant(grant=grant, actor=manager, reason=" ")
    assert "why you decline" in refused.value.message_dict["reason"][0]
    declined = decide_grant(grant=grant, actor=manager, decision="decline", reason="Out of scope")
    assert declined.status == GrantStatus.DECLINED
    assert declined.budget is None
    assert grants_remaining(budget) == D("1000.00")
    mail = OutboundMessage.objects.get(to_email=member.email)
    assert "declined" in mail.subject
    assert "Out of scope" in mail.body_text
    assert AuditLogEntry.objects.get(action="budget.grant_declined").data["reason"] == (
        "Out of scope"
    )


def test_an_unknown_decision_is_refused(budget, manager, member):
    grant = apply(budget.community, member)
    with pytest.raises(ValidationError) as refused:
        decide_grant(grant=grant, actor=manager, decision="maybe")
    assert "approve or to decline" in refused.value.message_dict["decision"][0]


def test_a_manager_cannot_decide_their_own_grant(budget, manager, staff):
    grant = apply(budget.community, manager)
    with pytest.raises(PermissionDenied, match="your own"):
        approve_grant(grant=grant, actor=manager)
    with pytest.raises(PermissionDenied, match="your own"):
        decline_grant(grant=grant, actor=manager, reason="Modesty")
    # Another manager (here staff) can.
    assert approve_grant(grant=grant, actor=staff).status == GrantStatus.APPROVED


@pytest.mark.parametrize("role", ["leader", "sponsor", "member"])
def test_only_the_manager_decides(budget, role, request):
    grant = apply(budget.community, member_with_role(budget.community, MembershipRole.MEMBER))
    with pytest.raises(PermissionDenied):
        approve_grant(grant=grant, actor=request.getfixturevalue(role))
    grant.refresh_from_db()
    assert grant.status == GrantStatus.SUBMITTED


def test_a_decided_grant_cannot_be_decided_again(budget, manager, member):
    grant = apply(budget.community, member)
    approve_grant(grant=grant, actor=manager)
    with pytest.raises(ValidationError, match="no longer waiting"):
        decline_grant(grant=grant, actor=manager, reason="Changed my mind")
    stale = Grant.objects.get(pk=grant.pk)
    stale.status = GrantStatus.SUBMITTED  # a page loaded before the first decision
    with pytest.raises(ValidationError, match="no longer waiting"):
        approve_grant(grant=stale, actor=manager)
    assert grants_remaining(budget) == D("700.00")


def test_approval_beyond_the_grants_budget_needs_an_override(budget, manager, member):
    first = apply(budget.community, member, amount="800")
    approve_grant(grant=first, actor=manager)
    second = apply(budget.community, member, amount="300")
    with pytest.raises(ValidationError) as refused:
        approve_grant(grant=second, actor=manager)
    assert is_overspend_refusal(refused.value)
    assert (
        "Grants 100.00 USD over its planned 1,000.00 USD"
        in refused.value.message_dict["override_reason"][0]
    )
    second.refresh_from_db()
    assert second.status == GrantStatus.SUBMITTED

    approved = approve_grant(grant=second, actor=manager, override_reason="Sponsor tops up")
    assert approved.override_reason == "Sponsor tops up"
    override = AuditLogEntry.objects.get(action="budget.overspend_overridden")
    assert (override.data["over_by"], override.data["reason"]) == ("100.00", "Sponsor tops up")
    assert grants_remaining(budget) == D("-100.00")


def test_approval_needs_a_budget_holding_the_activity_date(community, manager, member):
    grant = apply(community, member)
    with pytest.raises(ValidationError) as refused:
        approve_grant(grant=grant, actor=manager)
    assert "create the budget for that fiscal year first" in refused.value.messages[0]
    grant.refresh_from_db()
    assert (grant.status, grant.budget) == (GrantStatus.SUBMITTED, None)


def test_approval_needs_the_budget_s_currency(community, manager, member):
    grant = GrantFactory(community=community, applicant=member, currency="EUR")
    BudgetFactory(community=community, currency="USD")
    with pytest.raises(ValidationError) as refused:
        approve_grant(grant=grant, actor=manager)
    assert "asks for EUR but the" in refused.value.messages[0]


def test_the_grantee_reports_the_outcome(budget, manager, member):
    group = GroupFactory(community=budget.community)
    grant = approve_grant(grant=apply(budget.community, member, group=group), actor=manager)
    with pytest.raises(PermissionDenied):
        report_grant_outcome(grant=grant, actor=manager, outcome="Fine", amount_spent="1")
    reported = report_grant_outcome(
        grant=grant, actor=member, outcome="  Twelve came; we read chapter 3. ", amount_spent="250"
    )
    assert reported.status == GrantStatus.REPORTED
    assert (reported.outcome, reported.amount_spent) == (
        "Twelve came; we read chapter 3.",
        D("250"),
    )
    grants = budget_standing(budget).category("grants")
    assert (grants.spent, grants.committed, grants.remaining) == (D("250"), D("0"), D("750"))
    activity = Activity.objects.get(kind=ActivityKind.RAN_GRANT_ACTIVITY)
    assert (activity.person, activity.community) == (member, budget.community)
    assert activity.subject == reported
    assert activity.data == {"grant": grant.pk, "group": group.pk}
    with pytest.raises(ValidationError, match="Only an approved grant"):
        report_grant_outcome(grant=grant, actor=member, outcome="Again", amount_spent="1")


def test_spending_nothing_is_a_valid_outcome(budget, manager, member):
    grant = approve_grant(grant=apply(budget.community, member), actor=manager)
    reported = report_grant_outcome(
        grant=grant, actor=member, outcome="Cancelled", amount_spent="0"
    )
    assert reported.amount_spent == D("0")
    assert Activity.objects.get().data == {"grant": grant.pk}


def test_spending_more_than_approved_needs_a_reason(budget, manager, member):
    grant = approve_grant(grant=apply(budget.community, member), actor=manager)
    with pytest.raises(ValidationError) as refused:
        report_grant_outcome(grant=grant, actor=member, outcome="Great", amount_spent="320")
    assert (
        "20.00 USD more than the 300.00 USD approved"
        in refused.value.message_dict["override_reason"][0]
    )
    assert not Activity.objects.exists()
    reported = report_grant_outcome(
        grant=grant, actor=member, outcome="Great", amount_spent="320", override_reason="More came"
    )
    assert reported.override_reason == "More came"
    assert AuditLogEntry.objects.get(action="budget.grant_overspent").data["over_by"] == "20.00"


@pytest.fixture
def approved(budget, manager, member):
    """An approved grant and its grantee."""
    return approve_grant(grant=apply(budget.community, member), actor=manager), member


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"outcome": ""}, "outcome", "how the activity went"),
        ({"amount_spent": "-1"}, "amount_spent", "negative"),
        ({"amount_spent": ""}, "amount_spent", "Enter an amount"),
    ],
)
def test_bad_reports_are_refused(approved, changes, field, message):
    grant, member = approved
    values = {"outcome": "Fine", "amount_spent": "10", **changes}
    with pytest.raises(ValidationError) as refused:
        report_grant_outcome(grant=grant, actor=member, **values)
    assert message in refused.value.message_dict[field][0]


def test_a_submitted_grant_cannot_be_reported(budget, member):
    grant = apply(budget.community, member)
    with pytest.raises(ValidationError, match="Only an approved grant"):
        report_grant_outcome(grant=grant, actor=member, outcome="Fine", amount_spent="1")


def test_the_applicant_withdraws(budget, manager, member, leader):
    grant = apply(budget.community, member)
    with pytest.raises(PermissionDenied):
        withdraw_grant(grant=grant, actor=leader)
    assert withdraw_grant(grant=grant, actor=member).status == GrantStatus.WITHDRAWN
    assert not AuditLogEntry.objects.filter(action="budget.grant_withdrawn").exists()
    with pytest.raises(ValidationError, match="cannot be withdrawn"):
        withdraw_grant(grant=grant, actor=member)
    with pytest.raises(ValidationError, match="no longer waiting"):
        approve_grant(grant=grant, actor=manager)


def test_giving_back_an_approved_grant_frees_its_money(budget, manager, member):
    grant = approve_grant(grant=apply(budget.community, member), actor=manager)
    assert grants_remaining(budget) == D("700.00")
    withdraw_grant(grant=grant, actor=member)
    assert grants_remaining(budget) == D("1000.00")
    assert AuditLogEntry.objects.get(action="budget.grant_withdrawn").data == {
        "amount_approved": "300.00"
    }


def test_a_reported_grant_cannot_be_withdrawn(budget, manager, member):
    grant = approve_grant(grant=apply(budget.community, member), actor=manager)
    report_grant_outcome(grant=grant, actor=member, outcome="Done", amount_spent="300")
    with pytest.raises(ValidationError, match="cannot be withdrawn"):
        withdraw_grant(grant=grant, actor=member)
