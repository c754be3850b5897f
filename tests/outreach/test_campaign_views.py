"""Campaigns on the web and in the services: managers only; the form with its cheat-sheet and
refusals; the page's preview, test mail, pause, "send now" with its confirmation; recipients."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from practica.outreach.models import Campaign, CampaignRecipient, CampaignSchedule
from practica.outreach.services.campaigns import (
    activate_campaign,
    create_campaign,
    deactivate_campaign,
    delete_campaign,
    update_campaign,
)
from tests.events.outbox import outbox_backend, sent_mails  # noqa: F401 — a fixture
from tests.factories.communities import CommunityFactory
from tests.factories.outreach import (
    CampaignFactory,
    CampaignRecipientFactory,
    NewHireFactory,
    SegmentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def segment(community):
    return SegmentFactory(community=community, name="Scientists")


def form_data(segment, **changes):
    return {
        "name": "Monthly welcome",
        "segment": segment.pk,
        "subject": "Welcome, {{ first_name }}",
        "body": "Hi {{ first_name }}! {{ join_link }}",
        "schedule": "monthly",
        "week_of_month": "1",
        "weekday": "0",
        "local_hour": "9",
        **changes,
    }


# --- Services -----------------------------------------------------------------------------------


def test_managers_create_update_pause_and_delete(community, manager, segment):
    campaign = create_campaign(
        community=community,
        actor=manager,
        name="Welcome",
        segment=segment,
        subject="Hi {{ first_name }}",
        body="Join: {{ join_link }}",
        weekday=2,
        week_of_month=3,
        local_hour=10,
    )
    assert (campaign.weekday, campaign.week_of_month, campaign.local_hour) == (2, 3, 10)
    assert campaign.is_active
    changed = update_campaign(campaign=campaign, actor=manager, subject="  Hello  there ")
    assert changed.subject == "Hello there"
    assert not deactivate_campaign(campaign=campaign, actor=manager).is_active
    assert activate_campaign(campaign=campaign, actor=manager).is_active
    delete_campaign(campaign=campaign, actor=manager)
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"body": "Hi {{ firstname }}"}, "body", "Unknown variable {{ firstname }}"),
        ({"subject": "{{ top_questions }}"}, "subject", "cannot go in the subject"),
        ({"weekday": 7}, "weekday", "Choose a weekday"),
        ({"week_of_month": 5}, "week_of_month", "first to the fourth"),
        ({"local_hour": 24}, "local_hour", "from 0 to 23"),
        ({"schedule": "weekly"}, "schedule", "monthly or by hand"),
        ({"name": " "}, "name", "Give the campaign a name"),
    ],
)
@pytest.mark.usefixtures("community")
def test_bad_input_is_refused_naming_the_field(manager, segment, changes, field, message):
    community = segment.community
    values = {
        "name": "Welcome",
        "segment": segment,
        "subject": "Hi",
        "body": "Body",
        **changes,
    }
    with pytest.raises(ValidationError) as refused:
        create_campaign(community=community, actor=manager, **values)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Campaign.objects.exists()


def test_another_communitys_segment_and_a_taken_name_are_refused(community, manager, segment):
    foreign = SegmentFactory(community=CommunityFactory())
    with pytest.raises(ValidationError, match="this community's segments"):
        create_campaign(
            community=community, actor=manager, name="X", segment=foreign, subject="S", body="B"
        )
    CampaignFactory(community=community, segment=segment, name="Taken")
    with pytest.raises(ValidationError, match="already has a campaign"):
        create_campaign(
            community=community, actor=manager, name="taken", segment=segment, subject="S", body="B"
        )
    campaign = CampaignFactory(community=community, segment=segment)
    with pytest.raises(ValidationError, match="cannot be changed"):
        update_campaign(campaign=campaign, actor=manager, community=CommunityFactory())


def test_others_may_not(community, member, segment):
    campaign = CampaignFactory(community=community, segment=segment)
    for call in (
        lambda: create_campaign(
            community=community, actor=member, name="X", segment=segment, subject="S", body="B"
        ),
        lambda: update_campaign(campaign=campaign, actor=member, name="Y"),
        lambda: deactivate_campaign(campaign=campaign, actor=member),
        lambda: delete_campaign(campaign=campaign, actor=member),
    ):
        with pytest.raises(PermissionDenied):
            call()
    campaign.refresh_from_db()
    assert campaign.is_active


def test_a_campaign_that_mailed_people_cannot_be_deleted(community, manager):
    recipient = CampaignRecipientFactory(campaign=CampaignFactory(community=community))
    with pytest.raises(ValidationError, match="deactivate it instead"):
        delete_campaign(campaign=recipient.campaign, actor=manager)
    assert Campaign.objects.filter(pk=recipient.campaign_id).exists()
    assert CampaignRecipient.objects.filter(pk=recipient.pk).exists()


# --- Pages ----------------------------------------------------------------------------------------


def test_only_managers_see_the_pages(client, community, member, segment):
    campaign = CampaignFactory(community=community, segment=segment)
    client.force_login(member)
    for name, args in (
        ("outreach:campaigns", [community.slug]),
        ("outreach:campaign_create", [community.slug]),
        ("outreach:campaign_detail", [campaign.pk]),
        ("outreach:campaign_edit", [campaign.pk]),
        ("outreach:campaign_send", [campaign.pk]),
        ("outreach:campaign_recipients", [campaign.pk]),
        ("outreach:campaign_delete", [campaign.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403
    for name in ("outreach:campaign_test", "outreach:campaign_active", "outreach:campaign_send"):
        assert client.post(reverse(name, args=[campaign.pk]), {"confirm": "on"}).status_code == 403
    assert not sent_mails()


def test_the_list_shows_the_last_runs_figures(client, community, manager, segment):
    campaign = CampaignFactory(community=community, segment=segment, name="Welcome DS")
    from tests.factories.outreach import FunnelRunFactory

    FunnelRunFactory(campaign=campaign, period="2026-04-01", audience_size=40, mailed_count=38)
    FunnelRunFactory(campaign=campaign, period="2026-05-01", audience_size=12, mailed_count=11)
    client.force_login(manager)
    page = client.get(reverse("outreach:campaigns", args=[community.slug]))
    [row] = page.context["campaigns"]
    assert (str(row.last_period), row.last_audience, row.last_mailed) == ("2026-05-01", 12, 11)
    assert "Welcome DS" in page.content.decode()
    assert "First Monday of each month, 09:00 in each person&#x27;s zone" in page.content.decode()


def test_creating_from_the_form_starts_paused(client, community, manager, segment):
    client.force_login(manager)
    url = reverse("outreach:campaign_create", args=[community.slug])
    page = client.get(url, {"segment": segment.pk})
    assert page.context["form"].initial["segment"] == segment.pk
    assert "{{ upcoming_events }}" in page.content.decode()  # the cheat-sheet
    response = client.post(url, form_data(segment))
    campaign = Campaign.objects.get()
    assert response["Location"] == reverse("outreach:campaign_detail", args=[campaign.pk])
    assert not campaign.is_active
    assert campaign.schedule == CampaignSchedule.MONTHLY


def test_an_unknown_variable_is_shown_on_the_body_field(client, community, manager, segment):
    client.force_login(manager)
    response = client.post(
        reverse("outreach:campaign_create", args=[community.slug]),
        form_data(segment, body="Hi {{ surname }}"),
    )
    assert response.status_code == 422
    assert response.context["form"].errors["body"][0].startswith("Unknown variable {{ surname }}")
    assert not Campaign.objects.exists()


def test_another_communitys_segment_is_not_a_choice(client, community, manager):
    foreign = SegmentFactory(community=CommunityFactory())
    client.force_login(manager)
    response = client.post(
        reverse("outreach:campaign_create", args=[community.slug]), form_data(foreign)
    )
    assert response.status_code == 422
    assert "segment" in response.context["form"].errors


def test_editing_keeps_the_active_state(client, community, manager, segment):
    campaign = CampaignFactory(community=community, segment=segment)
    client.force_login(manager)
    url = reverse("outreach:campaign_edit", args=[campaign.pk])
    assert "is_active" not in client.get(url).context["form"].fields
    client.post(url, form_data(segment, name="Renamed", local_hour="7"))
    campaign.refresh_from_db()
    assert (campaign.name, campaign.local_hour, campaign.is_active) == ("Renamed", 7, True)


def test_the_page_previews_the_mail_for_a_sample_person(client, community, manager, segment):
    campaign = CampaignFactory(community=community, segment=segment)
    client.force_login(manager)
    page = client.get(reverse("outreach:campaign_detail", args=[campaign.pk]))
    assert page.status_code == 200
    assert page.context["sample"] == manager  # nobody matches this month: the viewer
    assert (
        page.context["preview_subject"]
        == f"Welcome to {community.name}, {manager.get_short_name()}"
    )
    assert "srcdoc=" in page.content.decode()


def test_test_mail_and_pause_from_the_page(client, community, manager, segment, outbox_backend):  # noqa: F811
    campaign = CampaignFactory(community=community, segment=segment)
    client.force_login(manager)
    response = client.post(reverse("outreach:campaign_test", args=[campaign.pk]), follow=True)
    assert f"A test mail is on its way to {manager.email}" in response.content.decode()
    [mail] = sent_mails()
    assert mail.subject.startswith("[TEST] ")
    client.post(reverse("outreach:campaign_active", args=[campaign.pk]), {"active": "0"})
    campaign.refresh_from_db()
    assert not campaign.is_active


def test_send_now_asks_to_confirm_first(client, community, manager, segment, outbox_backend):  # noqa: F811
    campaign = CampaignFactory(community=community, segment=segment)
    segment.rules = [{"field": "role", "op": "in", "value": ["data_scientist"]}]
    segment.save()
    people = [NewHireFactory() for _ in range(2)]
    client.force_login(manager)
    url = reverse("outreach:campaign_send", args=[campaign.pk])
    page = client.get(url)
    assert page.context["audience_now"] == 2
    unconfirmed = client.post(url)
    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm." in unconfirmed.content.decode()
    assert not CampaignRecipient.objects.exists()
    done = client.post(url, {"confirm": "on"}, follow=True)
    assert "2 people were mailed now" in done.content.decode()
    assert {r.person for r in CampaignRecipient.objects.all()} == set(people)
    again = client.post(url, {"confirm": "on"}, follow=True)
    assert "0 people were mailed now" in again.content.decode()
    assert len(sent_mails()) == 2


def test_the_recipients_page_is_paginated_and_filtered_by_month(client, community, manager):
    campaign = CampaignFactory(community=community)
    may = [CampaignRecipientFactory(campaign=campaign, period="2026-05-01") for _ in range(3)]
    CampaignRecipientFactory(campaign=campaign, period="2026-04-01")
    client.force_login(manager)
    url = reverse("outreach:campaign_recipients", args=[campaign.pk])
    assert client.get(url).context["page_obj"].paginator.count == 4
    filtered = client.get(url, {"period": "2026-05"})
    assert set(filtered.context["page_obj"].object_list) == set(may)
    assert client.get(url, {"period": "someday"}).status_code == 200
