"""The demo's outreach: the monthly welcome mail since 2014 with a realistic funnel, the company's
people records (employee numbers, dated affiliations, new hires who never joined), grassroots
groups whose founders left (one handed over, one pending continuity alert) and the provisioning
log (the month's HR import, the identity provider's SCIM token).

The demo is loaded once for `TestOutreachDemo` inside a transaction rolled back after the
class; each test runs in its own savepoint. The determinism test loads a smaller demo twice.
"""

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, F

from practica.communities.models import (
    Community,
    Group,
    GroupMembership,
    GroupRole,
    LeftReason,
    Membership,
    MembershipSource,
)
from practica.core.models import Activity, ActivityKind
from practica.demo.logins import MEMBER_EMAIL
from practica.events.models import EventSeats, EventSeries, Registration, RegistrationStatus
from practica.mail.models import Bounce, MessageStatus, OutboundMessage
from practica.outreach.campaign_schedule import due_moment
from practica.outreach.hr_feed.mapping import ColumnMapping
from practica.outreach.hr_feed.plan import RowKind
from practica.outreach.hr_feed.planning import plan_hr_import
from practica.outreach.hr_feed.reading import read_hr_table
from practica.outreach.models import (
    Campaign,
    CampaignRecipient,
    CampaignRun,
    ChangeKind,
    ContinuityAlert,
    HrImport,
    HrImportStatus,
    Invitation,
    OutreachOptOut,
    PersonChange,
    ProvisioningToken,
)
from practica.outreach.queries.funnel import campaign_funnel
from practica.outreach.queries.segments import segment_people, validate_segment_rules
from practica.people.models import Affiliation, User

N = 300
TODAY = date(2026, 1, 15)
NOW = datetime(2026, 1, 15, tzinfo=UTC)
TITLES = re.compile("data scientist|applied scientist|machine learning engineer", re.IGNORECASE)
STEPS = ("audience", "mailed", "delivered", "clicked", "joined", "first_activity", "second_month")
NOT_ACTIVITY = (ActivityKind.JOINED, ActivityKind.LEFT, ActivityKind.PROFILE_UPDATED)


