"""The issue's "done when", end to end through the real entry points: a data scientist
provisioned by SCIM (or the HR file) this month gets the welcome mail on the first Monday of
next month at nine in their own zone, joins with one click from its link, and the funnel
counts them at every step; and a leaver's group raises a continuity alert."""

import datetime
import re

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import Membership, MembershipSource
from practica.mail.models import OutboundMessage
from practica.mail.services.outbox import deliver_due_messages
from practica.outreach.campaign_schedule import due_moment
from practica.outreach.models import CampaignRecipient, ContinuityAlert
from practica.outreach.queries.funnel import campaign_funnel
from practica.outreach.services.campaigns import send_due_campaign_mails
from practica.people.models import User
from tests.events.outbox import outbox_backend  # noqa: F401 — fixture
from tests.factories.communities import GroupFactory, GroupMembershipFactory, MembershipFactory
from tests.factories.outreach import CampaignFactory
from tests.outreach.scim_helpers import ENTERPRISE, USER_SCHEMA, ScimClient

pytestmark = pytest.mark.django_db


def first_monday_of_next_month(today: datetime.date) -> datetime.date:
    first = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return first + datetime.timedelta(days=(7 - first.weekday()) % 7)


@pytest.fixture
def scim(staff):
    from practica.outreach.services.tokens import create_provisioning_token

    _token, secret = create_provisioning_token(name="Entra ID", actor=staff)
    return ScimClient(secret)


def provision_new_hire(scim) -> User:
    response = scim.post(
        "Users",
        {
            "schemas": [USER_SCHEMA, ENTERPRISE],
            "userName": "mei.lin@example.com",
            "externalId": "aad-7c1e",
            "name": {"givenName": "Mei", "familyName": "Lin"},
            "displayName": "Mei Lin",
            "title": "Senior Data Scientist",
            "timezone": "Asia/Shanghai",
            "emails": [{"value": "mei.lin@example.com", "type": "work", "primary": True}],
            "active": True,
            ENTERPRISE: {"employeeNumber": "E104233", "division": "Research"},
        },
    )
    assert response.status_code == 201, response.content
    return User.objects.get(email="mei.lin@example.com")


@pytest.mark.usefixtures("outbox_backend")
def test_a_new_hire_is_welcomed_on_schedule_joins_with_one_click_and_is_counted(
    scim,
    community,
    client,
):
    campaign = CampaignFactory(community=community)
    hire = provision_new_hire(scim)
    assert hire.hired_on == timezone.localdate()
    assert hire.time_zone == "Asia/Shanghai"

    monday = first_monday_of_next_month(hire.hired_on)
    nine_in_shanghai = due_moment(campaign, monday.replace(day=1), "Asia/Shanghai")
    assert nine_in_shanghai.astimezone(datetime.UTC).hour == 1  # 09:00 at UTC+8

    # The beat fires an hour early, on time, and again: one mail, at the right tick.
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert send_due_campaign_mails(now=nine_in_shanghai - datetime.timedelta(hours=1)) == 0
        assert send_due_campaign_mails(now=nine_in_shanghai) == 1
        assert send_due_campaign_mails(now=nine_in_shanghai + datetime.timedelta(minutes=15)) == 0
    [recipient] = CampaignRecipient.objects.filter(campaign=campaign)
    assert recipient.person == hire
    assert recipient.period == monday.replace(day=1)

    deliver_due_messages()
    [mail] = OutboundMessage.objects.filter(to_email=hire.email)
    assert mail.status == "sent"
    assert "Mei" in mail.body_text
    join_path = re.search(r"https?://[^/\s]+(/outreach/join/[^/\s]+/)", mail.body_text).group(1)

    client.force_login(hire)
    assert client.get(join_path).status_code == 200
    assert client.post(join_path).status_code in (200, 302)

    membership = Membership.objects.current().get(community=community, person=hire)
    assert membership.source == MembershipSource.WELCOME_MAIL
    [month] = campaign_funnel(community=community, campaign=campaign)
    assert month.period == monday.replace(day=1)
    assert (month.mailed, month.delivered, month.clicked, month.joined) == (1, 1, 1, 1)
    assert month.audience == 1


def test_a_leaver_deprovisioned_by_scim_raises_a_continuity_alert_for_their_group(
    scim, community, manager
):
    hire = provision_new_hire(scim)
    MembershipFactory(community=community, person=hire)
    group = GroupFactory(community=community, name="Causal inference reading group")
    GroupMembershipFactory(group=group, person=hire, role="owner")
    scim_id = hire.provisioned_account.scim_id

    response = scim.patch(
        f"Users/{scim_id}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
        },
    )
    assert response.status_code == 200, response.content

    hire.refresh_from_db()
    assert not hire.is_active
    [alert] = ContinuityAlert.objects.filter(community=community, leaver=hire)
    [item] = alert.items.all()
    assert (item.kind, item.object_id) == ("group", group.pk)
    assert group.name in item.label
    assert not Membership.objects.current().filter(community=community, person=hire).exists()

    page = client_for(manager).get(reverse("outreach:continuity", args=[community.slug]))
    assert group.name in page.content.decode()


def client_for(person):
    from django.test import Client

    client = Client()
    client.force_login(person)
    return client
