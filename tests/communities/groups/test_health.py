"""Group health on hand-built fixtures: active or idle, the single point of failure, no active
owner — and the daily check that raises, resolves and mails the alerts once."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from practica.communities.group_health import check_group_health, group_health, groups_health
from practica.communities.models import (
    GroupHealthAlert,
    GroupHealthAlertKind,
    GroupRole,
    MembershipRole,
)
from practica.communities.tasks import check_group_health_task
from tests.events.outbox import sent_mails
from tests.factories.communities import (
    CommunityFactory,
    GroupFactory,
    GroupMembershipFactory,
    MembershipFactory,
)
from tests.factories.groups import GroupActivityFactory, GroupHealthAlertFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]

IDLE = GroupHealthAlertKind.IDLE
NO_OWNER = GroupHealthAlertKind.NO_ACTIVE_OWNER


@pytest.fixture
def now():
    return timezone.now()


def days_ago(now, days):
    return now - timedelta(days=days)


def old_group(community, now, *, idle_after_days=30, **fields):
    """A group founded a year ago with an active owner whose row dates from then."""
    group = GroupFactory(
        community=community,
        created_at=days_ago(now, 365),
        idle_after_days=idle_after_days,
        **fields,
    )
    GroupMembershipFactory(group=group, role=GroupRole.OWNER, joined_at=days_ago(now, 365))
    return group


def open_alerts(group):
    return set(
        GroupHealthAlert.objects.filter(group=group, resolved_at__isnull=True).values_list(
            "kind", flat=True
        )
    )


# --- Active or idle -----------------------------------------------------------------------------


def test_a_group_is_active_within_its_idle_days_and_idle_after(community, now):
    group = old_group(community, now, idle_after_days=30)
    GroupActivityFactory(group=group, occurred_at=days_ago(now, 29))

    health = group_health(group, now=now)
    assert (health.state, health.is_idle, health.days_quiet) == ("active", False, 29)
    assert health.last_activity_at == days_ago(now, 29)

    later = group_health(group, now=now + timedelta(days=2))
    assert (later.state, later.is_idle, later.days_quiet) == ("idle", True, 31)


def test_membership_changes_count_as_activity(community, now):
    group = old_group(community, now, idle_after_days=30)
    GroupActivityFactory(group=group, occurred_at=days_ago(now, 200))
    assert group_health(group, now=now).is_idle

    GroupMembershipFactory(group=group, joined_at=days_ago(now, 100), left_at=days_ago(now, 10))

    health = group_health(group, now=now)
    assert health.state == "active"
    assert health.last_activity_at == days_ago(now, 10)


def test_a_group_without_any_activity_counts_from_its_founding(community, now):
    new = GroupFactory(community=community, created_at=days_ago(now, 5), idle_after_days=7)
    forgotten = GroupFactory(community=community, created_at=days_ago(now, 8), idle_after_days=7)

    health = groups_health([new, forgotten], now=now)

    assert health[new.pk].state == "active"
    assert health[forgotten.pk].state == "idle"
    assert health[forgotten.pk].last_activity_at is None
    assert health[forgotten.pk].days_quiet is None


def test_only_this_groups_rows_of_its_community_up_to_now_count(community, now):
    group = old_group(community, now, idle_after_days=30)
    sister = GroupFactory(community=community)
    GroupActivityFactory(group=sister, occurred_at=days_ago(now, 1))
    # The same id in another community's data is not about this group.
    GroupActivityFactory(group=group, community=CommunityFactory(), occurred_at=days_ago(now, 1))
    GroupActivityFactory(group=group, occurred_at=now + timedelta(days=1))
    GroupActivityFactory(group=group, occurred_at=days_ago(now, 40), data={"group": str(group.pk)})

    health = group_health(group, now=now)

    assert health.state == "idle"
    assert health.recent_activity == 0


def test_an_archived_group_is_archived_and_flags_nothing(community, now):
    group = old_group(community, now, archived_at=days_ago(now, 3))
    group.memberships.update(left_at=days_ago(now, 3))

    health = group_health(group, now=now)

    assert health.state == "archived"
    assert not health.is_idle
    assert not health.no_active_owner
    assert not health.single_point_of_failure


# --- Single point of failure --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("by_one", "by_others", "flagged"),
    [
        (4, 1, True),  # 80 % of 5
        (3, 2, False),  # 60 % is not "more than 60 %"
        (4, 0, False),  # 100 %, but fewer than 5 activities
        (7, 3, True),  # 70 % of 10
        (0, 6, False),  # spread over six people
    ],
)
def test_one_person_producing_most_of_the_last_90_days(community, now, by_one, by_others, flagged):
    group = old_group(community, now)
    carrier = UserFactory(display_name="Carla Carrier")
    for day in range(by_one):
        GroupActivityFactory(group=group, person=carrier, occurred_at=days_ago(now, day + 1))
    for day in range(by_others):
        GroupActivityFactory(group=group, occurred_at=days_ago(now, day + 1))

    health = group_health(group, now=now)

    assert health.single_point_of_failure is flagged
    assert health.recent_activity == by_one + by_others
    if by_one:
        assert health.top_contributor == carrier
        assert health.top_contributor_count == by_one


def test_only_the_last_90_days_count_for_the_single_point_of_failure(community, now):
    group = old_group(community, now)
    carrier = UserFactory()
    for day in (1, 2, 3, 91, 120):
        GroupActivityFactory(group=group, person=carrier, occurred_at=days_ago(now, day))
    GroupActivityFactory(group=group, occurred_at=days_ago(now, 4))

    health = group_health(group, now=now)

    assert health.recent_activity == 4
    assert not health.single_point_of_failure
    assert str(health.top_contributor_share) == "0.75"
    assert health.top_contributor_percent == 75


# --- No active owner ----------------------------------------------------------------------------


def test_no_active_owner_when_every_owner_has_left_the_company(community, now):
    group = GroupFactory(community=community)
    gone = GroupMembershipFactory(group=group, role=GroupRole.OWNER, person__is_active=False)
    leaving = GroupMembershipFactory(
        group=group, role=GroupRole.OWNER, person__left_on=date(2000, 1, 1)
    )
    GroupMembershipFactory(group=group)  # an active plain member does not own it

    health = group_health(group, now=now)
    assert (health.owner_count, health.active_owner_count, health.no_active_owner) == (2, 0, True)

    leaving.person.left_on = timezone.localdate(now) + timedelta(days=10)
    leaving.person.save()
    health = group_health(group, now=now)
    assert (health.active_owner_count, health.no_active_owner) == (1, False)
    assert gone.person.is_active is False


def test_a_group_whose_owner_rows_were_closed_has_no_active_owner(community, now):
    group = GroupFactory(community=community)
    GroupMembershipFactory(group=group, role=GroupRole.OWNER, left_at=days_ago(now, 1))

    assert group_health(group, now=now).no_active_owner


def test_health_of_many_groups_costs_a_fixed_number_of_queries(
    community, now, django_assert_num_queries
):
    groups = [old_group(community, now) for _ in range(4)]
    for group in groups:
        GroupActivityFactory.create_batch(2, group=group, occurred_at=days_ago(now, 1))

    with django_assert_num_queries(6):
        groups_health(groups[:1], now=now)
    with django_assert_num_queries(6):
        health = groups_health(groups, now=now)
    assert {found.recent_activity for found in health.values()} == {2}


# --- The daily check ----------------------------------------------------------------------------


@pytest.fixture
def told(community):
    """The community's managers and leaders (told); an organizer and a deactivated manager
    (not told)."""
    manager = MembershipFactory(community=community, role=MembershipRole.MANAGER).person
    leader = MembershipFactory(community=community, role=MembershipRole.LEADER).person
    MembershipFactory(community=community, role=MembershipRole.ORGANIZER)
    MembershipFactory(community=community, role=MembershipRole.MANAGER, person__is_active=False)
    return [manager, leader]


@pytest.mark.usefixtures("outbox_backend")
def test_an_idle_group_raises_one_alert_and_one_mail_per_manager(community, now, told):
    group = old_group(community, now, idle_after_days=30, name="Bayesian reading group")
    GroupActivityFactory(group=group, occurred_at=days_ago(now, 45))

    assert check_group_health(now=now) == 1

    alert = GroupHealthAlert.objects.get(group=group)
    assert (alert.kind, alert.raised_at, alert.notified_at) == (IDLE, now, now)
    mails = sent_mails()
    assert sorted(mail.to for mail in mails) == sorted(person.email for person in told)
    assert {mail.key for mail in mails} == {
        f"group-health-alert-{alert.pk}-to-{person.pk}" for person in told
    }
    for mail in mails:
        assert "Bayesian reading group" in mail.subject
        assert "has gone idle" in mail.subject
        assert "no activity for 45 days" in mail.text
        assert f"/communities/{community.slug}/groups/{group.slug}/" in mail.text

    assert check_group_health(now=now + timedelta(hours=1)) == 0
    assert len(sent_mails()) == 2
    assert GroupHealthAlert.objects.count() == 1


@pytest.mark.usefixtures("outbox_backend")
def test_the_alert_is_resolved_when_the_group_is_active_again_and_raised_anew_later(
    community, now, told
):
    group = old_group(community, now, idle_after_days=30)
    GroupActivityFactory(group=group, occurred_at=days_ago(now, 45))
    check_group_health(now=now)
    first = GroupHealthAlert.objects.get()

    GroupActivityFactory(group=group, occurred_at=now)
    assert check_group_health(now=now + timedelta(minutes=1)) == 0
    first.refresh_from_db()
    assert first.resolved_at == now + timedelta(minutes=1)
    assert open_alerts(group) == set()

    assert check_group_health(now=now + timedelta(days=31)) == 1
    second = GroupHealthAlert.objects.exclude(pk=first.pk).get()
    assert second.kind == IDLE
    assert len(sent_mails()) == 4


@pytest.mark.usefixtures("outbox_backend")
def test_a_group_whose_owner_left_raises_the_no_owner_alert(community, now, told):
    group = GroupFactory(community=community, name="Vision hackers")
    GroupMembershipFactory(group=group, role=GroupRole.OWNER, person__is_active=False)
    GroupActivityFactory(group=group, occurred_at=days_ago(now, 1))

    assert check_group_health(now=now) == 1

    assert open_alerts(group) == {NO_OWNER}
    subjects = {mail.subject for mail in sent_mails()}
    assert subjects == {f"Vision hackers ({community.name}) has no active owner"}
    assert "still at the company" in sent_mails()[0].text


@pytest.mark.usefixtures("outbox_backend")
def test_archived_groups_raise_nothing_and_their_open_alerts_are_resolved(community, now, told):
    group = old_group(community, now, archived_at=days_ago(now, 2))
    stale = GroupHealthAlertFactory(group=group, kind=IDLE)

    assert check_group_health(now=now) == 0

    stale.refresh_from_db()
    assert stale.resolved_at == now
    assert sent_mails() == []


@pytest.mark.usefixtures("outbox_backend")
def test_without_managers_the_alert_waits_to_be_told(community, now):
    group = old_group(community, now, idle_after_days=30)
    GroupActivityFactory(group=group, occurred_at=days_ago(now, 60))

    assert check_group_health(now=now) == 1
    alert = GroupHealthAlert.objects.get()
    assert alert.notified_at is None
    assert sent_mails() == []

    manager = MembershipFactory(community=community, role=MembershipRole.MANAGER).person
    assert check_group_health(now=now + timedelta(hours=1)) == 0
    alert.refresh_from_db()
    assert alert.notified_at == now + timedelta(hours=1)
    assert [mail.to for mail in sent_mails()] == [manager.email]


@pytest.mark.usefixtures("outbox_backend")
def test_the_beat_task_runs_the_check(community, now, told):
    group = old_group(community, now, idle_after_days=7)
    GroupActivityFactory(group=group, occurred_at=days_ago(now, 30))
    healthy = old_group(community, now)
    GroupActivityFactory(group=healthy, occurred_at=days_ago(now, 1))

    assert check_group_health_task.delay().get() == 1
    assert open_alerts(group) == {IDLE}
    assert open_alerts(healthy) == set()
