"""The community screens: every page, who may see what, and each action through its view."""

import pytest
from django.urls import reverse

from practica.communities import services
from practica.communities.models import (
    Access,
    LeftReason,
    Membership,
    MembershipRequest,
    MembershipRole,
    RequestStatus,
)
from practica.core.models import AuditLogEntry
from tests.factories.communities import CommunityFactory, MembershipFactory, ProgramFactory
from tests.factories.core import TopicFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return ProgramFactory(name="Communities of Practice")


@pytest.fixture
def community(program):
    community = CommunityFactory(
        name="Machine Learning",
        slug="machine-learning",
        program=program,
        mission="Help every practitioner ship better models.",
    )
    community.topics.add(TopicFactory(name="Deep learning"))
    return community


@pytest.fixture
def closed_community(program):
    return CommunityFactory(name="Paper Club", slug="paper-club", access=Access.CLOSED)


@pytest.fixture
def boss(community):
    return MembershipFactory(
        community=community, person=UserFactory(display_name="Bea Boss"), role="manager"
    ).person


@pytest.fixture
def closed_boss(closed_community):
    return MembershipFactory(
        community=closed_community,
        person=UserFactory(display_name="Cleo Closed"),
        role=MembershipRole.MANAGER,
    ).person


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


def url(name, *args):
    return reverse(f"communities:{name}", args=args)


def current(community, person):
    return Membership.objects.current().filter(community=community, person=person)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


# --- Access ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("list", ()),
        ("detail", ("machine-learning",)),
        ("members", ("machine-learning",)),
        ("manage", ("machine-learning",)),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, community, name, args):
    response = client.get(url(name, *args))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login"))


def test_anonymous_post_changes_nothing(client, community):
    response = client.post(url("join", community.slug))

    assert response.status_code == 302
    assert not Membership.objects.exists()


@pytest.mark.parametrize("name", ["detail", "members", "manage", "leave"])
def test_unknown_slug_is_404(signed_in, name):
    assert signed_in.get(url(name, "no-such-community")).status_code == 404


def test_unknown_slug_post_is_404(signed_in):
    assert signed_in.post(url("join", "no-such-community")).status_code == 404


# --- List --------------------------------------------------------------------------------


