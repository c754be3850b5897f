"""Group services: founding with cadence and idle days, editing, joining and leaving, members
and owners, archiving and reopening — and what each refuses."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.communities.group_services import (
    add_group_member,
    archive_group,
    change_group_member_role,
    create_group,
    edit_group,
    hand_over_group_ownership,
    join_group,
    leave_group,
    remove_group_member,
    reopen_group,
)
from practica.communities.models import (
    Access,
    Group,
    GroupCadence,
    GroupHealthAlert,
    GroupHealthAlertKind,
    GroupKind,
    GroupMembership,
    GroupRole,
)
from practica.core.models import Activity, ActivityKind, AuditLogEntry
from tests.factories.communities import CommunityFactory, GroupMembershipFactory, MembershipFactory
from tests.factories.groups import GroupHealthAlertFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def current(group):
    return GroupMembership.objects.filter(group=group, left_at__isnull=True)


def organizing(person):
    return Activity.objects.filter(kind=ActivityKind.ORGANIZED_GROUP, person=person)


# --- Founding -----------------------------------------------------------------------------------


def test_founding_sets_the_rhythm_and_records_the_organizer(community, organizer):
    group = create_group(
        community=community,
        name="Causal inference study group",
        actor=organizer,
        kind=GroupKind.STUDY,
        cadence=GroupCadence.FORTNIGHTLY,
        meeting_note="  Thursdays   12:00,  room 3.14 ",
        idle_after_days=45,
    )

    group.refresh_from_db()
    assert (group.cadence, group.meeting_note, group.idle_after_days) == (
        "fortnightly",
        "Thursdays 12:00, room 3.14",
        45,
    )
    [activity] = organizing(organizer)
    assert activity.community_id == community.pk
    assert activity.data == {"group": group.pk}
    assert activity.subject == group


def test_the_owner_named_by_a_manager_is_the_organizer(community, manager):
    owner = UserFactory()

    group = create_group(community=community, name="Vision", actor=manager, owner=owner)

    assert organizing(owner).get().data == {"group": group.pk}
    assert not organizing(manager).exists()


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"cadence": "hourly"}, "cadence"),
        ({"meeting_note": "x" * 201}, "meeting_note"),
        ({"idle_after_days": 6}, "idle_after_days"),
        ({"idle_after_days": 731}, "idle_after_days"),
        ({"idle_after_days": True}, "idle_after_days"),
        ({"name": "New"}, "slug"),
    ],
)
def test_bad_rhythm_is_refused_by_field_and_nothing_is_created(
    community, organizer, arguments, field
):
    with pytest.raises(ValidationError) as refused:
        create_group(community=community, actor=organizer, **{"name": "Fine", **arguments})

    assert field in refused.value.message_dict
    assert not Group.objects.exists()
    assert not Activity.objects.exists()


# --- Editing ------------------------------------------------------------------------------------


def test_an_owner_edits_the_details_but_not_the_address(group, owner):
    edited = edit_group(
        group=group,
        actor=owner,
        name="Deep RL paper club",
        cadence=GroupCadence.WEEKLY,
        meeting_note="Mondays",
        idle_after_days=30,
    )

    group.refresh_from_db()
    assert (group.name, group.slug, group.cadence, group.idle_after_days) == (
        "Deep RL paper club",
        "deep-rl",
        "weekly",
        30,
    )
    assert edited.pk == group.pk
    entry = AuditLogEntry.objects.get(action="group.edited")
    assert entry.data == {"changed": ["cadence", "idle_after_days", "meeting_note", "name"]}


def test_editing_without_a_change_records_nothing(group, owner):
    edit_group(group=group, actor=owner, name=group.name, kind=group.kind)

    assert not AuditLogEntry.objects.filter(action="group.edited").exists()


def test_editing_is_for_owners_and_managers(group, owner, manager, plain_member, organizer):
    GroupMembershipFactory(group=group, person=plain_member)
    for outsider in (plain_member, organizer):
        with pytest.raises(PermissionDenied):
            edit_group(group=group, actor=outsider, name="Mine")

    edit_group(group=group, actor=manager, description="Managed.")
    group.refresh_from_db()
    assert group.description == "Managed."


def test_bad_edits_name_their_fields_and_change_nothing(group, owner):
    with pytest.raises(ValidationError) as refused:
        edit_group(group=group, actor=owner, name="  ", kind="party", idle_after_days=3)

    assert set(refused.value.message_dict) == {"name", "kind", "idle_after_days"}
    group.refresh_from_db()
    assert group.name == "Deep RL papers"


def test_an_archived_group_is_reopened_before_editing(group, owner):
    archive_group(group=group, note="Done.", actor=owner)

    with pytest.raises(ValidationError, match="reopen"):
        edit_group(group=group, actor=owner, name="Again")


# --- Joining and leaving ------------------------------------------------------------------------


def test_a_community_member_joins_once(group, plain_member):
    row = join_group(group=group, actor=plain_member)

    assert (row.person, row.role, row.left_at) == (plain_member, GroupRole.MEMBER, None)
    assert join_group(group=group, actor=plain_member) == row
    assert current(group).filter(person=plain_member).count() == 1


def test_only_community_members_join_and_never_an_archived_group(community, group, plain_member):
    with pytest.raises(PermissionDenied, match="Join Machine Learning first"):
        join_group(group=group, actor=UserFactory())
    left = MembershipFactory(community=community, left_at=timezone.now()).person
    with pytest.raises(PermissionDenied):
        join_group(group=group, actor=left)

    group.archived_at = timezone.now()
    group.save()
    with pytest.raises(ValidationError, match="archived"):
        join_group(group=group, actor=plain_member)
    assert not current(group).exists()


def test_leaving_keeps_the_row_as_history(group, owner, plain_member):
    join_group(group=group, actor=plain_member)

    row = leave_group(group=group, actor=plain_member)

    assert row.left_at is not None
    assert not current(group).filter(person=plain_member).exists()
    assert GroupMembership.objects.filter(group=group, person=plain_member).count() == 1
    with pytest.raises(ValidationError, match="not in this group"):
        leave_group(group=group, actor=plain_member)


def test_the_last_owner_stays_while_others_remain(group, owner, plain_member):
    join_group(group=group, actor=plain_member)

    with pytest.raises(ValidationError, match="last owner"):
        leave_group(group=group, actor=owner)

    change_group_member_role(group=group, person=plain_member, role=GroupRole.OWNER, actor=owner)
    leave_group(group=group, actor=owner)
    assert list(current(group).values_list("person", "role")) == [
        (plain_member.pk, GroupRole.OWNER)
    ]


def test_the_last_owner_alone_may_leave(group, owner):
    leave_group(group=group, actor=owner)

    assert not current(group).exists()


# --- Members and owners -------------------------------------------------------------------------


def test_a_closed_communitys_groups_take_its_members_only(organizer):
    closed = CommunityFactory(access=Access.CLOSED)
    MembershipFactory(community=closed, person=organizer, role="organizer")
    group = create_group(community=closed, name="Secret", actor=organizer)
    insider = MembershipFactory(community=closed).person

    with pytest.raises(ValidationError) as refused:
        add_group_member(group=group, person=UserFactory(), actor=organizer)
    assert "person" in refused.value.message_dict
    assert add_group_member(group=group, person=insider, actor=organizer).person == insider


def test_owners_remove_members_and_the_row_is_kept(group, owner, plain_member):
    GroupMembershipFactory(group=group, person=plain_member)

    row = remove_group_member(group=group, person=plain_member, actor=owner)

    assert row.left_at is not None
    entry = AuditLogEntry.objects.get(action="group.member_removed")
    assert entry.data == {"group": group.pk, "person": plain_member.pk}


def test_removing_is_refused_to_members_and_for_the_last_owner(group, owner, plain_member, manager):
    GroupMembershipFactory(group=group, person=plain_member)
    with pytest.raises(PermissionDenied):
        remove_group_member(group=group, person=owner, actor=plain_member)
    with pytest.raises(ValidationError, match="last owner"):
        remove_group_member(group=group, person=owner, actor=manager)
    with pytest.raises(ValidationError, match="not in this group"):
        remove_group_member(group=group, person=UserFactory(), actor=manager)
    assert current(group).count() == 2


def test_making_an_owner_records_organizing_and_demoting_keeps_one(
    group, owner, plain_member, manager
):
    GroupMembershipFactory(group=group, person=plain_member)

    row = change_group_member_role(
        group=group, person=plain_member, role=GroupRole.OWNER, actor=owner
    )

    assert row.role == GroupRole.OWNER
    assert organizing(plain_member).get().data == {"group": group.pk}
    entry = AuditLogEntry.objects.get(action="group.role_changed")
    assert (entry.data["from"], entry.data["to"]) == ("member", "owner")
    assert (
        change_group_member_role(group=group, person=plain_member, role="owner", actor=owner) == row
    )
    assert organizing(plain_member).count() == 1

    change_group_member_role(group=group, person=owner, role=GroupRole.MEMBER, actor=manager)
    with pytest.raises(ValidationError, match="last owner"):
        change_group_member_role(
            group=group, person=plain_member, role=GroupRole.MEMBER, actor=manager
        )


def test_roles_are_named_by_owners_and_managers_only(group, owner, plain_member):
    GroupMembershipFactory(group=group, person=plain_member)
    with pytest.raises(PermissionDenied):
        change_group_member_role(
            group=group, person=plain_member, role=GroupRole.OWNER, actor=plain_member
        )
    with pytest.raises(ValidationError):
        change_group_member_role(group=group, person=plain_member, role="chief", actor=owner)
    with pytest.raises(ValidationError, match="not in this group"):
        change_group_member_role(group=group, person=UserFactory(), role="owner", actor=owner)


def test_a_hand_over_records_the_successor_as_organizer(group, owner, manager):
    successor = UserFactory()

    hand_over_group_ownership(group=group, leaver=owner, successor=successor, actor=manager)

    assert organizing(successor).get().data == {"group": group.pk}


# --- Archiving ----------------------------------------------------------------------------------


def test_archiving_says_why_stops_alerts_and_takes_nobody_new(group, owner, plain_member):
    alert = GroupHealthAlertFactory(group=group, kind=GroupHealthAlertKind.IDLE)

    archived = archive_group(group=group, note="  We finished   the book. ", actor=owner)

    assert archived.archived_at is not None
    assert (archived.archived_by, archived.archive_note) == (owner, "We finished the book.")
    alert.refresh_from_db()
    assert alert.resolved_at == archived.archived_at
    assert AuditLogEntry.objects.filter(action="group.archived", target_id=group.pk).exists()
    group.refresh_from_db()
    with pytest.raises(ValidationError, match="archived"):
        join_group(group=group, actor=plain_member)
    with pytest.raises(ValidationError, match="already archived"):
        archive_group(group=group, note="Again.", actor=owner)


@pytest.mark.parametrize(("note", "message"), [("   ", "why"), ("x" * 501, "under 500")])
def test_archiving_needs_a_short_note(group, owner, note, message):
    with pytest.raises(ValidationError, match=message) as refused:
        archive_group(group=group, note=note, actor=owner)

    assert "note" in refused.value.message_dict
    group.refresh_from_db()
    assert group.archived_at is None


def test_archiving_and_reopening_are_for_owners_and_managers(group, owner, plain_member, manager):
    with pytest.raises(PermissionDenied):
        archive_group(group=group, note="Mine now.", actor=plain_member)
    archive_group(group=group, note="Ran its course.", actor=manager)
    with pytest.raises(PermissionDenied):
        reopen_group(group=group, actor=plain_member)

    reopened = reopen_group(group=group, actor=owner)

    assert (reopened.archived_at, reopened.archived_by, reopened.archive_note) == (None, None, "")
    entry = AuditLogEntry.objects.get(action="group.reopened")
    assert entry.data == {"archive_note": "Ran its course."}
    with pytest.raises(ValidationError, match="not archived"):
        reopen_group(group=group, actor=owner)
    group.refresh_from_db()
    assert join_group(group=group, actor=plain_member).left_at is None


def test_alerts_of_other_groups_are_left_alone_when_archiving(community, group, owner):
    other = GroupHealthAlertFactory(group__community=community)

    archive_group(group=group, note="Done.", actor=owner)

    other.refresh_from_db()
    assert other.resolved_at is None
    assert GroupHealthAlert.objects.filter(resolved_at__isnull=True).count() == 1
