"""Group pages: the community's groups, a group's page, the forms to found, edit, archive,
join, leave and manage members — with their refusals and empty states."""

from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from practica.communities.models import (
    Access,
    Group,
    GroupCadence,
    GroupKind,
    GroupMembership,
    GroupRole,
    MembershipRole,
)
from tests.factories.communities import (
    CommunityFactory,
    GroupFactory,
    GroupMembershipFactory,
    MembershipFactory,
)
from tests.factories.groups import GroupActivityFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def url(name, group=None, *args, community="ml"):
    if group is None:
        return reverse(f"communities:{name}", args=[community, *args])
    return reverse(f"communities:{name}", args=[group.community.slug, group.slug, *args])


def page(response):
    return response.content.decode()


def current(group):
    return GroupMembership.objects.filter(group=group, left_at__isnull=True)


# --- The community's groups ---------------------------------------------------------------------


def test_the_groups_page_shows_cards_with_kind_rhythm_members_and_health(
    client, community, group, owner, plain_member
):
    group.cadence = GroupCadence.WEEKLY
    group.meeting_note = "Thursdays 12:00"
    group.save()
    GroupMembershipFactory(group=group, person=plain_member)
    idle = GroupFactory(
        community=community,
        name="Quiet study group",
        kind=GroupKind.STUDY,
        created_at=timezone.now() - timedelta(days=400),
    )
    GroupFactory(community=community, name="Ended group", archived_at=timezone.now())
    client.force_login(plain_member)

    response = client.get(url("groups"))

    assert response.status_code == 200
    html = page(response)
    assert "Deep RL papers" in html
    assert "Reading group" in html
    assert "Weekly · Thursdays 12:00" in html
    assert "2 members" in html
    assert url("group", group) in html
    assert url("group", idle) in html
    assert "Idle" in html
    assert "Active" in html
    assert "Ended group" not in html
    assert "Running (2)" in html
    assert "Archived (1)" in html
    # Flags are for owners and managers; a plain member does not see them.
    assert "No active owner" not in html
    assert "Found a group" not in html


def test_managers_see_the_flags_and_may_found_groups(client, community, manager):
    GroupFactory(community=community, name="Orphaned")
    client.force_login(manager)

    html = page(client.get(url("groups")))

    assert "No active owner" in html
    assert url("group_create") in html


def test_archived_groups_are_apart_and_kinds_filter(client, community, plain_member):
    GroupFactory(community=community, name="Running reading", kind=GroupKind.READING)
    GroupFactory(community=community, name="Running team", kind=GroupKind.HACKATHON_TEAM)
    GroupFactory(
        community=community,
        name="Finished study",
        archived_at=timezone.now(),
        archive_note="Met its goal.",
    )
    client.force_login(plain_member)

    archived = page(client.get(url("groups"), {"archived": "on"}))
    assert "Finished study" in archived
    assert "Met its goal." in archived
    assert "Running reading" not in archived

    teams = page(client.get(url("groups"), {"kind": GroupKind.HACKATHON_TEAM}))
    assert "Running team" in teams
    assert "Running reading" not in teams

    nothing = page(client.get(url("groups"), {"kind": GroupKind.STUDY}))
    assert "No group of this kind" in nothing
    assert client.get(url("groups"), {"kind": "party"}).status_code == 200


def test_an_empty_community_invites_to_found_the_first_group(client, community, organizer):
    client.force_login(organizer)

    html = page(client.get(url("groups")))

    assert "No groups yet" in html
    assert url("group_create") in html


def test_long_lists_of_groups_are_paginated(client, settings, community, plain_member):
    settings.PRACTICA_PAGE_SIZE = 2
    for number in range(5):
        GroupFactory(community=community, name=f"Group {number}")
    client.force_login(plain_member)

    first = page(client.get(url("groups")))
    last = page(client.get(url("groups"), {"page": 3}))

    assert "Group 0" in first
    assert "Group 2" not in first
    assert "Group 4" in last
    assert "Showing 5–5 of 5" in last


