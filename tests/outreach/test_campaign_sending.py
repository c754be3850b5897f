"""Sending welcome campaigns with frozen time: each person at their own local hour, exactly
once per campaign however often the beat fires (and when two workers run it at once), never to
anyone who opted out; "send now", the manager's test mail and the preview."""

import datetime
from datetime import UTC

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practica.outreach.join_links import JoinTicket, read_join_token
from practica.outreach.models import CampaignRecipient, CampaignRun, CampaignSchedule
from practica.outreach.services.campaigns import (
    preview_campaign_mail,
    send_campaign_now,
    send_due_campaign_mails,
    send_test_campaign_mail,
)
from practica.outreach.services.joining import opt_out_of_outreach
from practica.outreach.tasks import send_due_campaign_mails_task
from tests.concurrency import postgres_only, run_concurrently
from tests.events.outbox import outbox_backend, sent_mails  # noqa: F401 — a fixture
from tests.factories.communities import MembershipFactory
from tests.factories.outreach import CampaignFactory, NewHireFactory, SegmentFactory
from tests.factories.people import UserFactory

MAY = datetime.date(2026, 5, 1)
# The first Monday of May 2026 is the 4th; 09:00 local is 00:00 UTC in Tokyo, 07:00 UTC in
# Berlin and 16:00 UTC in Los Angeles.
BEFORE_TOKYO = datetime.datetime(2026, 5, 3, 23, 59, tzinfo=UTC)
AFTER_TOKYO = datetime.datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
AFTER_BERLIN = datetime.datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
AFTER_ALL = datetime.datetime(2026, 5, 4, 16, 0, tzinfo=UTC)
MID_MAY = datetime.datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def campaign(community, outbox_backend):  # noqa: F811
    return CampaignFactory(community=community, segment=SegmentFactory(community=community))


@pytest.fixture
def hires(campaign):
    return {
        "tokyo": NewHireFactory(time_zone="Asia/Tokyo", display_name="Aiko Tanaka"),
        "berlin": NewHireFactory(time_zone="Europe/Berlin", display_name="Bernd Weber"),
        "la": NewHireFactory(time_zone="America/Los_Angeles", display_name="Carla Diaz"),
    }


def mailed_people(campaign):
    return set(CampaignRecipient.objects.filter(campaign=campaign).values_list("person", flat=True))


@pytest.mark.django_db
def test_each_person_is_mailed_at_their_own_local_hour(campaign, hires):
    assert send_due_campaign_mails(now=BEFORE_TOKYO) == 0
    # 09:00 on 4 May has come in Kiribati (UTC+14): the month's run exists, nobody is due yet.
    assert CampaignRun.objects.get(campaign=campaign).mailed_count == 0
    assert send_due_campaign_mails(now=AFTER_TOKYO) == 1
    assert mailed_people(campaign) == {hires["tokyo"].pk}
    assert send_due_campaign_mails(now=AFTER_BERLIN) == 1
    assert send_due_campaign_mails(now=AFTER_ALL) == 1
    assert mailed_people(campaign) == {person.pk for person in hires.values()}
    run = CampaignRun.objects.get(campaign=campaign)
    assert (run.period, run.audience_size, run.mailed_count) == (MAY, 3, 3)
    assert run.finished_at == AFTER_ALL


@pytest.mark.django_db
def test_the_beat_firing_twice_mails_each_person_once(campaign, hires):
    assert send_due_campaign_mails(now=AFTER_ALL) == 3
    assert send_due_campaign_mails(now=AFTER_ALL) == 0
    assert send_due_campaign_mails(now=MID_MAY) == 0
    recipients = CampaignRecipient.objects.filter(campaign=campaign)
    assert recipients.count() == 3
    assert CampaignRun.objects.get(campaign=campaign, period=MAY).mailed_count == 3
    mails = sent_mails(idempotency_key__startswith=f"campaign-{campaign.pk}-to-")
    assert sorted(mail.to for mail in mails) == sorted(person.email for person in hires.values())
    for recipient in recipients:
        assert recipient.idempotency_key == f"campaign-{campaign.pk}-to-{recipient.person_id}"
        assert recipient.mailed_at == AFTER_ALL
        assert recipient.period == MAY


@pytest.mark.django_db
def test_nobody_gets_the_same_campaign_twice_across_months(community, outbox_backend):  # noqa: F811
    segment = SegmentFactory(
        community=community, rules=[{"field": "hired_on", "op": "within_days", "value": 90}]
    )
    campaign = CampaignFactory(community=community, segment=segment)
    person = NewHireFactory(hired_on=datetime.date(2026, 4, 15), time_zone="UTC")
    assert send_due_campaign_mails(now=AFTER_ALL) == 1
    june = datetime.datetime(2026, 6, 2, 12, tzinfo=UTC)  # due 1 June (a Monday)
    assert send_due_campaign_mails(now=june) == 0
    assert (
        CampaignRun.objects.get(campaign=campaign, period=datetime.date(2026, 6, 1)).audience_size
        == 1
    )
    assert list(
        CampaignRecipient.objects.filter(person=person).values_list("period", flat=True)
    ) == [MAY]