def test_list_shows_communities_with_counts_program_and_my_role(
    signed_in, member, community, closed_community, boss
):
    MembershipFactory(community=community, person=member)

    response = signed_in.get(url("list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Machine Learning" in html
    assert "Paper Club" in html
    assert "Communities of Practice" in html
    assert "2 members" in html
    assert "Closed" in html
    by_slug = {c.slug: c for c in response.context["page_obj"]}
    assert by_slug["machine-learning"].my_role == MembershipRole.MEMBER
    assert by_slug["paper-club"].my_role is None


def test_list_search_and_filters(signed_in, member, community, closed_community):
    response = signed_in.get(url("list"), {"q": "paper"})
    assert [c.slug for c in response.context["page_obj"]] == ["paper-club"]

    response = signed_in.get(url("list"), {"program": community.program.slug})
    assert [c.slug for c in response.context["page_obj"]] == ["machine-learning"]

    response = signed_in.get(url("list"), {"access": "closed"})
    assert [c.slug for c in response.context["page_obj"]] == ["paper-club"]

    MembershipFactory(community=community, person=member)
    response = signed_in.get(url("list"), {"mine": "on"})
    assert [c.slug for c in response.context["page_obj"]] == ["machine-learning"]


def test_list_empty_state_and_bad_filters(signed_in, community):
    response = signed_in.get(url("list"), {"q": "zzz-nothing"})
    assert response.status_code == 200
    assert "No community matches" in response.content.decode()

    # An unknown program or an absurd page number is not an error.
    response = signed_in.get(url("list"), {"program": "nope", "page": "9999", "q": "x" * 500})
    assert response.status_code == 200


def test_list_paginates(signed_in):
    CommunityFactory.create_batch(30)

    first = signed_in.get(url("list"))
    second = signed_in.get(url("list"), {"page": 2})

    assert len(first.context["page_obj"]) == 24
    assert len(second.context["page_obj"]) == 6


# --- Detail ------------------------------------------------------------------------------


def test_detail_for_a_visitor_of_an_open_community(signed_in, community, boss, program):
    sister = CommunityFactory(name="Applied AI", program=program)

    response = signed_in.get(url("detail", community.slug))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Help every practitioner ship better models." in html
    assert "Deep learning" in html
    assert "Bea Boss" in html  # listed under who runs it, and as a recent joiner
    assert sister.name in html
    assert url("join", community.slug) in html
    assert url("manage", community.slug) not in html


def test_detail_for_a_member_offers_leave(signed_in, member, community):
    MembershipFactory(community=community, person=member)

    html = signed_in.get(url("detail", community.slug)).content.decode()

    assert url("leave", community.slug) in html
    assert url("join", community.slug) not in html


def test_detail_of_a_closed_community_offers_a_request_and_hides_members(
    signed_in, member, closed_community, closed_boss
):
    response = signed_in.get(url("detail", closed_community.slug))

    html = response.content.decode()
    assert url("request", closed_community.slug) in html
    assert not response.context["can_view_members"]
    assert response.context["recent_joiners"] == []
    assert url("members", closed_community.slug) not in html

    services.request_to_join(community=closed_community, person=member)
    html = signed_in.get(url("detail", closed_community.slug)).content.decode()
    assert "Request pending" in html
    assert url("withdraw", closed_community.slug) in html


def test_detail_offers_manage_to_managers(client, community, boss):
    client.force_login(boss)

    html = client.get(url("detail", community.slug)).content.decode()

    assert url("manage", community.slug) in html


# --- Members -----------------------------------------------------------------------------


def test_members_page_lists_filters_and_paginates(signed_in, community, boss):
    MembershipFactory(
        community=community, person=UserFactory(display_name="Ada Lovelace"), role="leader"
    )
    MembershipFactory.create_batch(30, community=community)

    response = signed_in.get(url("members", community.slug))
    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 25
    assert response.context["page_obj"].paginator.count == 32

    response = signed_in.get(url("members", community.slug), {"q": "lovelace"})
    assert [m.person.display_name for m in response.context["page_obj"]] == ["Ada Lovelace"]
    assert "Leader" in response.content.decode()

    response = signed_in.get(url("members", community.slug), {"role": "manager"})
    assert [m.person for m in response.context["page_obj"]] == [boss]

    response = signed_in.get(url("members", community.slug), {"role": "emperor"})
    assert response.status_code == 200  # an unknown role is ignored, not an error


def test_closed_members_page_is_hidden_from_non_members(signed_in, closed_community):
    response = signed_in.get(url("members", closed_community.slug))

    assert response.status_code == 403
    assert "only its members can see" in response.content.decode()
    assert response.templates[0].name == "communities/forbidden.html"


def test_closed_members_page_is_shown_to_members(signed_in, member, closed_community):
    MembershipFactory(community=closed_community, person=member)

    assert signed_in.get(url("members", closed_community.slug)).status_code == 200


# --- Join, leave, request, withdraw ------------------------------------------------------


def test_join_through_the_view(signed_in, member, community):
    response = signed_in.post(url("join", community.slug), follow=True)

    assert current(community, member).count() == 1
    assert any("Welcome" in m for m in messages_of(response))


def test_joining_twice_says_so_and_changes_nothing(signed_in, member, community):
    signed_in.post(url("join", community.slug))
    response = signed_in.post(url("join", community.slug), follow=True)

    assert Membership.objects.filter(community=community, person=member).count() == 1
    assert any("already a member" in m for m in messages_of(response))


def test_join_of_a_closed_community_is_refused_with_a_message(signed_in, member, closed_community):
    response = signed_in.post(url("join", closed_community.slug), follow=True)

    assert response.status_code == 200
    assert not current(closed_community, member).exists()
    assert any("ask to join" in m for m in messages_of(response))


def test_join_needs_post(signed_in, community):
    assert signed_in.get(url("join", community.slug)).status_code == 405


def test_leave_asks_then_leaves(signed_in, member, community):
    MembershipFactory(community=community, person=member)

    confirm = signed_in.get(url("leave", community.slug))
    assert confirm.status_code == 200
    assert "Yes, leave the community" in confirm.content.decode()
    assert current(community, member).exists()

    response = signed_in.post(url("leave", community.slug), follow=True)
    assert not current(community, member).exists()
    assert Membership.objects.filter(community=community, person=member).count() == 1
    assert any("You have left" in m for m in messages_of(response))


def test_last_manager_cannot_leave_through_the_view(client, community, boss):
    MembershipFactory(community=community)
    client.force_login(boss)

    response = client.post(url("leave", community.slug), follow=True)

    assert current(community, boss).exists()
    assert any("last manager" in m for m in messages_of(response))


def test_leave_when_not_a_member(signed_in, community):
    response = signed_in.post(url("leave", community.slug), follow=True)
    assert response.status_code == 200
    assert any("not a member" in m for m in messages_of(response))


def test_request_and_withdraw_through_the_views(signed_in, member, closed_community, closed_boss):
    response = signed_in.post(
        url("request", closed_community.slug), {"message": "Hello there"}, follow=True
    )
    join_request = MembershipRequest.objects.get(person=member)
    assert join_request.message == "Hello there"
    assert any("sent to its managers" in m for m in messages_of(response))

    signed_in.post(url("withdraw", closed_community.slug))
    join_request.refresh_from_db()
    assert join_request.status == RequestStatus.WITHDRAWN

    response = signed_in.post(url("withdraw", closed_community.slug), follow=True)
    assert any("no pending request" in m for m in messages_of(response))


def test_oversize_request_message_is_refused(signed_in, closed_community, closed_boss):
    response = signed_in.post(
        url("request", closed_community.slug), {"message": "x" * 2001}, follow=True
    )

    assert response.status_code == 200
    assert not MembershipRequest.objects.exists()
    assert messages_of(response)


def test_request_to_an_open_community_is_refused(signed_in, community):
    response = signed_in.post(url("request", community.slug), follow=True)

    assert not MembershipRequest.objects.exists()
    assert any("join it directly" in m for m in messages_of(response))


# --- Manage ------------------------------------------------------------------------------


def test_manage_is_403_for_non_managers(signed_in, member, community):
    MembershipFactory(community=community, person=member, role=MembershipRole.ORGANIZER)

    response = signed_in.get(url("manage", community.slug))

    assert response.status_code == 403
    assert "managers and leaders" in response.content.decode()


def test_manage_shows_requests_members_and_counts(client, closed_community, closed_boss):
    asker = UserFactory(display_name="Asa Asker")
    services.request_to_join(community=closed_community, person=asker, message="Please!")
    MembershipFactory(community=closed_community, person=UserFactory(display_name="Mo Member"))
    client.force_login(closed_boss)

    response = client.get(url("manage", closed_community.slug))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Asa Asker" in html
    assert "Please!" in html
    assert "Mo Member" in html
    assert response.context["counts"] == {"members": 2, "managers": 1, "pending": 1}


def test_staff_may_manage_any_community(client, staff, community):
    client.force_login(staff)
    assert client.get(url("manage", community.slug)).status_code == 200


@pytest.mark.parametrize("name", ["approve", "decline", "change_role", "remove"])
def test_manager_actions_are_403_for_members(signed_in, member, community, boss, name):
    membership = MembershipFactory(community=community, person=member)
    target = MembershipFactory(community=community)
    pk = target.pk if name in {"change_role", "remove"} else membership.pk

    response = signed_in.post(url(name, community.slug, pk), {"role": "manager"})

    assert response.status_code == 403
    target.refresh_from_db()
    assert target.role == MembershipRole.MEMBER
    assert target.is_current


def test_add_member_is_403_for_members(signed_in, member, community):
    MembershipFactory(community=community, person=member)
    other = UserFactory()

    response = signed_in.post(url("add_member", community.slug), {"email": other.email})

    assert response.status_code == 403
    assert not current(community, other).exists()


@pytest.fixture
def pending(closed_community, closed_boss):
    return services.request_to_join(
        community=closed_community, person=UserFactory(display_name="Asa Asker")
    )


def test_approve_through_the_view(client, closed_community, closed_boss, pending):
    client.force_login(closed_boss)

    response = client.post(url("approve", closed_community.slug, pending.pk), follow=True)

    pending.refresh_from_db()
    assert pending.status == RequestStatus.APPROVED
    assert current(closed_community, pending.person).exists()
    assert any("is now a member" in m for m in messages_of(response))
    assert response.redirect_chain[-1][0] == url("manage", closed_community.slug)


def test_approving_twice_shows_a_message_and_changes_nothing(
    client, closed_community, closed_boss, pending
):
    client.force_login(closed_boss)
    client.post(url("approve", closed_community.slug, pending.pk))
    audit_rows = AuditLogEntry.objects.count()

    response = client.post(url("approve", closed_community.slug, pending.pk), follow=True)

    assert response.status_code == 200
    assert any("already approved" in m for m in messages_of(response))
    assert Membership.objects.filter(person=pending.person).count() == 1
    assert AuditLogEntry.objects.count() == audit_rows


def test_approve_with_htmx_returns_the_row(client, closed_community, closed_boss, pending):
    client.force_login(closed_boss)

    response = client.post(
        url("approve", closed_community.slug, pending.pk), headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="request-{pending.pk}"' in html
    assert "Approved" in html
    assert 'hx-swap-oob="true"' in html
    assert "<html" not in html


def test_request_of_another_community_is_404(client, community, boss, pending):
    client.force_login(boss)

    response = client.post(url("approve", community.slug, pending.pk))

    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING


def test_decline_through_the_view(client, closed_community, closed_boss, pending):
    client.force_login(closed_boss)

    response = client.post(
        url("decline", closed_community.slug, pending.pk),
        {"reason": "Authors only"},
        follow=True,
    )

    pending.refresh_from_db()
    assert pending.status == RequestStatus.DECLINED
    assert not current(closed_community, pending.person).exists()
    assert any("declined" in m for m in messages_of(response))


def test_decline_with_oversize_reason_changes_nothing(
    client, closed_community, closed_boss, pending
):
    client.force_login(closed_boss)

    client.post(url("decline", closed_community.slug, pending.pk), {"reason": "x" * 2001})

    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING


def test_change_role_through_the_view(client, community, boss):
    target = MembershipFactory(community=community)
    client.force_login(boss)

    response = client.post(
        url("change_role", community.slug, target.pk), {"role": "leader"}, follow=True
    )

    target.refresh_from_db()
    assert target.role == MembershipRole.LEADER
    assert AuditLogEntry.objects.filter(action="membership.role_changed").count() == 1
    assert any("is now leader" in m for m in messages_of(response))


def test_unknown_role_shows_a_message_and_changes_nothing(client, community, boss):
    target = MembershipFactory(community=community)
    client.force_login(boss)

    response = client.post(
        url("change_role", community.slug, target.pk), {"role": "emperor"}, follow=True
    )

    target.refresh_from_db()
    assert target.role == MembershipRole.MEMBER
    assert any("Choose one of the listed roles" in m for m in messages_of(response))
    assert not AuditLogEntry.objects.exists()


def test_last_manager_cannot_step_down_through_the_view(client, community, boss):
    client.force_login(boss)
    own = current(community, boss).get()

    response = client.post(
        url("change_role", community.slug, own.pk),
        {"role": "member"},
        headers={"HX-Request": "true"},
    )

    own.refresh_from_db()
    assert own.role == MembershipRole.MANAGER
    assert "at least one manager" in response.content.decode()


def test_change_role_with_htmx_returns_the_row(client, community, boss):
    target = MembershipFactory(community=community)
    client.force_login(boss)

    response = client.post(
        url("change_role", community.slug, target.pk),
        {"role": "organizer"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert f'id="member-{target.pk}"' in html
    assert '<option value="organizer" selected>' in html


def test_remove_asks_then_removes(client, community, boss):
    target = MembershipFactory(community=community, person=UserFactory(display_name="Rem Oved"))
    client.force_login(boss)

    confirm = client.get(url("remove", community.slug, target.pk))
    assert confirm.status_code == 200
    assert "Remove Rem Oved" in confirm.content.decode()
    target.refresh_from_db()
    assert target.is_current

    response = client.post(url("remove", community.slug, target.pk), follow=True)

    target.refresh_from_db()
    assert target.left_reason == LeftReason.REMOVED
    assert not target.is_current
    assert any("was removed" in m for m in messages_of(response))


def test_removing_someone_already_gone_is_404(client, community, boss):
    target = MembershipFactory(community=community)
    client.force_login(boss)
    client.post(url("remove", community.slug, target.pk))

    assert client.post(url("remove", community.slug, target.pk)).status_code == 404


def test_add_member_by_email(client, closed_community, closed_boss):
    colleague = UserFactory(email="grace@example.com")
    client.force_login(closed_boss)

    response = client.post(
        url("add_member", closed_community.slug),
        {"email": "Grace@Example.com", "role": "organizer"},
        follow=True,
    )

    membership = current(closed_community, colleague).get()
    assert membership.role == MembershipRole.ORGANIZER
    assert any("was added" in m for m in messages_of(response))


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"email": "nobody@example.com", "role": "member"}, "has an active account"),
        ({"email": "not-an-email", "role": "member"}, "valid email"),
        ({"email": "grace@example.com", "role": "emperor"}, "valid choice"),
    ],
)
def test_add_member_bad_input(client, closed_community, closed_boss, data, error):
    UserFactory(email="grace@example.com")
    client.force_login(closed_boss)
    before = Membership.objects.count()

    response = client.post(url("add_member", closed_community.slug), data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert Membership.objects.count() == before


def test_add_existing_member_says_so(client, closed_community, closed_boss):
    client.force_login(closed_boss)

    response = client.post(
        url("add_member", closed_community.slug), {"email": closed_boss.email, "role": "member"}
    )

    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    assert Membership.objects.filter(person=closed_boss).count() == 1


def test_next_is_only_followed_within_the_site(client, community, boss):
    target = MembershipFactory(community=community)
    client.force_login(boss)

    response = client.post(
        url("change_role", community.slug, target.pk),
        {"role": "leader", "next": "https://evil.example.com/"},
    )

    assert response["Location"] == url("manage", community.slug)