def test_a_closed_communitys_groups_are_for_its_members(client):
    closed = CommunityFactory(access=Access.CLOSED, slug="secret")
    group = GroupFactory(community=closed)
    client.force_login(UserFactory())

    assert client.get(url("groups", community="secret")).status_code == 403
    assert client.get(url("group_members", group)).status_code == 403
    assert client.post(url("group_join", group)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, group):
    for address in (url("groups"), url("group", group), url("group_members", group)):
        assert client.get(address).status_code == 302
    assert client.post(url("group_join", group)).status_code == 302


# --- Founding -----------------------------------------------------------------------------------


def test_an_organizer_founds_a_group_through_the_form(client, community, organizer):
    client.force_login(organizer)
    assert client.get(url("group_create")).status_code == 200

    response = client.post(
        url("group_create"),
        {
            "name": "Causal inference",
            "kind": GroupKind.STUDY,
            "description": "Pearl, chapter by chapter.",
            "cadence": GroupCadence.MONTHLY,
            "meeting_note": "First Monday, online",
            "idle_after_days": "60",
        },
        follow=True,
    )

    group = Group.objects.get(slug="causal-inference")
    assert response.redirect_chain[-1][0] == url("group", group)
    assert (group.cadence, group.idle_after_days) == ("monthly", 60)
    assert current(group).get().person == organizer
    assert "Causal inference is founded: you are its owner." in page(response)


def test_founding_shows_clear_errors_and_creates_nothing(client, community, organizer, group):
    client.force_login(organizer)

    bad = client.post(
        url("group_create"),
        {"name": "", "kind": "party", "cadence": GroupCadence.WEEKLY, "idle_after_days": "3"},
    )
    taken = client.post(
        url("group_create"),
        {"name": "Deep RL", "kind": GroupKind.READING, "cadence": "weekly", "idle_after_days": 90},
    )

    assert bad.status_code == 400
    html = page(bad)
    assert "This field is required." in html
    assert "Select a valid choice." in html
    assert "greater than or equal to 7" in html
    assert taken.status_code == 400
    assert "This community already has a group at this address." in page(taken)
    assert Group.objects.count() == 1


def test_members_cannot_found_groups(client, plain_member):
    client.force_login(plain_member)

    assert client.get(url("group_create")).status_code == 403
    response = client.post(url("group_create"), {"name": "Mine", "kind": "study"})
    assert response.status_code == 403
    assert not Group.objects.exists()


# --- A group's page -----------------------------------------------------------------------------


@pytest.mark.usefixtures("owner")
def test_the_group_page_shows_rhythm_address_meetings_owners_and_members(
    client, settings, group, plain_member, meetings
):
    settings.MAIL_LIST_DOMAIN = "lists.example.org"
    group.cadence = GroupCadence.FORTNIGHTLY
    group.meeting_note = "Room 3.14 or online"
    group.save()
    GroupMembershipFactory(group=group, person__display_name="Rita Reader")
    meetings.add(group=group, title="Chapter 4: policy gradients", starts_in=timedelta(days=3))
    meetings.add(
        group=None,
        title="Community keynote",
        starts_in=timedelta(days=1),
        community_id=group.community_id,
    )
    client.force_login(plain_member)

    html = page(client.get(url("group", group)))

    assert "Every two weeks" in html
    assert "Room 3.14 or online" in html
    assert "ml.deep-rl@lists.example.org" in html
    assert "Chapter 4: policy gradients" in html
    assert "Community keynote" not in html
    assert "Olga Owner" in html
    assert "Rita Reader" in html
    assert url("group_join", group) in html
    assert "Health" not in html  # the health panel is for owners and managers