@pytest.mark.django_db
def test_opted_out_people_are_counted_but_never_mailed(campaign, hires):
    opt_out_of_outreach(email=hires["berlin"].email)
    assert send_due_campaign_mails(now=AFTER_ALL) == 2
    assert hires["berlin"].pk not in mailed_people(campaign)
    run = CampaignRun.objects.get(campaign=campaign)
    assert (run.audience_size, run.mailed_count) == (3, 2)
    assert not sent_mails(to_email=hires["berlin"].email)


@pytest.mark.django_db
def test_paused_and_manual_campaigns_are_not_sent_by_the_beat(community, hires, campaign):
    CampaignFactory(community=community, is_active=False)
    CampaignFactory(community=community, schedule=CampaignSchedule.MANUAL)
    # The fixture's campaign is active and monthly: it alone sends.
    assert send_due_campaign_mails(now=AFTER_ALL) == 3
    assert CampaignRecipient.objects.values("campaign").distinct().count() == 1


@pytest.mark.django_db
def test_a_campaign_paused_while_its_run_goes_on_mails_nobody_more(campaign, hires):
    from practica.outreach.services.campaign_sending import _send_month

    # The run loaded the campaign while it was active; the manager pauses it meanwhile.
    type(campaign).objects.filter(pk=campaign.pk).update(is_active=False)
    report = _send_month(campaign, MAY, now=AFTER_ALL, due_only=True)
    assert report.mailed == 0
    assert not CampaignRecipient.objects.filter(campaign=campaign).exists()


@pytest.mark.django_db
def test_members_deactivated_people_and_other_hires_are_not_mailed(campaign, community, hires):
    MembershipFactory(community=community, person=NewHireFactory())
    NewHireFactory(is_active=False)
    NewHireFactory(hired_on=datetime.date(2026, 3, 31))
    NewHireFactory(job_title="Recruiter")
    assert send_due_campaign_mails(now=AFTER_ALL) == 3
    assert mailed_people(campaign) == {person.pk for person in hires.values()}


@pytest.mark.django_db
def test_the_mail_carries_the_join_link_the_opt_out_link_and_list_unsubscribe(campaign, hires):
    manager = UserFactory(display_name="Grace Hopper")
    hires["berlin"].manager = manager
    hires["berlin"].save(update_fields=["manager"])
    campaign.body = "Hi {{ first_name }}, ask {{ manager }}.\n\n{{ join_link }}"
    campaign.save()
    send_due_campaign_mails(now=AFTER_BERLIN)
    recipient = CampaignRecipient.objects.get(person=hires["berlin"])
    [mail] = sent_mails(idempotency_key=recipient.idempotency_key)
    assert mail.to == hires["berlin"].email
    assert mail.subject == f"Welcome to {campaign.community.name}, Bernd"
    assert "Hi Bernd, ask Grace Hopper." in mail.text
    token = mail.text.split("/outreach/join/")[1].split("/")[0]
    assert read_join_token(token) == JoinTicket("campaign", recipient.pk)
    assert f"/outreach/join/{token}/" in mail.html
    unsubscribe = mail.row.headers["List-Unsubscribe"]
    assert "/outreach/opt-out/" in unsubscribe
    assert mail.row.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in mail.text


@pytest.mark.django_db
def test_sending_reads_a_bounded_number_of_queries(community, outbox_backend):  # noqa: F811
    def queries_for(count):
        campaign = CampaignFactory(community=community, segment=SegmentFactory(community=community))
        people = [NewHireFactory(time_zone="UTC", manager=UserFactory()) for _ in range(count)]
        with CaptureQueriesContext(connection) as captured:
            assert send_due_campaign_mails(now=AFTER_ALL) == count
        for person in people:  # out of the next round's audience
            person.is_active = False
            person.save(update_fields=["is_active"])
        campaign.is_active = False
        campaign.save(update_fields=["is_active"])
        return len(captured)

    assert queries_for(30) == queries_for(3)


@pytest.mark.django_db
def test_send_now_mails_this_months_audience_at_once_and_only_once(campaign, hires, manager):
    report = send_campaign_now(
        campaign=campaign, actor=manager, now=datetime.datetime(2026, 5, 2, 8, tzinfo=UTC)
    )
    assert report.mailed == 3
    assert (report.run.period, report.run.mailed_count) == (MAY, 3)
    again = send_campaign_now(
        campaign=campaign, actor=manager, now=datetime.datetime(2026, 5, 2, 9, tzinfo=UTC)
    )
    assert again.mailed == 0
    assert send_due_campaign_mails(now=AFTER_ALL) == 0
    assert CampaignRecipient.objects.filter(campaign=campaign).count() == 3


