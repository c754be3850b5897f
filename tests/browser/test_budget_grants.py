"""A member applies for a grant, the community manager approves it from the queue, the
budget's remaining amount drops by the grant, and the grantee reports the outcome — in a real
Chromium, each page passing an axe scan."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from practica.budget.models import Grant, GrantStatus
from practica.communities.models import MembershipRole
from practica.core.models import Activity, ActivityKind
from practica.mail.models import OutboundMessage
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories.budget import BudgetFactory, BudgetLineFactory
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def grants(transactional_db, settings):
    settings.EMAIL_BACKEND = "practica.mail.backends.OutboxEmailBackend"
    community = CommunityFactory(name="Machine Learning", slug="machine-learning")
    manager = UserFactory(email="manager@example.com", display_name="Maria Manager")
    MembershipFactory(community=community, person=manager, role=MembershipRole.MANAGER)
    member = UserFactory(email="gao@example.com", display_name="Gao Grantee")
    MembershipFactory(community=community, person=member)
    budget = BudgetFactory(community=community, currency="USD")
    BudgetLineFactory(budget=budget, category="venue", planned=Decimal("1500"))
    BudgetLineFactory(budget=budget, category="grants", planned=Decimal("1000"))
    return community, manager, member, budget


def sign_out(page, name):
    page.get_by_text(name).first.click()
    page.get_by_role("button", name="Sign out").click()


def test_a_grant_from_application_to_report(page, grants):
    community, manager, member, budget = grants
    activity_on = timezone.localdate() + timedelta(days=14)

    # The member applies.
    sign_in(page, member.email, DEFAULT_PASSWORD)
    page.goto(f"/budget/communities/{community.slug}/grants/apply/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply for a grant")
    assert_accessible(page, "the grant application form")
    page.get_by_role("textbox", name="What", exact=True).fill("Pizza for the reading group")
    page.get_by_role("textbox", name="Why", exact=True).fill(
        "Ten sessions on the Deep Learning book."
    )
    page.get_by_role("textbox", name="Amount", exact=True).fill("300")
    expect(page.get_by_label("Currency")).to_have_value("USD")
    page.get_by_label("Date of the activity").fill(activity_on.isoformat())
    page.get_by_role("button", name="Send the application").click()
    expect(page.get_by_role("status").first).to_contain_text("Your application is sent")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pizza for the reading group")
    expect(page.locator("[data-status]").first).to_have_text("Submitted")
    assert_accessible(page, "the grant page, as its applicant")
    grant = Grant.objects.get()
    assert OutboundMessage.objects.filter(to_email=manager.email).exists()
    sign_out(page, "Gao Grantee")

    # The manager sees the budget, approves from the queue, and the remaining amount drops.
    sign_in(page, manager.email, DEFAULT_PASSWORD)
    page.goto(f"/budget/{budget.pk}/")
    expect(page.locator("#budget-remaining")).to_have_text("2,500.00 USD")
    assert_accessible(page, "the budget page")
    page.goto(f"/budget/communities/{community.slug}/grants/")
    assert_accessible(page, "the grants queue")
    page.locator("#grant-queue").get_by_role("link", name="Pizza for the reading group").click()
    expect(page.locator("#grants-remaining")).to_have_text("1,000.00 USD")
    expect(page.get_by_role("radio", name="Approve")).to_be_checked()
    expect(page.get_by_label("Amount to grant")).to_have_value("300.00")
    assert_accessible(page, "the decision form")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_role("status").first).to_contain_text("The grant is approved")
    expect(page.locator("#grants-remaining")).to_have_text("700.00 USD")
    page.get_by_role("link", name=f"FY{budget.fiscal_year} budget").click()
    expect(page.locator("#budget-remaining")).to_have_text("2,200.00 USD")
    expect(page.locator("#budget-committed")).to_have_text("300.00 USD")
    grant.refresh_from_db()
    assert (grant.status, grant.budget) == (GrantStatus.APPROVED, budget)
    assert OutboundMessage.objects.filter(
        to_email=member.email, idempotency_key=f"budget-grant-{grant.pk}-decided"
    ).exists()
    sign_out(page, "Maria Manager")

    # The grantee reports the outcome.
    sign_in(page, member.email, DEFAULT_PASSWORD)
    page.goto("/budget/grants/mine/")
    assert_accessible(page, "my grants")
    page.get_by_role("link", name="Pizza for the reading group").click()
    page.get_by_label("How it went").fill("Twelve came; we finished chapter 3.")
    page.get_by_label("Amount spent").fill("280")
    assert_accessible(page, "the report form")
    page.get_by_role("button", name="Report the outcome").click()
    expect(page.get_by_role("status").first).to_contain_text("the outcome is reported")
    expect(page.locator("[data-status]").first).to_have_text("Outcome reported")
    expect(page.locator("#grant-spent")).to_have_text("280.00 USD")

    grant.refresh_from_db()
    assert (grant.status, grant.amount_spent) == (GrantStatus.REPORTED, Decimal("280.00"))
    assert Activity.objects.filter(kind=ActivityKind.RAN_GRANT_ACTIVITY, person=member).exists()