def test_the_group_page_links_to_its_threads_and_calendar_when_they_exist(
    client, group, plain_member
):
    client.force_login(plain_member)
    html = page(client.get(url("group", group)))

    for name in ("discussions:group_threads", "events:group_calendar"):
        try:
            address = reverse(name, kwargs={"community": "ml", "group": "deep-rl"})
        except NoReverseMatch:
            continue
        assert address in html


def test_owners_see_the_health_panel(client, group, owner):
    carrier = UserFactory(display_name="Carla Carrier")
    for day in range(5):
        GroupActivityFactory(
            group=group, person=carrier, occurred_at=timezone.now() - timedelta(days=day)
        )
    client.force_login(owner)

    html = page(client.get(url("group", group)))

    assert "Health" in html
    assert "Single point of failure" in html
    assert "Carla Carrier produced 5 of the last 90 days’ 5 activities (100 %)." in html
    assert "owners still at the company" in html
    assert url("group_archive", group) in html
    assert url("group_edit", group) in html


def test_joining_and_leaving_from_the_group_page(client, group, owner, plain_member):
    client.force_login(plain_member)

    joined = client.post(url("group_join", group), follow=True)
    assert "Welcome to Deep RL papers!" in page(joined)
    assert current(group).filter(person=plain_member).exists()
    assert url("group_leave", group) in page(joined)

    confirm = client.get(url("group_leave", group))
    assert "Leave Deep RL papers?" in page(confirm)
    left = client.post(url("group_leave", group), follow=True)
    assert "You have left Deep RL papers." in page(left)
    assert not current(group).filter(person=plain_member).exists()

    again = client.post(url("group_leave", group), follow=True)
    assert "You are not in Deep RL papers." in page(again)


def test_outsiders_are_told_to_join_the_community_first(client, group):
    outsider = UserFactory()
    client.force_login(outsider)

    html = page(client.get(url("group", group)))
    assert "join the community first" in html

    response = client.post(url("group_join", group), follow=True)
    assert "Join Machine Learning first" in page(response)
    assert not current(group).exists()


def test_the_last_owner_is_told_to_name_another_before_leaving(client, group, owner):
    GroupMembershipFactory(group=group)
    client.force_login(owner)

    response = client.post(url("group_leave", group), follow=True)

    assert "last owner" in page(response)
    assert current(group).filter(person=owner).exists()


# --- Editing, archiving, reopening --------------------------------------------------------------


def test_an_owner_edits_the_group(client, group, owner):
    client.force_login(owner)
    form = page(client.get(url("group_edit", group)))
    assert 'value="Deep RL papers"' in form

    response = client.post(
        url("group_edit", group),
        {
            "name": "Deep RL paper club",
            "kind": GroupKind.READING,
            "description": "",
            "cadence": GroupCadence.WEEKLY,
            "meeting_note": "",
            "idle_after_days": 30,
        },
    )

    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.slug, group.idle_after_days) == ("Deep RL paper club", "deep-rl", 30)


def test_members_cannot_edit_archive_or_reopen(client, group, owner, plain_member):
    GroupMembershipFactory(group=group, person=plain_member)
    client.force_login(plain_member)

    for name in ("group_edit", "group_archive"):
        assert client.get(url(name, group)).status_code == 403
    assert client.post(url("group_archive", group), {"note": "Mine."}).status_code == 403
    assert client.post(url("group_reopen", group)).status_code == 403
    group.refresh_from_db()
    assert group.archived_at is None


def test_archiving_asks_why_and_reopening_brings_it_back(client, group, owner, manager):
    client.force_login(owner)
    assert "Archive Deep RL papers?" in page(client.get(url("group_archive", group)))

    missing = client.post(url("group_archive", group), {"note": " "})
    assert missing.status_code == 400
    assert "This field is required." in page(missing)

    done = client.post(url("group_archive", group), {"note": "We finished the book."}, follow=True)
    group.refresh_from_db()
    assert group.archived_at is not None
    html = page(done)
    assert "Deep RL papers is archived." in html
    assert "We finished the book." in html
    assert url("group_reopen", group) in html
    assert client.get(url("group_edit", group)).status_code == 302

    client.force_login(manager)
    reopened = client.post(url("group_reopen", group), follow=True)
    assert "Deep RL papers is open again." in page(reopened)
    group.refresh_from_db()
    assert group.archived_at is None


