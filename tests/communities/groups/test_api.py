"""The groups API: groups with health, one group, founding and editing, joining and leaving,
members and owners, archiving and reopening, health — with 401/403/404/422 as JSON."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from practica.communities.models import (
    Access,
    Group,
    GroupHealthAlertKind,
    GroupKind,
    GroupMembership,
)
from tests.api.clients import API, token_client
from tests.factories.communities import (
    CommunityFactory,
    GroupFactory,
    GroupMembershipFactory,
    MembershipFactory,
)
from tests.factories.groups import GroupActivityFactory, GroupHealthAlertFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]

GROUPS = f"{API}/communities/ml/groups"
DEEP_RL = f"{GROUPS}/deep-rl"


def current(group):
    return GroupMembership.objects.filter(group=group, left_at__isnull=True)


# --- Listing ------------------------------------------------------------------------------------


def test_groups_are_listed_with_counts_health_and_my_role(community, group, owner, plain_member):
    GroupMembershipFactory(group=group, person=plain_member)
    quiet = GroupFactory(
        community=community,
        name="A quiet study group",
        kind=GroupKind.STUDY,
        created_at=timezone.now() - timedelta(days=200),
    )
    GroupActivityFactory(group=group)
    GroupFactory(community=community, name="Ended", archived_at=timezone.now())

    response = token_client(plain_member).get(GROUPS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    by_slug = {item["slug"]: item for item in body["items"]}
    assert [item["slug"] for item in body["items"]] == [quiet.slug, "deep-rl"]
    deep = by_slug["deep-rl"]
    assert (deep["kind"], deep["member_count"], deep["my_role"]) == ("reading", 2, "member")
    assert deep["health"]["state"] == "active"
    assert deep["url"] == "/communities/ml/groups/deep-rl/"
    assert by_slug[quiet.slug]["health"] == {
        "state": "idle",
        "last_activity_at": None,
        "idle_after_days": 90,
    }
    assert by_slug[quiet.slug]["my_role"] is None


def test_filters_by_kind_and_archived(community, plain_member):
    GroupFactory(community=community, name="Team", kind=GroupKind.HACKATHON_TEAM)
    GroupFactory(community=community, name="Reading", kind=GroupKind.READING)
    GroupFactory(community=community, name="Ended", archived_at=timezone.now())
    client = token_client(plain_member)

    teams = client.get(GROUPS, {"kind": "hackathon_team"}).json()
    ended = client.get(GROUPS, {"archived": "true"}).json()

    assert [item["name"] for item in teams["items"]] == ["Team"]
    assert [item["name"] for item in ended["items"]] == ["Ended"]
    assert ended["items"][0]["health"]["state"] == "archived"
    bad = client.get(GROUPS, {"kind": "party"})
    assert bad.status_code == 422
    assert "kind" in bad.json()["errors"]


def test_closed_unknown_and_anonymous(group):
    closed = CommunityFactory(access=Access.CLOSED, slug="secret")
    GroupFactory(community=closed, slug="inner")
    outsider = token_client(UserFactory())

    assert outsider.get(f"{API}/communities/secret/groups").status_code == 403
    assert outsider.get(f"{API}/communities/secret/groups/inner").status_code == 403
    assert outsider.get(f"{API}/communities/nope/groups").status_code == 404
    missing = outsider.get(f"{GROUPS}/nope")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not found."}
    assert Client().get(GROUPS).status_code == 401


# --- One group ----------------------------------------------------------------------------------


def test_one_group_with_owners_address_meetings_and_what_i_may_do(
    settings, group, owner, plain_member, meetings
):
    settings.MAIL_LIST_DOMAIN = "lists.example.org"
    meeting = meetings.add(group=group, title="Chapter 5", starts_in=timedelta(days=2))

    body = token_client(plain_member).get(DEEP_RL).json()

    assert body["community"]["slug"] == "ml"
    assert body["owners"] == [{"id": owner.pk, "display_name": "Olga Owner"}]
    assert body["list_address"] == "ml.deep-rl@lists.example.org"
    assert [item["title"] for item in body["upcoming_meetings"]] == [meeting.title]
    assert (body["can_join"], body["can_manage"], body["my_role"]) == (True, False, None)
    assert "threads_url" in body
    assert "calendar_url" in body


# --- Founding and editing -----------------------------------------------------------------------


def test_an_organizer_founds_a_group(community, organizer):
    response = token_client(organizer).post(
        GROUPS,
        {
            "name": "Causal inference",
            "kind": "study",
            "cadence": "monthly",
            "meeting_note": "First Monday",
            "idle_after_days": 45,
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["slug"], body["cadence"], body["idle_after_days"]) == (
        "causal-inference",
        "monthly",
        45,
    )
    assert body["my_role"] == "owner"
    assert body["owners"][0]["id"] == organizer.pk


def test_founding_for_another_owner_and_bad_input(community, manager, group):
    client = token_client(manager)
    colleague = UserFactory()

    named = client.post(
        GROUPS, {"name": "Vision", "owner_id": colleague.pk}, content_type="application/json"
    )
    assert named.status_code == 201
    assert named.json()["owners"][0]["id"] == colleague.pk

    cases = [
        ({"name": "Fine", "idle_after_days": 3}, "idle_after_days"),
        ({"name": ""}, "name"),
        ({"name": "Fine", "colour": "red"}, "colour"),
        ({"name": "Deep RL"}, "slug"),
        ({"name": "New"}, "slug"),
        ({"name": "Fine", "owner_id": 99999999}, "owner_id"),
        ({"name": "Fine", "owner_id": UserFactory(is_active=False).pk}, "owner_id"),
        ({"name": "Fine", "cadence": "hourly"}, "cadence"),
    ]
    for payload, field in cases:
        response = client.post(GROUPS, payload, content_type="application/json")
        assert response.status_code == 422, payload
        assert field in response.json()["errors"], (payload, response.json())
    assert Group.objects.count() == 2


def test_members_cannot_found_groups(plain_member):
    response = token_client(plain_member).post(
        GROUPS, {"name": "Mine"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert not Group.objects.exists()


def test_an_owner_edits_some_details(group, owner, plain_member):
    response = token_client(owner).patch(
        DEEP_RL, {"cadence": "weekly", "meeting_note": "Mondays"}, content_type="application/json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["cadence"], body["meeting_note"]) == (
        "Deep RL papers",
        "weekly",
        "Mondays",
    )
    refused = token_client(plain_member).patch(
        DEEP_RL, {"name": "Mine"}, content_type="application/json"
    )
    assert refused.status_code == 403
    bad = token_client(owner).patch(DEEP_RL, {"kind": "party"}, content_type="application/json")
    assert bad.status_code == 422


# --- Joining and leaving ------------------------------------------------------------------------


def test_joining_and_leaving(group, owner, plain_member):
    client = token_client(plain_member)

    assert client.get(f"{DEEP_RL}/membership").json()["role"] is None
    joined = client.post(f"{DEEP_RL}/membership")
    assert joined.status_code == 200
    assert joined.json()["role"] == "member"
    assert client.post(f"{DEEP_RL}/membership").json()["role"] == "member"
    assert current(group).filter(person=plain_member).count() == 1

    left = client.delete(f"{DEEP_RL}/membership")
    assert left.json() == {
        "group": {"id": group.pk, "slug": "deep-rl", "name": "Deep RL papers"},
        "role": None,
        "joined_at": None,
    }
    again = client.delete(f"{DEEP_RL}/membership")
    assert again.status_code == 422
    assert again.json()["errors"]["__all__"] == ["You are not in this group."]


def test_only_community_members_join_and_the_last_owner_stays(group, owner):
    outsider = token_client(UserFactory())
    refused = outsider.post(f"{DEEP_RL}/membership")
    assert refused.status_code == 403
    assert "Join Machine Learning first" in refused.json()["detail"]

    GroupMembershipFactory(group=group)
    last = token_client(owner).delete(f"{DEEP_RL}/membership")
    assert last.status_code == 422
    assert current(group).filter(person=owner).exists()


# --- Members ------------------------------------------------------------------------------------


def test_members_are_listed_owners_first(group, owner, plain_member):
    GroupMembershipFactory(group=group, person=plain_member)

    body = token_client(plain_member).get(f"{DEEP_RL}/members").json()

    assert body["count"] == 2
    assert [(item["person"]["id"], item["role"]) for item in body["items"]] == [
        (owner.pk, "owner"),
        (plain_member.pk, "member"),
    ]
    assert body["items"][0]["person"]["is_active"] is True


def test_an_owner_adds_promotes_and_removes(community, group, owner):
    colleague = MembershipFactory(community=community).person
    client = token_client(owner)

    added = client.post(
        f"{DEEP_RL}/members", {"person_id": colleague.pk}, content_type="application/json"
    )
    assert added.status_code == 201
    assert added.json()["role"] == "member"

    promoted = client.patch(
        f"{DEEP_RL}/members/{colleague.pk}", {"role": "owner"}, content_type="application/json"
    )
    assert promoted.json()["role"] == "owner"

    removed = client.delete(f"{DEEP_RL}/members/{colleague.pk}")
    assert removed.status_code == 200
    assert removed.json()["role"] is None
    assert not current(group).filter(person=colleague).exists()
    assert client.delete(f"{DEEP_RL}/members/{colleague.pk}").status_code == 404


def test_member_changes_refused(group, owner, plain_member):
    GroupMembershipFactory(group=group, person=plain_member)
    member_client = token_client(plain_member)
    owner_client = token_client(owner)

    assert (
        member_client.post(
            f"{DEEP_RL}/members", {"person_id": owner.pk}, content_type="application/json"
        ).status_code
        == 403
    )
    unknown = owner_client.post(
        f"{DEEP_RL}/members", {"person_id": 99999999}, content_type="application/json"
    )
    assert unknown.status_code == 422
    assert "person_id" in unknown.json()["errors"]
    inactive = owner_client.post(
        f"{DEEP_RL}/members",
        {"person_id": UserFactory(is_active=False).pk},
        content_type="application/json",
    )
    assert "person_id" in inactive.json()["errors"]
    demote_last = owner_client.patch(
        f"{DEEP_RL}/members/{owner.pk}", {"role": "member"}, content_type="application/json"
    )
    assert demote_last.status_code == 422
    assert "last owner" in demote_last.json()["errors"]["__all__"][0]
    bad_role = owner_client.patch(
        f"{DEEP_RL}/members/{plain_member.pk}", {"role": "chief"}, content_type="application/json"
    )
    assert bad_role.status_code == 422


def test_a_closed_communitys_group_takes_its_members_only(organizer):
    closed = CommunityFactory(access=Access.CLOSED, slug="secret")
    MembershipFactory(community=closed, person=organizer, role="organizer")
    GroupFactory(community=closed, slug="inner")
    GroupMembershipFactory(group=Group.objects.get(slug="inner"), person=organizer, role="owner")

    response = token_client(organizer).post(
        f"{API}/communities/secret/groups/inner/members",
        {"person_id": UserFactory().pk},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert "person_id" in response.json()["errors"]


# --- Archiving and health -----------------------------------------------------------------------


def test_archiving_and_reopening(group, owner, plain_member):
    client = token_client(owner)

    missing = client.post(f"{DEEP_RL}/archive", {"note": ""}, content_type="application/json")
    assert missing.status_code == 422
    archived = client.post(
        f"{DEEP_RL}/archive", {"note": "Finished the book."}, content_type="application/json"
    )
    assert archived.status_code == 200
    body = archived.json()
    assert body["archive_note"] == "Finished the book."
    assert body["archived_by"]["id"] == owner.pk
    assert body["health"]["state"] == "archived"
    assert token_client(plain_member).post(f"{DEEP_RL}/membership").status_code == 422
    twice = client.post(f"{DEEP_RL}/archive", {"note": "Again."}, content_type="application/json")
    assert twice.status_code == 422
    assert token_client(plain_member).post(f"{DEEP_RL}/reopen").status_code == 403

    reopened = client.post(f"{DEEP_RL}/reopen")
    assert reopened.json()["archived_at"] is None
    assert client.post(f"{DEEP_RL}/reopen").status_code == 422


def test_the_health_of_a_group_for_its_owners(group, owner, plain_member):
    carrier = UserFactory(display_name="Carla Carrier")
    GroupActivityFactory.create_batch(4, group=group, person=carrier)
    GroupActivityFactory(group=group)
    GroupHealthAlertFactory(group=group, kind=GroupHealthAlertKind.NO_ACTIVE_OWNER)

    response = token_client(owner).get(f"{DEEP_RL}/health")

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "active"
    assert body["recent_activity"] == 5
    assert body["top_contributor"] == {"id": carrier.pk, "display_name": "Carla Carrier"}
    assert body["top_contributor_share"] == 0.8
    assert body["single_point_of_failure"] is True
    assert (body["owner_count"], body["active_owner_count"], body["no_active_owner"]) == (
        1,
        1,
        False,
    )
    assert body["open_alerts"] == ["no_active_owner"]
    assert token_client(plain_member).get(f"{DEEP_RL}/health").status_code == 403


def test_managers_list_the_groups_that_need_attention(community, group, owner, manager, leader):
    GroupActivityFactory(group=group)
    orphan = GroupFactory(community=community, name="Orphan")
    GroupActivityFactory(group=orphan)
    client = token_client(manager)

    everything = client.get(f"{API}/communities/ml/group-health").json()
    flagged = client.get(f"{API}/communities/ml/group-health", {"flagged": "true"}).json()
    idle = client.get(f"{API}/communities/ml/group-health", {"state": "idle"}).json()

    assert everything["count"] == 2
    assert [row["group"]["name"] for row in flagged["items"]] == ["Orphan"]
    assert flagged["items"][0]["health"]["no_active_owner"] is True
    assert idle["count"] == 0
    assert token_client(leader).get(f"{API}/communities/ml/group-health").status_code == 200
    assert token_client(owner).get(f"{API}/communities/ml/group-health").status_code == 403


def test_every_group_endpoint_is_in_the_schema_with_a_readable_id(member):
    schema = token_client(member).get(f"{API}/openapi.json").json()
    ids = {
        operation["operationId"]
        for path in schema["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }

    assert {
        "list_community_groups",
        "found_community_group",
        "list_community_group_health",
        "get_community_group",
        "edit_community_group",
        "get_community_group_health",
        "archive_community_group",
        "reopen_community_group",
        "get_my_group_membership",
        "join_community_group",
        "leave_community_group",
        "list_community_group_members",
        "add_community_group_member",
        "change_community_group_member_role",
        "remove_community_group_member",
    } <= ids
