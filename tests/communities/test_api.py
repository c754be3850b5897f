"""The communities API: communities, members, joining and leaving, requests and roles."""

import pytest
from django.test import Client

from practica.communities.models import (
    Access,
    LeftReason,
    Membership,
    MembershipRequest,
    MembershipRole,
    RequestStatus,
)
from practica.communities.services import request_to_join
from practica.core.models import Activity, ActivityKind
from tests.api.clients import API, token_client
from tests.factories.communities import CommunityFactory, MembershipFactory, ProgramFactory
from tests.factories.core import TopicFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture
def client(member):
    return token_client(member)


@pytest.fixture
def closed():
    community = CommunityFactory(name="Research Council", access=Access.CLOSED)
    MembershipFactory(community=community, role=MembershipRole.MANAGER)
    return community


@pytest.fixture
def manager(closed):
    return Membership.objects.get(community=closed, role=MembershipRole.MANAGER).person


# --- Communities ---------------------------------------------------------------------------


def test_communities_list_with_member_counts_and_my_role(client, member):
    program = ProgramFactory(name="Communities of Practice")
    ml = CommunityFactory(name="Machine Learning", program=program)
    ai = CommunityFactory(name="AI")
    MembershipFactory.create_batch(3, community=ml)
    MembershipFactory(community=ml, person=member, role=MembershipRole.ORGANIZER)
    MembershipFactory(community=ml, left_at="2020-01-01T00:00:00Z")

    response = client.get(f"{API}/communities")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    by_slug = {item["slug"]: item for item in body["items"]}
    assert by_slug["machine-learning"]["member_count"] == 4
    assert by_slug["machine-learning"]["my_role"] == "organizer"
    assert by_slug["machine-learning"]["program"]["name"] == "Communities of Practice"
    assert by_slug["ai"] == {**by_slug["ai"], "member_count": 0, "my_role": None, "id": ai.pk}


def test_communities_are_paginated(client):
    CommunityFactory.create_batch(4)

    body = client.get(f"{API}/communities", {"limit": 3}).json()

    assert body["count"] == 4
    assert len(body["items"]) == 3
    assert client.get(f"{API}/communities", {"limit": 1000}).status_code == 422


def test_a_community_by_slug_with_what_i_may_do(client):
    topic = TopicFactory(name="Deep learning")
    community = CommunityFactory(name="Machine Learning", mission="Learn together.")
    community.topics.set([topic])

    body = client.get(f"{API}/communities/machine-learning").json()

    assert body["mission"] == "Learn together."
    assert body["topics"] == [{"id": topic.pk, "slug": "deep-learning", "name": "Deep learning"}]
    assert body["my_state"] == "none"
    assert body["can_join"] is True
    assert body["can_request_to_join"] is False
    assert body["can_manage"] is False