def test_an_archived_group_takes_nobody_new(client, group, plain_member):
    group.archived_at = timezone.now()
    group.save()
    client.force_login(plain_member)

    html = page(client.get(url("group", group)))
    assert "it takes nobody new" in html
    assert url("group_join", group) not in html
    client.post(url("group_join", group))
    assert not current(group).filter(person=plain_member).exists()


# --- Members ------------------------------------------------------------------------------------


def test_the_members_page_lists_owners_first(client, group, owner, plain_member):
    GroupMembershipFactory(group=group, person__display_name="Aaron Active")
    GroupMembershipFactory(group=group, person__display_name="Gone Person", left_at=timezone.now())
    client.force_login(plain_member)

    html = page(client.get(url("group_members", group)))

    assert html.index("Olga Owner") < html.index("Aaron Active")
    assert "Gone Person" not in html
    assert "Add someone" not in html


def test_an_owner_adds_names_and_removes_members(client, community, group, owner):
    colleague = MembershipFactory(community=community, person__email="kim@example.com").person
    client.force_login(owner)

    added = client.post(
        url("group_member_add", group), {"email": "KIM@example.com", "role": "member"}, follow=True
    )
    assert "was added to Deep RL papers" in page(added)
    row = current(group).get(person=colleague)

    client.post(url("group_member_role", group, row.pk), {"role": "owner"})
    row.refresh_from_db()
    assert row.role == GroupRole.OWNER

    removed = client.post(url("group_member_remove", group, row.pk), follow=True)
    assert "was removed from Deep RL papers" in page(removed)
    assert not current(group).filter(person=colleague).exists()


def test_adding_unknown_or_present_people_shows_errors(client, group, owner):
    client.force_login(owner)

    unknown = client.post(
        url("group_member_add", group), {"email": "nobody@example.com", "role": "member"}
    )
    present = client.post(url("group_member_add", group), {"email": owner.email, "role": "member"})

    assert unknown.status_code == 400
    assert "Nobody with the email address nobody@example.com has an active account." in page(
        unknown
    )
    assert present.status_code == 400
    assert "is already in Deep RL papers" in page(present)


def test_refusals_on_member_rows_become_messages(client, group, owner, plain_member):
    row = GroupMembershipFactory(group=group, person=plain_member)
    owner_row = current(group).get(person=owner)
    client.force_login(owner)

    last = client.post(url("group_member_remove", group, owner_row.pk), follow=True)
    assert "last owner" in page(last)
    bad_role = client.post(url("group_member_role", group, row.pk), {"role": "chief"}, follow=True)
    assert "Choose owner or member." in page(bad_role)
    assert client.post(url("group_member_remove", group, 999999)).status_code == 404


def test_members_cannot_manage_members(client, group, owner, plain_member):
    row = GroupMembershipFactory(group=group, person=plain_member)
    client.force_login(plain_member)

    assert (
        client.post(url("group_member_add", group), {"email": "x@example.com"}).status_code == 403
    )
    promote = client.post(url("group_member_role", group, row.pk), {"role": "owner"})
    assert promote.status_code == 403
    assert client.post(url("group_member_remove", group, row.pk)).status_code == 403
    row.refresh_from_db()
    assert (row.role, row.left_at) == (GroupRole.MEMBER, None)


def test_staff_manage_any_group(client, group, staff):
    MembershipFactory(community=group.community, person=staff, role=MembershipRole.MEMBER)
    client.force_login(staff)

    assert client.get(url("group_edit", group)).status_code == 200