@pytest.mark.django_db
def test_send_now_is_for_managers_and_active_campaigns(campaign, hires, manager, member):
    with pytest.raises(PermissionDenied):
        send_campaign_now(campaign=campaign, actor=member)
    campaign.is_active = False
    campaign.save()
    with pytest.raises(ValidationError, match="paused"):
        send_campaign_now(campaign=campaign, actor=manager)
    assert not CampaignRecipient.objects.exists()


@pytest.mark.django_db
def test_a_manual_campaign_sends_only_when_asked(community, hires, manager, campaign):
    manual = CampaignFactory(community=community, schedule=CampaignSchedule.MANUAL)
    assert send_due_campaign_mails(now=AFTER_ALL) == 3  # the fixture's monthly one
    assert send_campaign_now(campaign=manual, actor=manager, now=AFTER_ALL).mailed == 3


@pytest.mark.django_db
def test_the_test_mail_goes_to_the_manager_alone_marked_test(campaign, hires, manager):
    address = send_test_campaign_mail(campaign=campaign, actor=manager)
    assert address == manager.email
    [mail] = sent_mails()
    assert mail.to == manager.email
    assert mail.subject.startswith("[TEST] Welcome to")
    assert "[TEST]" in mail.text
    assert "[TEST]" in mail.html
    token = mail.text.split("/outreach/join/")[1].split("/")[0]
    assert read_join_token(token) == JoinTicket("community", campaign.community_id)
    assert not CampaignRecipient.objects.exists()
    send_test_campaign_mail(campaign=campaign, actor=manager)
    assert len(sent_mails()) == 2  # each test is a new mail


@pytest.mark.django_db
def test_only_managers_send_tests(campaign, member, staff):
    with pytest.raises(PermissionDenied):
        send_test_campaign_mail(campaign=campaign, actor=member)
    assert send_test_campaign_mail(campaign=campaign, actor=staff) == staff.email


@pytest.mark.django_db
def test_preview_renders_for_a_person_without_sending(campaign, hires):
    subject, html, text = preview_campaign_mail(campaign, hires["tokyo"])
    assert subject == f"Welcome to {campaign.community.name}, Aiko"
    assert "Hello Aiko" in html
    assert "Hello Aiko" in text
    assert "/outreach/opt-out/" in text
    assert not sent_mails()
    assert not CampaignRecipient.objects.exists()


@pytest.mark.django_db
def test_one_failing_campaign_does_not_stop_the_others(community, hires, campaign):
    broken = CampaignFactory(community=community)
    broken.segment.rules = [{"field": "hired_on", "op": "between", "value": ["not", "dates"]}]
    broken.segment.save()
    assert send_due_campaign_mails(now=AFTER_ALL) == 3  # the fixture's campaign still sends
    assert not CampaignRecipient.objects.filter(campaign=broken).exists()


# --- Two workers at once (PostgreSQL: real concurrent transactions) ----------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_beat_at_once_mail_each_person_once(settings):
    settings.EMAIL_BACKEND = "practica.mail.backends.OutboxEmailBackend"
    campaign = CampaignFactory()
    people = [NewHireFactory(time_zone="UTC") for _ in range(60)]
    results = []

    def beat():
        results.append(send_due_campaign_mails(now=AFTER_ALL))

    errors = run_concurrently([beat, beat, beat])
    assert errors == []
    assert sum(results) == len(people)
    assert CampaignRecipient.objects.filter(campaign=campaign).count() == len(people)
    assert CampaignRun.objects.get(campaign=campaign).mailed_count == len(people)
    assert len(sent_mails(idempotency_key__startswith=f"campaign-{campaign.pk}-to-")) == len(people)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_beat_and_send_now_at_once_mail_each_person_once(settings):
    settings.EMAIL_BACKEND = "practica.mail.backends.OutboxEmailBackend"
    campaign = CampaignFactory()
    manager = MembershipFactory(community=campaign.community, role="manager").person
    people = [NewHireFactory(time_zone="UTC") for _ in range(40)]
    results = []

    def beat():
        results.append(send_due_campaign_mails(now=AFTER_ALL))

    def by_hand():
        results.append(send_campaign_now(campaign=campaign, actor=manager, now=AFTER_ALL).mailed)

    assert run_concurrently([beat, by_hand]) == []
    assert sum(results) == len(people)
    assert CampaignRecipient.objects.filter(campaign=campaign).count() == len(people)


@pytest.mark.django_db
def test_the_beat_task_sends_what_is_due_now(community, outbox_backend):  # noqa: F811
    from django.utils import timezone

    from practica.outreach.campaign_schedule import month_start
    from practica.outreach.queries.segments import previous_month

    today = timezone.localdate()
    first = month_start(today)
    # Due at 00:00 on the 1st in Kiribati: always past by now.
    CampaignFactory(community=community, weekday=first.weekday(), week_of_month=1, local_hour=0)
    person = NewHireFactory(hired_on=previous_month(first)[0], time_zone="Pacific/Kiritimati")
    assert send_due_campaign_mails_task.delay().get() == 1
    assert send_due_campaign_mails_task.delay().get() == 0
    assert CampaignRecipient.objects.get().person == person
