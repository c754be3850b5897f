# Fixtures come from continuity_setup; pytest injects them by name.
# ruff: noqa: F401, F811
"""Continuity after a leaver: raising alerts from what each app's provider finds, the mail to
the community's managers, and handing things over one by one or all at once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.communities import continuity
from practica.communities.continuity import OwnedThing
from practica.communities.models import GroupMembership, GroupRole, MembershipRole
from practica.conference.models import CommitteeMember
from practica.core.models import Activity, ActivityKind, AuditLogEntry
from practica.discussions.models import Notification, RoutedExpert
from practica.events.models import EventHost, EventSeries, SpeakerRole
from practica.outreach.models import ContinuityAlert, ContinuityItem
from practica.outreach.services.continuity import (
    HandOverRefused,
    hand_over_alert,
    hand_over_item,
    raise_continuity_alerts,
)
from tests.factories.communities import GroupFactory, GroupMembershipFactory, MembershipFactory
from tests.factories.people import UserFactory
from tests.outreach.continuity_setup import (
    KINDS,
    give_everything,
    leaver,
    other_community,
    outbox_backend,
    owned,
    sent_mails,
    successor,
)

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def item_of(alert, kind):
    return alert.items.get(kind=kind)


# --- Raising ------------------------------------------------------------------------------------


def test_a_leavers_group_raises_a_continuity_alert(community, manager, leaver, outbox_backend):
    group = GroupFactory(community=community, name="Deep RL papers")
    GroupMembershipFactory(group=group, person=leaver, role=GroupRole.OWNER)

    [alert] = raise_continuity_alerts(leaver=leaver)

    assert alert.community == community
    assert alert.leaver == leaver
    assert alert.resolved_at is None
    [item] = alert.items.all()
    assert (item.kind, item.object_id, item.label) == (
        "group",
        group.pk,
        "Reading group: Deep RL papers",
    )
    [mail] = sent_mails(to_email=manager.email)
    assert str(leaver) in mail.subject
    assert "Deep RL papers" in mail.text
    assert f"/outreach/communities/{community.slug}/continuity/{alert.pk}/" in mail.text
    assert f"/communities/{community.slug}/groups/{group.slug}/" in mail.html
    assert AuditLogEntry.objects.filter(
        action="continuity.alert_raised", target_id=alert.pk
    ).exists()


def test_every_provider_finds_what_still_needs_an_owner(community, manager, owned):
    [alert] = raise_continuity_alerts(leaver=owned.leaver)

    items = {item.kind: item for item in alert.items.all()}
    assert set(items) == KINDS
    assert items["group"].object_id == owned.group.pk
    assert items["event_series"].object_id == owned.series.pk
    assert items["event_series"].label == "Event series: Paper of the month"
    assert items["hosted_event"].object_id == owned.event.pk
    assert items["hosted_event"].label.startswith("Host at Diffusion models (")
    assert items["committee_seat"].object_id == owned.edition.pk
    assert items["committee_seat"].label == "Program committee chair: Spring 2027"
    assert items["routed_question"].object_id == owned.question.pk
    assert items["routed_question"].label == "Question: How do I tune PPO?"
    # Archived groups, past and cancelled events, finished editions, answered questions: no.
    assert alert.items.count() == 5


def test_raising_again_adds_only_new_things_and_mails_only_about_them(
    community, manager, leaver, outbox_backend
):
    first = GroupFactory(community=community)
    GroupMembershipFactory(group=first, person=leaver, role=GroupRole.OWNER)
    [alert] = raise_continuity_alerts(leaver=leaver)

    assert raise_continuity_alerts(leaver=leaver) == [alert]
    assert alert.items.count() == 1
    assert len(sent_mails(to_email=manager.email)) == 1

    second = GroupFactory(community=community, name="Causal inference study group")
    GroupMembershipFactory(group=second, person=leaver, role=GroupRole.OWNER)
    [again] = raise_continuity_alerts(leaver=leaver)

    assert again.pk == alert.pk
    assert alert.items.count() == 2
    mails = sent_mails(to_email=manager.email)
    assert len(mails) == 2
    assert "Causal inference study group" in mails[1].text
    assert first.name not in mails[1].text
    assert "more thing" in mails[1].subject
    assert ContinuityAlert.objects.filter(leaver=leaver).count() == 1
    assert AuditLogEntry.objects.filter(action="continuity.items_added").count() == 1


def test_one_alert_per_community_with_its_own_managers(
    community, manager, leaver, other_community, outbox_backend
):
    other_manager = MembershipFactory(community=other_community, role=MembershipRole.LEADER).person
    for place in (community, other_community):
        group = GroupFactory(community=place)
        GroupMembershipFactory(group=group, person=leaver, role=GroupRole.OWNER)

    alerts = raise_continuity_alerts(leaver=leaver)

    assert {alert.community_id for alert in alerts} == {community.pk, other_community.pk}
    assert len(sent_mails(to_email=manager.email)) == 1
    assert len(sent_mails(to_email=other_manager.email)) == 1


def test_managers_and_leaders_are_mailed_but_not_members_nor_the_leaver(
    community, manager, outbox_backend
):
    leaving_manager = MembershipFactory(community=community, role=MembershipRole.MANAGER).person
    leader = MembershipFactory(community=community, role=MembershipRole.LEADER).person
    member = MembershipFactory(community=community).person
    gone = MembershipFactory(community=community, role=MembershipRole.MANAGER).person
    gone.is_active = False
    gone.save()
    group = GroupFactory(community=community)
    GroupMembershipFactory(group=group, person=leaving_manager, role=GroupRole.OWNER)

    raise_continuity_alerts(leaver=leaving_manager)

    assert {mail.to for mail in sent_mails()} == {manager.email, leader.email}
    assert member.email not in {mail.to for mail in sent_mails()}


def test_the_mail_goes_in_the_managers_language(community, manager, leaver, outbox_backend):
    manager.preferred_language = "zh-hans"
    manager.save()
    group = GroupFactory(community=community)
    GroupMembershipFactory(group=group, person=leaver, role=GroupRole.OWNER)

    raise_continuity_alerts(leaver=leaver)

    [mail] = sent_mails(to_email=manager.email)
    assert mail.row.idempotency_key.startswith("continuity-alert-")
    assert group.name in mail.text


def test_nothing_owned_means_no_alert_and_no_mail(community, manager, leaver, outbox_backend):
    GroupMembershipFactory(group=GroupFactory(community=community), person=leaver)  # a member only

    assert raise_continuity_alerts(leaver=leaver) == []
    assert not ContinuityAlert.objects.exists()
    assert sent_mails() == []


# --- Handing over, thing by thing ---------------------------------------------------------------


@pytest.fixture
def alert(owned):
    [raised] = raise_continuity_alerts(leaver=owned.leaver)
    return raised


def test_a_group_goes_to_its_new_owner_and_the_leaver_is_out(alert, owned, successor, manager):
    item = hand_over_item(item=item_of(alert, "group"), successor=successor, actor=manager)

    assert item.handed_to == successor
    assert item.handed_by == manager
    assert item.handed_at is not None
    current = GroupMembership.objects.filter(group=owned.group, left_at__isnull=True)
    assert current.filter(person=successor, role=GroupRole.OWNER).exists()
    assert not current.filter(person=owned.leaver).exists()
    assert GroupMembership.objects.get(group=owned.group, person=owned.leaver).left_at is not None
    assert AuditLogEntry.objects.filter(
        action="continuity.item_handed_over", target_id=item.pk
    ).exists()
    assert AuditLogEntry.objects.filter(action="group.ownership_handed_over").exists()


def test_a_group_member_taking_over_is_promoted_not_added_twice(alert, owned, manager):
    member_row = GroupMembership.objects.get(group=owned.group, role=GroupRole.MEMBER)

    hand_over_item(item=item_of(alert, "group"), successor=member_row.person, actor=manager)

    member_row.refresh_from_db()
    assert member_row.role == GroupRole.OWNER
    assert GroupMembership.objects.filter(group=owned.group, person=member_row.person).count() == 1


def test_an_event_series_gets_its_new_owner(alert, owned, successor, manager):
    hand_over_item(item=item_of(alert, "event_series"), successor=successor, actor=manager)

    assert EventSeries.objects.get(pk=owned.series.pk).owner == successor


def test_a_hosted_event_puts_the_successor_in_the_leavers_place(alert, owned, successor, manager):
    hand_over_item(item=item_of(alert, "hosted_event"), successor=successor, actor=manager)

    hosts = list(EventHost.objects.filter(event=owned.event).order_by("position"))
    assert [(host.person, host.guest_name, host.role) for host in hosts] == [
        (None, "Ada Guest", SpeakerRole.SPEAKER),
        (successor, "", SpeakerRole.HOST),
    ]


def test_a_hosted_event_already_hosted_by_the_successor_just_loses_the_leaver(
    alert, owned, successor, manager
):
    EventHost.objects.create(
        event=owned.event, person=successor, role=SpeakerRole.MODERATOR, position=2
    )

    hand_over_item(item=item_of(alert, "hosted_event"), successor=successor, actor=manager)

    hosts = EventHost.objects.filter(event=owned.event)
    assert not hosts.filter(person=owned.leaver).exists()
    assert hosts.get(person=successor).role == SpeakerRole.MODERATOR
    assert hosts.count() == 2


def test_a_committee_seat_goes_to_the_successor_as_chair(alert, owned, successor, manager):
    hand_over_item(item=item_of(alert, "committee_seat"), successor=successor, actor=manager)

    seats = CommitteeMember.objects.filter(edition=owned.edition)
    assert not seats.filter(person=owned.leaver).exists()
    assert seats.get(person=successor).is_chair is True


def test_a_seated_chair_taking_over_a_members_seat_stays_chair(
    community, leaver, successor, manager
):
    owned = give_everything(community, leaver)
    CommitteeMember.objects.filter(edition=owned.edition, person=leaver).update(is_chair=False)
    CommitteeMember.objects.create(edition=owned.edition, person=successor, is_chair=True)
    [raised] = raise_continuity_alerts(leaver=leaver)
    assert item_of(raised, "committee_seat").label == "Program committee: Spring 2027"

    hand_over_item(item=item_of(raised, "committee_seat"), successor=successor, actor=manager)

    seats = CommitteeMember.objects.filter(edition=owned.edition)
    assert list(seats.values_list("person", "is_chair")) == [(successor.pk, True)]


def test_a_routed_question_is_routed_to_the_successor(alert, owned, successor, manager):
    hand_over_item(item=item_of(alert, "routed_question"), successor=successor, actor=manager)

    theirs = RoutedExpert.objects.get(thread=owned.question, person=owned.leaver)
    assert theirs.closed_at is not None
    mine = RoutedExpert.objects.get(thread=owned.question, person=successor)
    assert mine.closed_at is None
    assert mine.answered_at is None
    assert mine.round_id == theirs.round_id
    assert mine.rank == theirs.rank
    assert mine.reasons["handed_over_from"] == owned.leaver.pk
    assert Activity.objects.filter(
        kind=ActivityKind.ROUTED, person=successor, counterpart=owned.question.author
    ).exists()
    assert Notification.objects.filter(recipient=successor).exists()


def test_the_asker_taking_over_their_own_question_only_closes_the_leavers_load(
    alert, owned, manager
):
    asker = owned.question.author

    hand_over_item(item=item_of(alert, "routed_question"), successor=asker, actor=manager)

    assert not RoutedExpert.objects.filter(thread=owned.question, person=asker).exists()
    assert RoutedExpert.objects.get(thread=owned.question, person=owned.leaver).closed_at


def test_the_alert_is_resolved_when_the_last_thing_is_handed_over(alert, successor, manager):
    items = list(alert.items.all())
    for item in items[:-1]:
        hand_over_item(item=item, successor=successor, actor=manager)
        alert.refresh_from_db()
        assert alert.resolved_at is None

    handed = hand_over_item(item=items[-1], successor=successor, actor=manager)

    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert handed.alert.resolved_at is not None
    assert AuditLogEntry.objects.filter(
        action="continuity.alert_resolved", target_id=alert.pk
    ).exists()
    assert raise_continuity_alerts(leaver=alert.leaver) == []


def test_an_item_handed_over_twice_is_refused(alert, successor, manager):
    item = item_of(alert, "event_series")
    hand_over_item(item=item, successor=successor, actor=manager)

    with pytest.raises(HandOverRefused) as refused:
        hand_over_item(item=item, successor=UserFactory(), actor=manager)

    assert refused.value.code == "handed"
    assert str(successor) in refused.value.messages[0]
    assert ContinuityItem.objects.get(pk=item.pk).handed_to == successor


def test_a_thing_deleted_since_needs_nobody(alert, owned, successor, manager):
    owned.series.delete()

    item = hand_over_item(item=item_of(alert, "event_series"), successor=successor, actor=manager)

    assert item.handed_to == successor


# --- The one-step hand-over ---------------------------------------------------------------------


def test_everything_goes_to_one_person_in_one_step(alert, owned, successor, manager):
    hand_over_item(item=item_of(alert, "group"), successor=manager, actor=manager)

    resolved = hand_over_alert(alert=alert, successor=successor, actor=manager)

    assert resolved.resolved_at is not None
    handed = dict(alert.items.values_list("kind", "handed_to"))
    assert handed == dict.fromkeys(KINDS, successor.pk) | {"group": manager.pk}
    assert EventSeries.objects.get(pk=owned.series.pk).owner == successor
    assert CommitteeMember.objects.get(edition=owned.edition, person=successor).is_chair
    assert RoutedExpert.objects.filter(thread=owned.question, person=successor).exists()
    assert EventHost.objects.filter(event=owned.event, person=successor).exists()


def test_a_resolved_alert_cannot_be_handed_over_again(alert, successor, manager):
    hand_over_alert(alert=alert, successor=successor, actor=manager)

    with pytest.raises(HandOverRefused) as refused:
        hand_over_alert(alert=alert, successor=UserFactory(), actor=manager)

    assert refused.value.code == "resolved"


class RefusingProvider:
    kind = "refusing"
    verbose_name = "Refusing"

    def owned_by(self, person):
        return []

    def hand_over(self, *, object_id, leaver, successor, actor):
        raise ValidationError("this cannot move")

    def url_for(self, object_id):
        return ""


def test_one_thing_that_cannot_move_stops_the_whole_hand_over(
    alert, owned, successor, manager, monkeypatch
):
    monkeypatch.setitem(continuity._PROVIDERS, "refusing", RefusingProvider())
    ContinuityItem.objects.create(alert=alert, kind="refusing", object_id=1, label="Stuck thing")

    with pytest.raises(ValidationError, match="Stuck thing”: this cannot move"):
        hand_over_alert(alert=alert, successor=successor, actor=manager)

    alert.refresh_from_db()
    assert alert.resolved_at is None
    assert not alert.items.filter(handed_at__isnull=False).exists()
    assert EventSeries.objects.get(pk=owned.series.pk).owner == owned.leaver
    assert GroupMembership.objects.filter(
        group=owned.group, person=owned.leaver, left_at__isnull=True
    ).exists()


def test_an_item_of_an_unknown_kind_is_refused_with_a_message(alert, successor, manager):
    item = ContinuityItem.objects.create(
        alert=alert, kind="vanished", object_id=1, label="Old thing"
    )

    with pytest.raises(ValidationError, match="Old thing"):
        hand_over_item(item=item, successor=successor, actor=manager)


# --- Who may hand over, and to whom --------------------------------------------------------------


def test_only_the_communitys_managers_hand_over(alert, owned, successor, other_community):
    member = MembershipFactory(community=alert.community).person
    organizer = MembershipFactory(community=alert.community, role=MembershipRole.ORGANIZER).person
    elsewhere = MembershipFactory(community=other_community, role=MembershipRole.MANAGER).person
    for actor in (member, organizer, elsewhere, owned.leaver):
        with pytest.raises(PermissionDenied):
            hand_over_item(item=item_of(alert, "group"), successor=successor, actor=actor)
        with pytest.raises(PermissionDenied):
            hand_over_alert(alert=alert, successor=successor, actor=actor)
    assert not alert.items.filter(handed_at__isnull=False).exists()


def test_staff_can_step_in(alert, successor, staff):
    assert hand_over_alert(alert=alert, successor=successor, actor=staff).resolved_at


@pytest.mark.parametrize(
    "change",
    [
        {"is_active": False},
        {"is_placeholder": True},
        {"is_system": True},
        {"left_on": timezone.localdate()},
    ],
    ids=["inactive", "placeholder", "system", "leaving"],
)
def test_a_successor_who_cannot_take_over_is_refused(alert, manager, change):
    unfit = UserFactory(**change)

    with pytest.raises(ValidationError) as refused:
        hand_over_alert(alert=alert, successor=unfit, actor=manager)

    assert "successor" in refused.value.message_dict
    assert not alert.items.filter(handed_at__isnull=False).exists()


def test_the_leaver_cannot_take_over_their_own_things(alert, owned, manager):
    with pytest.raises(ValidationError) as refused:
        hand_over_item(item=item_of(alert, "group"), successor=owned.leaver, actor=manager)

    assert refused.value.message_dict["successor"] == [
        "The leaver cannot take over their own things."
    ]


def test_raising_for_a_leaver_with_things_in_a_deleted_community_is_safe(leaver, monkeypatch):
    ghost = OwnedThing(kind="group", object_id=1, label="Ghost", community_id=10**9, url="/")
    monkeypatch.setattr(
        "practica.outreach.services.continuity.things_owned_by", lambda person: [ghost]
    )
    assert raise_continuity_alerts(leaver=leaver) == []


# --- With the leaver's deprovisioning -----------------------------------------------------------


def test_deprovisioning_a_group_owner_raises_the_alert_and_the_hand_over_still_works(
    community, manager, leaver, successor, outbox_backend
):
    from practica.outreach.models import ChangeSource
    from practica.outreach.services.lifecycle import deprovision_person

    group = GroupFactory(community=community, name="Bayesian reading group")
    GroupMembershipFactory(group=group, person=leaver, role=GroupRole.OWNER)

    deprovision_person(person=leaver, source=ChangeSource.SCIM, effective_on=timezone.localdate())

    alert = ContinuityAlert.objects.get(leaver=leaver, community=community)
    assert list(alert.items.values_list("kind", "object_id")) == [("group", group.pk)]
    assert len(sent_mails(to_email=manager.email)) == 1
    # The group has no current owner any more, until the manager hands it over.
    assert not GroupMembership.objects.filter(group=group, left_at__isnull=True).exists()

    hand_over_alert(alert=alert, successor=successor, actor=manager)

    [owner] = GroupMembership.objects.filter(group=group, left_at__isnull=True)
    assert (owner.person, owner.role) == (successor, GroupRole.OWNER)
    # Deprovisioning again (a repeated SCIM call) raises nothing new.
    assert (
        deprovision_person(
            person=leaver, source=ChangeSource.SCIM, effective_on=timezone.localdate()
        )
        is None
    )
    assert ContinuityAlert.objects.filter(leaver=leaver).count() == 1


# --- The apps' own services behind the providers ----------------------------------------------


def test_only_managers_set_a_series_owner_and_only_to_an_active_colleague(
    owned, manager, successor
):
    from practica.events.services.events import set_series_owner

    with pytest.raises(PermissionDenied):
        set_series_owner(series=owned.series, owner=successor, actor=successor)
    with pytest.raises(ValidationError) as refused:
        set_series_owner(series=owned.series, owner=UserFactory(is_active=False), actor=manager)
    assert "owner" in refused.value.message_dict
    assert EventSeries.objects.get(pk=owned.series.pk).owner == owned.leaver

    set_series_owner(series=owned.series, owner=successor, actor=manager)
    assert AuditLogEntry.objects.filter(action="events.series_owner_set").count() == 1
    set_series_owner(series=owned.series, owner=successor, actor=manager)  # no change, no row
    assert AuditLogEntry.objects.filter(action="events.series_owner_set").count() == 1


def test_only_managers_hand_over_a_routed_question(owned, successor):
    from practica.discussions.services.routing import hand_over_routed_question

    with pytest.raises(PermissionDenied):
        hand_over_routed_question(
            thread=owned.question, leaver=owned.leaver, successor=successor, actor=successor
        )
    assert RoutedExpert.objects.get(thread=owned.question, person=owned.leaver).closed_at is None


def test_a_published_program_ends_the_committee_seats_that_need_an_owner(owned):
    owned.edition.program_published_at = timezone.now()
    owned.edition.save()

    [raised] = raise_continuity_alerts(leaver=owned.leaver)

    assert "committee_seat" not in set(raised.items.values_list("kind", flat=True))