def test_an_unknown_community_is_404(client):
    for path in ("/communities/nowhere", "/communities/nowhere/members"):
        response = client.get(f"{API}{path}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert client.generic("POST", f"{API}/communities/nowhere/membership").status_code == 404


# --- Members -------------------------------------------------------------------------------


def test_members_of_an_open_community_are_paginated_and_filterable(client):
    community = CommunityFactory()
    MembershipFactory.create_batch(3, community=community)
    lead = MembershipFactory(
        community=community, role=MembershipRole.LEADER, person=UserFactory(display_name="Lea")
    )

    everyone = client.get(f"{API}/communities/{community.slug}/members", {"limit": 2}).json()
    leaders = client.get(f"{API}/communities/{community.slug}/members", {"role": "leader"}).json()
    by_name = client.get(f"{API}/communities/{community.slug}/members", {"q": "lea"}).json()

    assert everyone["count"] == 4
    assert len(everyone["items"]) == 2
    assert [m["person"]["id"] for m in leaders["items"]] == [lead.person_id]
    assert by_name["items"][0]["role"] == "leader"
    assert (
        client.get(f"{API}/communities/{community.slug}/members", {"role": "king"}).status_code
        == 422
    )


def test_members_of_a_closed_community_are_hidden_from_non_members(client, member, closed):
    response = client.get(f"{API}/communities/{closed.slug}/members")

    assert response.status_code == 403
    assert response.json()["detail"]
    MembershipFactory(community=closed, person=member)
    assert client.get(f"{API}/communities/{closed.slug}/members").json()["count"] == 2


# --- Joining and leaving -------------------------------------------------------------------


def test_join_an_open_community(client, member):
    community = CommunityFactory()

    response = client.generic("POST", f"{API}/communities/{community.slug}/membership")

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "member"
    assert body["role"] == "member"
    assert body["community"]["slug"] == community.slug
    assert Membership.objects.current().filter(community=community, person=member).count() == 1
    again = client.post(
        f"{API}/communities/{community.slug}/membership", {}, content_type="application/json"
    )
    assert again.json()["joined_at"] == body["joined_at"]
    assert Membership.objects.filter(community=community, person=member).count() == 1


def test_joining_a_closed_community_makes_a_pending_request(client, member, closed):
    response = client.post(
        f"{API}/communities/{closed.slug}/membership",
        {"message": "I run the reading group."},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["state"] == "pending"
    join_request = MembershipRequest.objects.get(community=closed, person=member)
    assert join_request.message == "I run the reading group."
    assert not Membership.objects.filter(community=closed, person=member).exists()
    again = client.generic("POST", f"{API}/communities/{closed.slug}/membership").json()
    assert again["request_id"] == join_request.pk
    assert client.get(f"{API}/communities/{closed.slug}/membership").json()["state"] == "pending"


def test_a_request_message_is_limited(client, closed):
    response = client.post(
        f"{API}/communities/{closed.slug}/membership",
        {"message": "x" * 2001},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert "message" in response.json()["errors"]
    assert not MembershipRequest.objects.exists()


def test_leave_a_community_keeps_the_history(client, member):
    community = CommunityFactory()
    MembershipFactory(community=community, person=member)

    response = client.delete(f"{API}/communities/{community.slug}/membership")

    assert response.status_code == 200
    assert response.json()["state"] == "none"
    membership = Membership.objects.get(community=community, person=member)
    assert membership.left_reason == LeftReason.LEFT_COMMUNITY
    assert Activity.objects.filter(person=member, kind=ActivityKind.LEFT).exists()


def test_leaving_without_being_a_member_is_422(client):
    community = CommunityFactory()

    response = client.delete(f"{API}/communities/{community.slug}/membership")

    assert response.status_code == 422
    assert response.json()["errors"]["__all__"]


def test_the_last_manager_cannot_leave_a_community_with_members(closed, manager):
    MembershipFactory(community=closed)

    response = token_client(manager).delete(f"{API}/communities/{closed.slug}/membership")

    assert response.status_code == 422
    assert Membership.objects.current().filter(community=closed, person=manager).exists()


def test_delete_membership_withdraws_a_pending_request(client, member, closed):
    request_to_join(community=closed, person=member)

    response = client.delete(f"{API}/communities/{closed.slug}/membership")

    assert response.json()["state"] == "none"
    assert MembershipRequest.objects.get(person=member).status == RequestStatus.WITHDRAWN


def test_my_memberships(client, member):
    first = CommunityFactory(name="Alpha")
    second = CommunityFactory(name="Beta")
    MembershipFactory(community=second, person=member, role=MembershipRole.LEADER)
    MembershipFactory(community=first, person=member)
    MembershipFactory(
        community=CommunityFactory(name="Gone"), person=member, left_at="2020-01-01T00:00:00Z"
    )

    body = client.get(f"{API}/me/memberships").json()

    assert [(m["community"]["name"], m["role"]) for m in body] == [
        ("Alpha", "member"),
        ("Beta", "leader"),
    ]


def test_memberships_need_authentication(db):
    community = CommunityFactory()

    assert Client().post(f"{API}/communities/{community.slug}/membership").status_code == 401
    assert Client().get(f"{API}/me/memberships").status_code == 401
    assert not Membership.objects.exists()


# --- Managing ------------------------------------------------------------------------------


@pytest.fixture
def pending(closed):
    return request_to_join(community=closed, person=UserFactory(display_name="Asker"), message="Hi")


def test_managers_list_pending_requests(closed, manager, pending):
    response = token_client(manager).get(f"{API}/communities/{closed.slug}/requests")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["items"][0]["person"]["display_name"] == "Asker"
    assert body["items"][0]["status"] == "pending"


def test_members_cannot_see_requests(client, member, closed, pending):
    MembershipFactory(community=closed, person=member)

    assert client.get(f"{API}/communities/{closed.slug}/requests").status_code == 403


def test_a_manager_approves_a_request(closed, manager, pending):
    response = token_client(manager).post(
        f"{API}/communities/{closed.slug}/requests/{pending.pk}/approve"
    )

    assert response.status_code == 200
    assert response.json()["person"]["id"] == pending.person_id
    assert response.json()["role"] == "member"
    assert Membership.objects.current().filter(community=closed, person=pending.person).exists()
    pending.refresh_from_db()
    assert pending.status == RequestStatus.APPROVED
    twice = token_client(manager).post(
        f"{API}/communities/{closed.slug}/requests/{pending.pk}/approve"
    )
    assert twice.status_code == 422


def test_approving_as_a_non_manager_is_403(client, member, closed, pending):
    MembershipFactory(community=closed, person=member)

    response = client.post(f"{API}/communities/{closed.slug}/requests/{pending.pk}/approve")

    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING
    assert not Membership.objects.filter(person=pending.person).exists()


def test_a_manager_declines_a_request_with_a_reason(closed, manager, pending):
    response = token_client(manager).post(
        f"{API}/communities/{closed.slug}/requests/{pending.pk}/decline",
        {"reason": "Leads only."},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert not Membership.objects.filter(person=pending.person).exists()


def test_a_request_of_another_community_is_404(manager, pending):
    elsewhere = CommunityFactory(access=Access.CLOSED)
    MembershipFactory(community=elsewhere, person=manager, role=MembershipRole.MANAGER)

    response = token_client(manager).post(
        f"{API}/communities/{elsewhere.slug}/requests/{pending.pk}/approve"
    )

    assert response.status_code == 404


def test_a_manager_changes_a_members_role(closed, manager):
    membership = MembershipFactory(community=closed)

    response = token_client(manager).patch(
        f"{API}/communities/{closed.slug}/members/{membership.person_id}",
        {"role": "organizer"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["role"] == "organizer"
    membership.refresh_from_db()
    assert membership.role == MembershipRole.ORGANIZER


def test_changing_roles_is_checked(client, member, closed, manager):
    membership = MembershipFactory(community=closed, person=member)
    url = f"{API}/communities/{closed.slug}/members"

    as_member = client.patch(
        f"{url}/{manager.pk}", {"role": "member"}, content_type="application/json"
    )
    unknown_role = token_client(manager).patch(
        f"{url}/{membership.person_id}", {"role": "king"}, content_type="application/json"
    )
    last_manager = token_client(manager).patch(
        f"{url}/{manager.pk}", {"role": "member"}, content_type="application/json"
    )
    not_a_member = token_client(manager).patch(
        f"{url}/{UserFactory().pk}", {"role": "leader"}, content_type="application/json"
    )

    assert as_member.status_code == 403
    assert unknown_role.status_code == 422
    assert "role" in unknown_role.json()["errors"]
    assert last_manager.status_code == 422
    assert not_a_member.status_code == 404
    assert Membership.objects.get(community=closed, person=manager).role == MembershipRole.MANAGER


def test_a_manager_removes_a_member(closed, manager):
    membership = MembershipFactory(community=closed)

    response = token_client(manager).delete(
        f"{API}/communities/{closed.slug}/members/{membership.person_id}"
    )

    assert response.status_code == 200
    assert response.json()["state"] == "none"
    membership.refresh_from_db()
    assert membership.left_reason == LeftReason.REMOVED


def test_community_list_searches_like_the_communities_page(client, member):
    from tests.factories.communities import CommunityFactory, MembershipFactory, ProgramFactory

    program = ProgramFactory(name="Communities of Practice")
    machine_learning = CommunityFactory(name="Machine Learning", program=program)
    CommunityFactory(name="Machine Shop")
    closed = CommunityFactory(name="ML Leadership Circle", access="closed", program=program)
    MembershipFactory(community=closed, person=member)
    client.force_login(member)

    def names(query):
        response = client.get(f"/api/v1/communities?{query}")
        assert response.status_code == 200, response.content
        return [item["name"] for item in response.json()["items"]]

    assert names("q=machine") == ["Machine Learning", "Machine Shop"]
    assert set(names(f"program={program.slug}")) == {machine_learning.name, closed.name}
    assert names("access=closed") == [closed.name]
    assert names("mine=true") == [closed.name]
    unknown = client.get("/api/v1/communities?program=no-such-program")
    assert unknown.status_code == 422
    assert "program" in unknown.json()["errors"]
    assert client.get("/api/v1/communities?access=secret").status_code == 422