def load_demo(*, members: int, seed: int = 7, reset: bool = False) -> None:
    extra = ["--reset"] if reset else []
    call_command(
        "demo", "--members", str(members), "--seed", str(seed), "--today", TODAY.isoformat(),
        *extra, stdout=io.StringIO(),
    )  # fmt: skip


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the class and rolled back after it."""
    with django_db_blocker.unblock():
        ContentType.objects.clear_cache()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_demo(members=N)
            connection.check_constraints()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            ContentType.objects.clear_cache()


@pytest.fixture
def ml(demo, db):
    return Community.objects.get(slug="machine-learning")


@pytest.fixture
def campaign(ml):
    return Campaign.objects.select_related("segment").get(community=ml)


def months(first: date, last: date) -> list[date]:
    found, month = [], first
    while month <= last:
        found.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return found


def previous_month(period: date) -> date:
    return (period - timedelta(days=1)).replace(day=1)


def is_member_at(person_id: int, community: Community, moment: datetime) -> bool:
    return (
        Membership.objects.filter(person_id=person_id, community=community).as_of(moment).exists()
    )


class TestOutreachDemo:
    def test_a_monthly_welcome_campaign_since_2014(self, ml, campaign):
        assert campaign.name == "Monthly welcome"
        assert (campaign.schedule, campaign.weekday, campaign.week_of_month) == ("monthly", 0, 1)
        assert campaign.local_hour == 9
        assert campaign.is_active
        for variable in ("first_name", "manager", "upcoming_events", "top_questions", "join_link"):
            assert f"{{{{ {variable} }}}}" in campaign.body
        assert validate_segment_rules(campaign.segment.rules) == campaign.segment.rules
        assert {rule["field"] for rule in campaign.segment.rules} == {
            "hired_on",
            "job_title",
            "membership",
        }
        runs = list(CampaignRun.objects.filter(campaign=campaign).order_by("period"))
        assert [run.period for run in runs] == months(date(2014, 1, 1), date(2025, 12, 1))
        mailed = dict(
            CampaignRecipient.objects.filter(campaign=campaign)
            .values_list("period")
            .annotate(n=Count("pk"))
        )
        for run in runs:
            assert run.mailed_count == mailed.get(run.period, 0)
            assert run.audience_size >= run.mailed_count
            assert run.started_at <= run.finished_at
        assert sum(run.audience_size for run in runs) > N

    def test_recipients_are_last_months_hires_mailed_on_the_first_monday(self, ml, campaign):
        recipients = CampaignRecipient.objects.filter(campaign=campaign).select_related("person")
        assert recipients.count() > N
        for recipient in recipients:
            person = recipient.person
            assert previous_month(recipient.period) == person.hired_on.replace(day=1)
            assert TITLES.search(person.job_title), person.job_title
            due = due_moment(campaign, recipient.period, person.time_zone)
            assert due <= recipient.mailed_at <= due + timedelta(minutes=15)
            assert due.astimezone(UTC).date() - recipient.period < timedelta(days=8)
            assert not is_member_at(person.pk, ml, recipient.mailed_at)
            assert recipient.email == person.email
            if recipient.clicked_at is not None:
                assert recipient.mailed_at < recipient.clicked_at < NOW

    def test_the_funnel_narrows_step_by_step_with_realistic_conversion(self, ml):
        runs = campaign_funnel(community=ml)
        assert len(runs) == 144
        for run in runs:
            figures = [getattr(run, step) for step in STEPS]
            assert figures == sorted(figures, reverse=True), (run.period, figures)
        total = {step: sum(getattr(run, step) for run in runs) for step in STEPS}
        assert 0.9 <= total["delivered"] / total["mailed"] < 1.0
        assert 0.38 <= total["clicked"] / total["mailed"] <= 0.58
        assert 0.22 <= total["joined"] / total["mailed"] <= 0.38
        assert 0.5 <= total["first_activity"] / total["joined"] <= 0.72
        assert 0.35 <= total["second_month"] / total["joined"] <= 0.56
        early = [run for run in runs if run.period.year <= 2016]
        late = [run for run in runs if run.period.year >= 2022]
        rate = lambda rs: sum(r.joined for r in rs) / sum(r.mailed for r in rs)  # noqa: E731
        assert rate(late) > rate(early) - 0.03  # a little better over the years, give or take

    def test_joiners_joined_by_the_welcome_mail_and_were_active_in_the_ledger(self, ml, campaign):
        joined = list(CampaignRecipient.objects.filter(campaign=campaign, joined_at__isnull=False))
        assert joined
        for recipient in joined:
            membership = Membership.objects.get(
                community=ml, person_id=recipient.person_id, joined_at=recipient.joined_at
            )
            assert membership.source == MembershipSource.WELCOME_MAIL
            assert recipient.mailed_at < recipient.clicked_at <= recipient.joined_at
            message = OutboundMessage.objects.get(idempotency_key=recipient.idempotency_key)
            assert message.status == MessageStatus.SENT
            assert not Bounce.objects.filter(address__iexact=recipient.email).exists()
            ledger = Activity.objects.filter(person_id=recipient.person_id).exclude(
                kind__in=NOT_ACTIVITY
            )
            first = ledger.filter(
                occurred_at__gte=recipient.joined_at,
                occurred_at__lt=recipient.joined_at + timedelta(days=30),
            ).exists()
            second = ledger.filter(
                occurred_at__gte=recipient.joined_at + timedelta(days=30),
                occurred_at__lt=recipient.joined_at + timedelta(days=60),
            ).exists()
            assert first or not second  # active in the second month: active in the first
        # Every welcome-mail membership of the community has its recipient (but the member
        # login's, whose tour says so without a matching title).
        welcomed = Membership.objects.filter(community=ml, source=MembershipSource.WELCOME_MAIL)
        assert set(
            welcomed.exclude(person__email=MEMBER_EMAIL).values_list("person_id", "joined_at")
        ) == {(r.person_id, r.joined_at) for r in joined}

    def test_first_events_are_real_registrations(self, ml, campaign):
        joined = CampaignRecipient.objects.filter(campaign=campaign, joined_at__isnull=False)
        registered = Activity.objects.filter(
            kind=ActivityKind.REGISTERED,
            person_id__in=joined.values("person_id"),
            community=ml,
        )
        assert registered.exists()
        for activity in registered[:50]:
            registration = activity.person.event_registrations.get(event_id=activity.subject_id)
            assert registration.event.community_id == ml.pk
            assert registration.registered_at <= registration.event.starts_at
        # The seat counts count the rows, new registrations included.
        for seats in EventSeats.objects.filter(event__community=ml, mode="online")[:300]:
            held = Registration.objects.filter(
                event_id=seats.event_id,
                mode="online",
                status__in=(RegistrationStatus.REGISTERED, RegistrationStatus.OFFERED),
            ).count()
            assert seats.taken == held

    def test_bounces_failures_and_opt_outs(self, ml, campaign):
        recipients = CampaignRecipient.objects.filter(campaign=campaign)
        keys = set(recipients.values_list("idempotency_key", flat=True))
        messages = OutboundMessage.objects.filter(idempotency_key__in=keys)
        assert messages.count() == len(keys)
        assert set(messages.values_list("status", flat=True)) <= {
            MessageStatus.SENT,
            MessageStatus.FAILED,
        }
        sample = messages.filter(status=MessageStatus.SENT).first()
        assert "/outreach/join/" in sample.body_text
        assert "/outreach/opt-out/" in sample.body_text
        assert "{{" not in sample.body_text
        assert "{{" not in sample.subject
        assert sample.headers["List-Unsubscribe"].startswith("<http")
        bounced = Bounce.objects.filter(address__in=recipients.values("email"))
        assert bounced.exists()
        for bounce in bounced:
            recipient = recipients.get(email=bounce.address)
            assert (
                recipient.mailed_at < bounce.received_at < recipient.mailed_at + timedelta(hours=1)
            )
            assert recipient.clicked_at is None
            assert recipient.joined_at is None
        assert OutreachOptOut.objects.exists()
        for opt_out in OutreachOptOut.objects.all():
            recipient = recipients.filter(email__iexact=opt_out.email).first()
            if recipient is not None:  # opted out after the mail, from its link
                assert recipient.mailed_at < opt_out.created_at
                assert recipient.joined_at is None

    def test_the_segment_now_holds_last_months_hires_for_the_beat(self, ml, campaign):
        people = list(segment_people(campaign.segment, reference_date=TODAY))
        assert people
        for person in people:
            assert person.hired_on.replace(day=1) == date(2025, 12, 1)
            assert not person.memberships.filter(community=ml, left_at__isnull=True).exists()
        assert not CampaignRecipient.objects.filter(person__in=people).exists()

    def test_people_records(self, ml):
        people = User.objects.filter(is_system=False)
        numbers = list(people.values_list("employee_number", flat=True))
        assert all(re.fullmatch(r"E\d{6}", number) for number in numbers)
        assert len(set(numbers)) == len(numbers)
        # One open affiliation per active person, saying what their record says; none open
        # for those who left (closed on their last day).
        open_rows = Affiliation.objects.filter(valid_to__isnull=True)
        assert open_rows.count() == people.filter(is_active=True).count()
        fields = ("org_unit_id", "job_title", "manager_id")
        for row in open_rows.values(*fields, *(f"person__{field}" for field in fields)):
            assert [row[field] for field in fields] == [row[f"person__{f}"] for f in fields]
        assert not open_rows.filter(person__is_active=False).exists()
        leavers = people.filter(is_active=False)
        assert (
            Affiliation.objects.filter(person__in=leavers, valid_to=F("person__left_on")).count()
            == leavers.count()
        )
        moved = (
            Affiliation.objects.values("person")
            .annotate(n=Count("pk"))
            .filter(n=2)
            .values("person")
        )
        assert 3 <= moved.count() <= 10
        for person_id in moved.values_list("person", flat=True):
            before, after = Affiliation.objects.filter(person_id=person_id).order_by("valid_from")
            assert before.valid_to == after.valid_from
            assert before.org_unit_id != after.org_unit_id
        # The new hires who never joined: many, in data-science titles, without any activity.
        outsiders = people.filter(memberships__isnull=True, hired_on__gte=date(2013, 12, 1))
        assert outsiders.count() > N
        titles = list(outsiders.values_list("job_title", flat=True))
        assert sum(bool(TITLES.search(title)) for title in titles) > 0.8 * len(titles)
        # (A few people of the wider company came to a conference without joining anything.)
        active = Activity.objects.filter(person__in=outsiders).values("person").distinct()
        assert active.count() <= 0.02 * len(titles)
        assert not people.filter(is_active=True, manager__is_active=False).exists()
        assert not outsiders.filter(manager__isnull=True).exists()

    def test_a_pending_continuity_alert_for_a_recent_leaver(self, ml):
        alert = ContinuityAlert.objects.get(community=ml, resolved_at__isnull=True)
        leaver = alert.leaver
        assert not leaver.is_active
        assert TODAY - timedelta(days=14) <= leaver.left_on < TODAY
        assert alert.created_at.date() >= leaver.left_on
        items = {item.kind: item for item in alert.items.all()}
        assert {"group", "event_series"} <= set(items)
        assert all(item.handed_at is None for item in items.values())
        group = Group.objects.get(pk=items["group"].object_id)
        owner_row = group.memberships.get(person=leaver, role=GroupRole.OWNER)
        assert owner_row.left_at is not None
        assert not group.memberships.filter(role=GroupRole.OWNER, left_at__isnull=True).exists()
        assert group.memberships.filter(left_at__isnull=True).exists()  # the group goes on
        assert EventSeries.objects.get(pk=items["event_series"].object_id).owner == leaver
        change = PersonChange.objects.get(person=leaver, kind=ChangeKind.LEAVER)
        assert change.hr_import is not None
        assert change.effective_on == leaver.left_on
        assert change.changes["groups"][0] == [group.pk]

    def test_a_leaver_whose_group_was_handed_over(self, ml):
        alert = ContinuityAlert.objects.get(community=ml, resolved_at__isnull=False)
        item = alert.items.get()
        assert item.kind == "group"
        assert item.handed_at == alert.resolved_at
        assert item.handed_by.email == "manager@practica.example"
        successor = item.handed_to
        assert successor.is_active
        group = Group.objects.get(pk=item.object_id)
        assert group.memberships.filter(
            person=successor, role=GroupRole.OWNER, left_at__isnull=True
        ).exists()
        assert PersonChange.objects.filter(person=alert.leaver, kind=ChangeKind.LEAVER).exists()

    def test_leavers_are_inactive_with_left_company_memberships(self, ml):
        leavers = User.objects.filter(continuity_alerts__community=ml).distinct()
        assert leavers.count() == 2
        for leaver in leavers:
            assert not leaver.is_active
            assert leaver.left_on is not None
            memberships = Membership.objects.filter(person=leaver)
            assert not memberships.filter(left_at__isnull=True).exists()
            ended = memberships.get(community=ml)
            assert ended.left_reason == LeftReason.LEFT_COMPANY
            assert ended.left_at.date() <= leaver.left_on + timedelta(days=1)
            assert not GroupMembership.objects.filter(person=leaver, left_at__isnull=True).exists()
            assert not Affiliation.objects.filter(person=leaver, valid_to__isnull=True).exists()
        groups = Group.objects.filter(community=ml)
        assert groups.count() == 4
        assert {g.kind for g in groups} == {"reading", "study", "sub_community"}

    def test_the_months_hr_import_and_the_scim_token(self, ml):
        hr_import = HrImport.objects.get()
        assert hr_import.status == HrImportStatus.APPLIED
        assert TODAY - timedelta(days=15) <= hr_import.effective_on < TODAY
        kinds = set(hr_import.changes.values_list("kind", flat=True))
        assert kinds == {ChangeKind.JOINER, ChangeKind.TRANSFER, ChangeKind.LEAVER}
        assert (
            hr_import.report["counts"]["joiner"]
            == hr_import.changes.filter(kind=ChangeKind.JOINER).count()
        )
        # The file as applied: planned again today, it changes nothing.
        plan = plan_hr_import(
            read_hr_table(hr_import.content),
            ColumnMapping.from_json(hr_import.column_mapping),
            effective_on=hr_import.effective_on,
        )
        assert not plan.refused
        assert {row.kind for row in plan.rows} == {RowKind.UNCHANGED}, [
            (row.email, row.kind, row.changes) for row in plan.rows if row.kind != "unchanged"
        ]
        token = ProvisioningToken.objects.get()
        assert "Entra ID" in token.name
        assert token.revoked_at is None
        assert len(token.token_hash) == 64

    def test_invitations(self, ml):
        invitations = Invitation.objects.filter(community=ml)
        assert 3 <= invitations.count() <= 7
        joined = invitations.filter(joined_at__isnull=False)
        assert joined.exists()
        for invitation in joined:
            membership = Membership.objects.get(
                community=ml, person=invitation.invitee, joined_at=invitation.joined_at
            )
            assert membership.source == MembershipSource.INVITATION
            assert invitation.created_at < invitation.clicked_at <= invitation.joined_at
        assert invitations.filter(joined_at__isnull=True, inviter__email=MEMBER_EMAIL).exists()
        for invitation in invitations:
            assert Activity.objects.filter(
                kind=ActivityKind.INVITED, person=invitation.inviter, subject_id=invitation.pk
            ).exists()


def outreach_snapshot() -> dict[str, list]:
    return {
        "recipients": list(
            CampaignRecipient.objects.order_by("email").values_list(
                "email", "period", "mailed_at", "clicked_at", "joined_at"
            )
        ),
        "runs": list(CampaignRun.objects.order_by("period").values_list("period", "audience_size")),
        "numbers": list(User.objects.order_by("email").values_list("email", "employee_number")),
        "groups": list(
            GroupMembership.objects.order_by(
                "group__slug", "person__email", "joined_at"
            ).values_list("group__slug", "person__email", "role", "joined_at", "left_at")
        ),
        "alerts": list(
            ContinuityAlert.objects.order_by("created_at").values_list(
                "leaver__email", "created_at", "resolved_at"
            )
        ),
        "affiliations": list(
            Affiliation.objects.order_by("person__email", "valid_from").values_list(
                "person__email", "org_unit__slug", "job_title", "valid_from", "valid_to"
            )
        ),
    }


@pytest.mark.django_db
def test_same_seed_same_outreach():
    load_demo(members=80)
    first = outreach_snapshot()
    assert first["recipients"]
    assert first["alerts"]
    load_demo(members=80, reset=True)
    assert outreach_snapshot() == first
