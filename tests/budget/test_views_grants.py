"""The grant screens: applying, my grants, the community's grants and queue (leadership),
a grant's page with the decision form (manager, never their own), the report form (grantee),
withdrawing; and everyone else kept out."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practica.budget.models import Grant, GrantStatus
from practica.mail.models import OutboundMessage
from tests.factories.budget import GrantFactory
from tests.factories.communities import GroupFactory

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def application(**changes):
    return {
        "title": "Pizza for the reading group",
        "purpose": "Ten sessions.",
        "amount": "300",
        "currency": "USD",
        "activity_on": (timezone.localdate() + timedelta(days=14)).isoformat(),
        **changes,
    }


def test_a_member_applies(budget, manager, member, outbox):
    group = GroupFactory(community=budget.community, name="Deep Learning Book")
    client = client_for(member)
    url = reverse("budget:grant_apply", args=[budget.community.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["currency"].value() == "USD"
    assert "Deep Learning Book" in page.content.decode()
    response = client.post(url, application(group=str(group.pk)))
    grant = Grant.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("budget:grant_detail", args=[grant.pk])
    assert (grant.applicant, grant.group) == (member, group)
    assert OutboundMessage.objects.filter(to_email=manager.email).exists()


def test_a_community_without_groups_asks_for_none(community, member):
    page = client_for(member).get(reverse("budget:grant_apply", args=[community.slug]))
    assert "group" not in page.context["form"].fields


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "-1"}, "amount", "cannot be negative"),
        ({"amount": "0"}, "amount", "more than zero"),
        ({"amount": "12345678"}, "amount", "above the limit"),
        ({"currency": "E"}, "currency", "three-letter code"),
        ({"title": ""}, "title", "required"),
        ({"activity_on": "2001-01-01"}, "activity_on", "in the past"),
    ],
)
def test_bad_applications_show_on_the_form(community, member, changes, field, message):
    response = client_for(member).post(
        reverse("budget:grant_apply", args=[community.slug]), application(**changes)
    )
    assert response.status_code == 422
    assert message in response.context["form"].errors[field][0]
    assert not Grant.objects.exists()


def test_outsiders_cannot_apply(community, outsider):
    url = reverse("budget:grant_apply", args=[community.slug])
    assert client_for(outsider).get(url).status_code == 403
    assert client_for(outsider).post(url, application()).status_code == 403


def test_my_grants(community, member):
    mine = GrantFactory(community=community, applicant=member, title="My study session")
    GrantFactory(community=community, title="Someone else's")
    response = client_for(member).get(reverse("budget:my_grants"))
    html = response.content.decode()
    assert "My study session" in html
    assert "Someone else" not in html
    assert list(response.context["page_obj"].object_list) == [mine]


def test_my_grants_when_there_are_none(member):
    assert "No grants yet" in client_for(member).get(reverse("budget:my_grants")).content.decode()


def test_the_leadership_sees_the_queue_and_filters(community, leader):
    waiting = GrantFactory(community=community, title="Waiting one")
    declined = GrantFactory(community=community, status=GrantStatus.DECLINED, title="Declined one")
    client = client_for(leader)
    url = reverse("budget:grants", args=[community.slug])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["queue"] == [waiting]
    assert set(response.context["page_obj"].object_list) == {waiting, declined}
    filtered = client.get(url, {"status": "declined"})
    assert list(filtered.context["page_obj"].object_list) == [declined]
    assert filtered.context["filtered"]
    empty = client.get(url, {"status": "withdrawn"})
    assert "No grant matches these filters" in empty.content.decode()


def test_members_cannot_see_the_community_s_grants(community, member):
    response = client_for(member).get(reverse("budget:grants", args=[community.slug]))
    assert response.status_code == 403


def test_a_grant_is_visible_to_its_applicant_and_the_leadership_only(community, member, sponsor):
    grant = GrantFactory(community=community, applicant=member)
    url = reverse("budget:grant_detail", args=[grant.pk])
    assert client_for(member).get(url).status_code == 200
    assert client_for(sponsor).get(url).status_code == 200
    other = GrantFactory(community=community)
    assert client_for(member).get(reverse("budget:grant_detail", args=[other.pk])).status_code == (
        404
    )


def test_the_manager_approves_from_the_grant_page(budget, manager, member, outbox):
    grant = GrantFactory(
        community=budget.community, applicant=member, amount_requested=Decimal("300")
    )
    client = client_for(manager)
    page = client.get(reverse("budget:grant_detail", args=[grant.pk]))
    html = page.content.decode()
    assert page.context["decision_form"] is not None
    assert page.context["grants_standing"].remaining == Decimal("1000.00")
    assert 'id="grants-remaining"' in html
    response = client.post(
        reverse("budget:grant_decide", args=[grant.pk]),
        {"decision": "approve", "amount": "300", "reason": "", "override_reason": ""},
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == GrantStatus.APPROVED
    after = client.get(reverse("budget:grant_detail", args=[grant.pk]))
    assert after.context["decision_form"] is None
    assert after.context["grants_standing"].remaining == Decimal("700.00")


def test_partial_approval_without_a_reason_is_shown_on_the_form(budget, manager, member):
    grant = GrantFactory(
        community=budget.community, applicant=member, amount_requested=Decimal("300")
    )
    response = client_for(manager).post(
        reverse("budget:grant_decide", args=[grant.pk]),
        {"decision": "approve", "amount": "100", "reason": ""},
    )
    assert response.status_code == 422
    assert "less than requested" in response.context["decision_form"].errors["reason"][0]


def test_approval_past_the_grants_budget_warns_and_asks_for_a_reason(budget, manager, member):
    grant = GrantFactory(
        community=budget.community, applicant=member, amount_requested=Decimal("1200")
    )
    client = client_for(manager)
    response = client.post(
        reverse("budget:grant_decide", args=[grant.pk]), {"decision": "approve", "amount": "1200"}
    )
    assert response.status_code == 422
    assert "This approval goes over the grants budget." in response.content.decode()
    assert response.context["overspend"]
    response = client.post(
        reverse("budget:grant_decide", args=[grant.pk]),
        {"decision": "approve", "amount": "1200", "override_reason": "Sponsor's top-up"},
    )
    assert response.status_code == 302


def test_no_budget_for_the_date_is_a_clear_refusal(community, manager, member):
    grant = GrantFactory(community=community, applicant=member)
    response = client_for(manager).post(
        reverse("budget:grant_decide", args=[grant.pk]), {"decision": "approve"}
    )
    assert response.status_code == 422
    assert "create the budget for that fiscal year first" in response.content.decode()


def test_a_manager_gets_no_decision_form_for_their_own_grant(budget, manager):
    grant = GrantFactory(community=budget.community, applicant=manager)
    client = client_for(manager)
    page = client.get(reverse("budget:grant_detail", args=[grant.pk]))
    assert page.context["decision_form"] is None
    assert "nobody decides on their own grant" in page.content.decode()
    response = client.post(reverse("budget:grant_decide", args=[grant.pk]), {"decision": "approve"})
    assert response.status_code == 403
    grant.refresh_from_db()
    assert grant.status == GrantStatus.SUBMITTED


def test_a_leader_cannot_decide(budget, leader, member):
    grant = GrantFactory(community=budget.community, applicant=member)
    client = client_for(leader)
    assert client.get(reverse("budget:grant_detail", args=[grant.pk])).context["decision_form"] is (
        None
    )
    response = client.post(
        reverse("budget:grant_decide", args=[grant.pk]), {"decision": "decline", "reason": "No"}
    )
    assert response.status_code == 403


def test_the_grantee_reports_from_the_grant_page(budget, member):
    grant = GrantFactory(
        community=budget.community,
        applicant=member,
        budget=budget,
        status=GrantStatus.APPROVED,
        amount_approved=Decimal("200"),
    )
    client = client_for(member)
    page = client.get(reverse("budget:grant_detail", args=[grant.pk]))
    assert page.context["report_form"]["amount_spent"].value() == Decimal("200.00")
    over = client.post(
        reverse("budget:grant_report", args=[grant.pk]), {"outcome": "Good", "amount_spent": "250"}
    )
    assert over.status_code == 422
    assert "more than the 200.00 USD approved" in over.content.decode()
    response = client.post(
        reverse("budget:grant_report", args=[grant.pk]), {"outcome": "Good", "amount_spent": "180"}
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert (grant.status, grant.amount_spent) == (GrantStatus.REPORTED, Decimal("180.00"))
    done = client.get(reverse("budget:grant_detail", args=[grant.pk]))
    assert done.context["report_form"] is None
    assert 'id="grant-spent"' in done.content.decode()


def test_an_empty_report_is_refused(budget, member):
    grant = GrantFactory(
        community=budget.community,
        applicant=member,
        status=GrantStatus.APPROVED,
        amount_approved=Decimal("200"),
    )
    response = client_for(member).post(
        reverse("budget:grant_report", args=[grant.pk]), {"outcome": "", "amount_spent": ""}
    )
    assert response.status_code == 422
    assert set(response.context["report_form"].errors) == {"outcome", "amount_spent"}


def test_the_applicant_withdraws(community, member):
    grant = GrantFactory(community=community, applicant=member)
    client = client_for(member)
    response = client.post(reverse("budget:grant_withdraw", args=[grant.pk]), follow=True)
    assert "Your application is withdrawn." in response.content.decode()
    grant.refresh_from_db()
    assert grant.status == GrantStatus.WITHDRAWN
    again = client.post(reverse("budget:grant_withdraw", args=[grant.pk]), follow=True)
    assert "cannot be withdrawn" in again.content.decode()


def test_get_is_not_allowed_on_the_actions(community, member):
    grant = GrantFactory(community=community, applicant=member)
    client = client_for(member)
    for name in ("grant_decide", "grant_report", "grant_withdraw"):
        assert client.get(reverse(f"budget:{name}", args=[grant.pk])).status_code == 405
