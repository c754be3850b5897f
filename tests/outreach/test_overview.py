"""The outreach hub: its figures, who may open it, and the links to it from the community."""

import datetime

import pytest
from django.urls import reverse

from practica.outreach.models import CampaignRecipient, CampaignRun, ContinuityAlert, Invitation
from practica.outreach.queries.overview import outreach_overview
from tests.factories.communities import MembershipFactory
from tests.factories.outreach import CampaignFactory, SegmentFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


def test_figures_count_this_community_only(community, manager):
    campaign = CampaignFactory(community=community)
    CampaignFactory(community=community, is_active=False, segment=campaign.segment)
    period = datetime.date(2026, 10, 1)
    CampaignRun.objects.create(campaign=campaign, period=period, audience_size=5, mailed_count=3)
    for number, joined in enumerate([True, True, False]):
        person = UserFactory()
        CampaignRecipient.objects.create(
            campaign=campaign,
            person=person,
            email=person.email,
            period=period,
            idempotency_key=f"overview-{number}",
            joined_at=datetime.datetime(2026, 10, 8, tzinfo=datetime.UTC) if joined else None,
        )
    ContinuityAlert.objects.create(community=community, leaver=UserFactory())
    ContinuityAlert.objects.create(
        community=community, leaver=UserFactory(), resolved_at=datetime.datetime.now(datetime.UTC)
    )
    Invitation.objects.create(community=community, inviter=manager, email="a@example.com")
    Invitation.objects.create(
        community=community,
        inviter=manager,
        email="b@example.com",
        joined_at=datetime.datetime(2026, 10, 9, tzinfo=datetime.UTC),
    )
    other = SegmentFactory().community  # another community's invitation
    Invitation.objects.create(community=other, inviter=manager, email="c@example.com")

    overview = outreach_overview(community)

    assert overview.campaigns == 2
    assert overview.active_campaigns == 1
    assert overview.segments == 1
    assert overview.latest_run.period == period
    assert overview.latest_run_joined == 2
    assert overview.open_alerts == 1
    assert overview.pending_invitations == 1
    assert overview.joined_from_invitations == 1


def test_empty_community_has_no_run(community):
    overview = outreach_overview(community)
    assert overview.latest_run is None
    assert overview.latest_run_joined == 0


def test_the_manager_opens_the_hub_and_members_may_not(client, community, manager):
    url = reverse("outreach:overview", args=[community.slug])
    member = MembershipFactory(community=community).person

    client.force_login(member)
    assert client.get(url).status_code == 403

    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 200
    assert reverse("outreach:campaigns", args=[community.slug]).encode() in response.content
    assert reverse("outreach:hr_imports").encode() not in response.content


def test_staff_also_see_the_provisioning_screens(client, community, staff):
    client.force_login(staff)
    response = client.get(reverse("outreach:overview", args=[community.slug]))
    assert response.status_code == 200
    assert reverse("outreach:hr_imports").encode() in response.content


def test_unknown_community_is_404(client, manager):
    client.force_login(manager)
    assert client.get(reverse("outreach:overview", args=["no-such"])).status_code == 404


def test_community_page_links_managers_to_outreach_and_members_to_invitations(
    client, community, manager
):
    page = reverse("communities:detail", args=[community.slug])
    hub_link = f'href="{reverse("outreach:overview", args=[community.slug])}"'.encode()
    client.force_login(manager)
    assert hub_link in client.get(page).content

    client.force_login(MembershipFactory(community=community).person)
    content = client.get(page).content
    assert reverse("outreach:invite", args=[community.slug]).encode() in content
    assert hub_link not in content
