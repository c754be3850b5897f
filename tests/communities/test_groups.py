"""Grassroots groups: founding one, adding members, handing its ownership on, and its page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from practica.communities.group_services import (
    add_group_member,
    create_group,
    hand_over_group_ownership,
)
from practica.communities.models import (
    Access,
    GroupKind,
    GroupMembership,
    GroupRole,
    MembershipRole,
)
from practica.core.models import AuditLogEntry
from tests.factories.communities import (
    CommunityFactory,
    GroupFactory,
    GroupMembershipFactory,
    MembershipFactory,
)
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture
def community():
    return CommunityFactory(name="Machine Learning")


@pytest.fixture
def manager(community):
    return MembershipFactory(community=community, role=MembershipRole.MANAGER).person


@pytest.fixture
def organizer(community):
    return MembershipFactory(community=community, role=MembershipRole.ORGANIZER).person


def current(group):
    return GroupMembership.objects.filter(group=group, left_at__isnull=True)


# --- Founding -----------------------------------------------------------------------------------


def test_an_organizer_founds_a_group_and_owns_it(community, organizer):
    group = create_group(
        community=community,
        name="  Deep   RL papers ",
        actor=organizer,
        kind=GroupKind.READING,
        description="One paper a week.",
    )

    assert (group.name, group.slug, group.kind) == ("Deep RL papers", "deep-rl-papers", "reading")
    [row] = current(group)
    assert (row.person, row.role) == (organizer, GroupRole.OWNER)
    assert AuditLogEntry.objects.filter(action="group.created", target_id=group.pk).exists()


def test_a_manager_can_found_a_group_for_someone_else(community, manager):
    owner = UserFactory()

    group = create_group(community=community, name="Causal inference", actor=manager, owner=owner)

    assert list(current(group).values_list("person", "role")) == [(owner.pk, GroupRole.OWNER)]


def test_members_cannot_found_groups(community):
    member = MembershipFactory(community=community).person

    with pytest.raises(PermissionDenied):
        create_group(community=community, name="Mine", actor=member)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "!!!"}, "name"),
        ({"name": "x" * 161}, "name"),
        ({"name": "Fine", "kind": "party"}, "kind"),
        ({"name": "Fine", "description": "x" * 5001}, "description"),
        ({"name": "Fine", "owner": UserFactory.build(is_active=False)}, "owner"),
    ],
)
def test_bad_group_input_names_the_field(community, organizer, arguments, field):
    with pytest.raises(ValidationError) as refused:
        create_group(community=community, actor=organizer, **arguments)

    assert field in refused.value.message_dict


def test_a_groups_address_is_unique_in_its_community(community, organizer):
    create_group(community=community, name="Study group", actor=organizer)

    with pytest.raises(ValidationError) as refused:
        create_group(community=community, name="Study Group", actor=organizer)

    assert "slug" in refused.value.message_dict
    other = CommunityFactory()
    MembershipFactory(community=other, person=organizer, role=MembershipRole.ORGANIZER)
    assert create_group(community=other, name="Study group", actor=organizer).slug == "study-group"


# --- Members ------------------------------------------------------------------------------------


def test_owners_add_members_and_people_join_themselves(community, organizer):
    group = create_group(community=community, name="Vision", actor=organizer)
    colleague, joiner = UserFactory(), UserFactory()

    added = add_group_member(group=group, person=colleague, actor=organizer)
    joined = add_group_member(group=group, person=joiner, actor=joiner)

    assert added.role == joined.role == GroupRole.MEMBER
    assert add_group_member(group=group, person=joiner, actor=joiner) == joined
    assert current(group).count() == 3


def test_only_owners_and_managers_add_others_or_make_owners(community, organizer, manager):
    group = create_group(community=community, name="Vision", actor=organizer)
    member = add_group_member(group=group, person=UserFactory(), actor=organizer).person

    with pytest.raises(PermissionDenied):
        add_group_member(group=group, person=UserFactory(), actor=member)
    with pytest.raises(PermissionDenied):
        add_group_member(group=group, person=member, actor=member, role=GroupRole.OWNER)

    promoted = add_group_member(group=group, person=member, actor=manager, role=GroupRole.OWNER)
    assert promoted.role == GroupRole.OWNER
    assert current(group).filter(person=member).count() == 1


def test_archived_groups_and_inactive_people_take_nobody(community, organizer):
    group = create_group(community=community, name="Vision", actor=organizer)
    with pytest.raises(ValidationError):
        add_group_member(group=group, person=UserFactory(is_active=False), actor=organizer)
    with pytest.raises(ValidationError):
        add_group_member(group=group, person=organizer, actor=organizer, role="boss")
    group.archived_at = timezone.now()
    group.save()
    with pytest.raises(ValidationError, match="archived"):
        add_group_member(group=group, person=UserFactory(), actor=organizer)


# --- Handing ownership on ---------------------------------------------------------------------


def test_ownership_goes_to_the_successor_and_the_leaver_is_out(community, manager):
    group = GroupFactory(community=community)
    leaver = GroupMembershipFactory(group=group, role=GroupRole.OWNER).person
    successor = UserFactory()

    row = hand_over_group_ownership(group=group, leaver=leaver, successor=successor, actor=manager)

    assert (row.person, row.role, row.left_at) == (successor, GroupRole.OWNER, None)
    assert not current(group).filter(person=leaver).exists()
    assert GroupMembership.objects.get(group=group, person=leaver).left_at is not None
    entry = AuditLogEntry.objects.get(action="group.ownership_handed_over")
    assert entry.data == {"leaver": leaver.pk, "successor": successor.pk, "leaver_row_closed": 1}


def test_an_owner_may_hand_their_group_on_themself(community):
    group = GroupFactory(community=community)
    owner = GroupMembershipFactory(group=group, role=GroupRole.OWNER).person
    member = GroupMembershipFactory(group=group).person

    hand_over_group_ownership(group=group, leaver=owner, successor=member, actor=owner)

    assert list(current(group).values_list("person", "role")) == [(member.pk, GroupRole.OWNER)]


def test_handing_on_is_refused_to_others_and_to_unfit_successors(community, manager):
    group = GroupFactory(community=community)
    owner = GroupMembershipFactory(group=group, role=GroupRole.OWNER).person
    member = GroupMembershipFactory(group=group).person

    with pytest.raises(PermissionDenied):
        hand_over_group_ownership(group=group, leaver=owner, successor=member, actor=member)
    for unfit in (owner, UserFactory(is_active=False), UserFactory(is_placeholder=True)):
        with pytest.raises(ValidationError) as refused:
            hand_over_group_ownership(group=group, leaver=owner, successor=unfit, actor=manager)
        assert "successor" in refused.value.message_dict
    assert current(group).get(person=owner).role == GroupRole.OWNER


# --- The group's page ---------------------------------------------------------------------------


def test_the_group_page_shows_what_it_is_who_runs_it_and_how_many_take_part(client, community):
    group = GroupFactory(
        community=community, name="Deep RL papers", kind=GroupKind.READING, description="Weekly."
    )
    owner = GroupMembershipFactory(
        group=group, role=GroupRole.OWNER, person__display_name="Ada Owner"
    ).person
    GroupMembershipFactory.create_batch(2, group=group)
    GroupMembershipFactory(group=group, left_at=timezone.now())
    client.force_login(UserFactory())

    response = client.get(reverse("communities:group", args=[community.slug, group.slug]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Deep RL papers" in page
    assert "Reading group" in page
    assert "Weekly." in page
    assert "Ada Owner" in page
    assert reverse("people:profile", args=[owner.pk]) in page
    assert "3 members" in page
    assert reverse("communities:detail", args=[community.slug]) in page


def test_a_group_without_owner_says_so(client, community, manager):
    group = GroupFactory(community=community)
    client.force_login(manager)

    page = client.get(
        reverse("communities:group", args=[community.slug, group.slug])
    ).content.decode()

    assert "Nobody runs this group at the moment: give it a new owner." in page


def test_a_closed_communitys_groups_are_for_its_members(client):
    closed = CommunityFactory(access=Access.CLOSED)
    group = GroupFactory(community=closed)
    url = reverse("communities:group", args=[closed.slug, group.slug])
    outsider = UserFactory()
    client.force_login(outsider)

    assert client.get(url).status_code == 403
    MembershipFactory(community=closed, person=outsider)
    assert client.get(url).status_code == 200


def test_unknown_groups_and_anonymous_visitors(client, community):
    group = GroupFactory(community=community)
    other = CommunityFactory()
    url = reverse("communities:group", args=[community.slug, group.slug])

    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert (
        client.get(reverse("communities:group", args=[community.slug, "nope"])).status_code == 404
    )
    assert (
        client.get(reverse("communities:group", args=[other.slug, group.slug])).status_code == 404
    )
