"""Service-level tests of joining, leaving, requests, roles and their ledger, audit and mail."""

import importlib.util

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from practica.communities import services
from practica.communities.models import (
    Access,
    LeftReason,
    Membership,
    MembershipRequest,
    MembershipRole,
    RequestStatus,
)
from practica.core.models import Activity, ActivityKind, AuditLogEntry
from tests.concurrency import postgres_only, run_concurrently
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.unit

OUTBOX_BACKEND = "practica.mail.backends.OutboxEmailBackend"
HAS_OUTBOX = importlib.util.find_spec("practica.mail.backends") is not None


@pytest.fixture
def sent_mail(settings):
    """The mails queued so far as (to, subject, text, html) tuples, whichever backend is in use.

    With the outbox backend (another part of the foundation) each mail is an OutboundMessage row;
    until it exists the test falls back to Django's in-memory backend.
    """
    if HAS_OUTBOX:
        settings.EMAIL_BACKEND = OUTBOX_BACKEND
        from practica.mail.models import OutboundMessage

        def read():
            return [
                (m.to_email, m.subject, m.body_text, m.body_html)
                for m in OutboundMessage.objects.order_by("pk")
            ]

    else:
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

        def read():
            return [
                (
                    m.to[0],
                    m.subject,
                    m.body,
                    m.alternatives[0][0] if m.alternatives else "",
                )
                for m in mail.outbox
            ]

    return read


def activity_kinds(person, community):
    return list(
        Activity.objects.filter(person=person, community=community)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


@pytest.fixture
def community(db):
    return CommunityFactory()


@pytest.fixture
def closed_community(db):
    return CommunityFactory(name="Reading group", access=Access.CLOSED)


@pytest.fixture
def manager(closed_community):
    return MembershipFactory(
        community=closed_community,
        person=UserFactory(display_name="Mia Manager"),
        role=MembershipRole.MANAGER,
    ).person


# --- Joining and leaving -----------------------------------------------------------------


def test_join_opens_a_membership_and_records_activity(community, member):
    membership = services.join_community(community=community, person=member)

    assert membership.is_current
    assert membership.role == MembershipRole.MEMBER
    assert activity_kinds(member, community) == [ActivityKind.JOINED]


def test_join_is_idempotent(community, member):
    first = services.join_community(community=community, person=member)
    second = services.join_community(community=community, person=member)

    assert first.pk == second.pk
    assert Membership.objects.filter(community=community, person=member).count() == 1
    assert activity_kinds(member, community) == [ActivityKind.JOINED]


def test_joining_a_closed_community_is_refused(closed_community, member):
    with pytest.raises(PermissionDenied):
        services.join_community(community=closed_community, person=member)

    assert not Membership.objects.filter(community=closed_community).exists()
    assert not Activity.objects.exists()


def test_deactivated_account_cannot_join(community):
    person = UserFactory(is_active=False)

    with pytest.raises(PermissionDenied):
        services.join_community(community=community, person=person)
    assert not Membership.objects.exists()


def test_unknown_source_is_refused(community, member):
    with pytest.raises(ValidationError):
        services.join_community(community=community, person=member, source="carrier-pigeon")
    assert not Membership.objects.exists()


def test_leave_keeps_history_and_rejoining_opens_a_new_row(community, member):
    first = services.join_community(community=community, person=member)

    left = services.leave_community(community=community, person=member)
    assert left.pk == first.pk
    assert left.left_at is not None
    assert left.left_reason == LeftReason.LEFT_COMMUNITY

    again = services.join_community(community=community, person=member)
    assert again.pk != first.pk
    rows = Membership.objects.filter(community=community, person=member)
    assert rows.count() == 2
    assert rows.current().get() == again
    assert activity_kinds(member, community) == [
        ActivityKind.JOINED,
        ActivityKind.LEFT,
        ActivityKind.JOINED,
    ]


def test_leaving_when_not_a_member_is_refused(community, member):
    with pytest.raises(ValidationError):
        services.leave_community(community=community, person=member)
    assert not Activity.objects.exists()


def test_last_manager_cannot_leave_while_others_remain(community):
    boss = MembershipFactory(community=community, role=MembershipRole.MANAGER).person
    MembershipFactory(community=community)

    with pytest.raises(ValidationError):
        services.leave_community(community=community, person=boss)
    assert Membership.objects.current().filter(person=boss).exists()


def test_last_manager_may_leave_an_otherwise_empty_community(community):
    boss = MembershipFactory(community=community, role=MembershipRole.MANAGER).person

    services.leave_community(community=community, person=boss)
    assert not Membership.objects.current().filter(community=community).exists()


def test_manager_removes_a_member_with_an_audit_row(community, member):
    boss = MembershipFactory(community=community, role=MembershipRole.MANAGER).person
    services.join_community(community=community, person=member)

    membership = services.leave_community(
        community=community, person=member, actor=boss, reason=LeftReason.REMOVED
    )

    assert membership.left_reason == LeftReason.REMOVED
    entry = AuditLogEntry.objects.get(action="membership.removed")
    assert entry.actor == boss
    assert entry.data == {"person": member.pk, "reason": LeftReason.REMOVED}


def test_a_member_cannot_remove_another(community, member):
    other = MembershipFactory(community=community).person
    services.join_community(community=community, person=member)

    with pytest.raises(PermissionDenied):
        services.leave_community(
            community=community, person=other, actor=member, reason=LeftReason.REMOVED
        )
    assert Membership.objects.current().filter(person=other).exists()


# --- Roles -------------------------------------------------------------------------------


def test_role_change_records_audit_and_activity(community):
    boss = MembershipFactory(community=community, role=MembershipRole.MANAGER).person
    membership = MembershipFactory(community=community)

    changed = services.change_member_role(
        membership=membership, role=MembershipRole.LEADER, actor=boss
    )

    assert changed.role == MembershipRole.LEADER
    entry = AuditLogEntry.objects.get(action="membership.role_changed")
    assert entry.actor == boss
    assert entry.community == community
    assert entry.data == {"person": membership.person_id, "from": "member", "to": "leader"}
    activity = Activity.objects.get(kind=ActivityKind.ROLE_CHANGED)
    assert activity.person_id == membership.person_id
    assert activity.counterpart == boss


def test_last_manager_cannot_step_down(community):
    boss = MembershipFactory(community=community, role=MembershipRole.MANAGER)

    with pytest.raises(ValidationError):
        services.change_member_role(membership=boss, role=MembershipRole.MEMBER, actor=boss.person)
    boss.refresh_from_db()
    assert boss.role == MembershipRole.MANAGER
    assert not AuditLogEntry.objects.exists()


def test_a_manager_may_step_down_when_another_remains(community):
    boss = MembershipFactory(community=community, role=MembershipRole.MANAGER)
    MembershipFactory(community=community, role=MembershipRole.LEADER)

    services.change_member_role(membership=boss, role=MembershipRole.MEMBER, actor=boss.person)
    boss.refresh_from_db()
    assert boss.role == MembershipRole.MEMBER


def test_unknown_role_is_refused(community):
    boss = MembershipFactory(community=community, role=MembershipRole.MANAGER)
    membership = MembershipFactory(community=community)

    with pytest.raises(ValidationError):
        services.change_member_role(membership=membership, role="emperor", actor=boss.person)
    membership.refresh_from_db()
    assert membership.role == MembershipRole.MEMBER


def test_a_member_cannot_change_roles(community):
    membership = MembershipFactory(community=community)
    other = MembershipFactory(community=community)

    with pytest.raises(PermissionDenied):
        services.change_member_role(
            membership=other, role=MembershipRole.MANAGER, actor=membership.person
        )


def test_add_member_by_a_manager_is_audited(closed_community, manager, member):
    membership = services.add_member(
        community=closed_community, person=member, actor=manager, role=MembershipRole.ORGANIZER
    )

    assert membership.role == MembershipRole.ORGANIZER
    assert AuditLogEntry.objects.filter(action="membership.added", actor=manager).count() == 1
    assert activity_kinds(member, closed_community) == [ActivityKind.JOINED]


# --- Requests to join a closed community -------------------------------------------------


def test_request_then_approve_creates_membership_and_mails(
    closed_community, manager, member, sent_mail
):
    join_request = services.request_to_join(
        community=closed_community, person=member, message="I run the Tuesday paper club."
    )
    assert join_request.status == RequestStatus.PENDING
    [to_manager] = sent_mail()
    assert to_manager[0] == manager.email
    assert member.display_name in to_manager[1]
    assert "I run the Tuesday paper club." in to_manager[2]
    assert f"/communities/{closed_community.slug}/manage/" in to_manager[2]

    membership = services.approve_membership_request(join_request=join_request, actor=manager)

    assert membership.is_current
    assert membership.person == member
    join_request.refresh_from_db()
    assert join_request.status == RequestStatus.APPROVED
    assert join_request.decided_by == manager
    approval = sent_mail()[-1]
    assert approval[0] == member.email
    assert closed_community.name in approval[1]
    assert f"/communities/{closed_community.slug}/" in approval[2]
    assert closed_community.name in approval[3]
    assert activity_kinds(member, closed_community) == [
        ActivityKind.REQUESTED_TO_JOIN,
        ActivityKind.JOINED,
    ]
    assert AuditLogEntry.objects.filter(action="membership_request.approved").count() == 1


def test_asking_twice_returns_the_pending_request(closed_community, manager, member, sent_mail):
    first = services.request_to_join(community=closed_community, person=member)
    second = services.request_to_join(community=closed_community, person=member)

    assert first.pk == second.pk
    assert MembershipRequest.objects.count() == 1
    assert len(sent_mail()) == 1


def test_requesting_an_open_community_is_refused(community, member):
    with pytest.raises(ValidationError):
        services.request_to_join(community=community, person=member)
    assert not MembershipRequest.objects.exists()


def test_oversize_request_message_is_refused(closed_community, member):
    with pytest.raises(ValidationError):
        services.request_to_join(community=closed_community, person=member, message="x" * 2001)
    assert not MembershipRequest.objects.exists()


def test_approving_twice_is_refused(closed_community, manager, member, sent_mail):
    join_request = services.request_to_join(community=closed_community, person=member)
    services.approve_membership_request(join_request=join_request, actor=manager)
    mails = len(sent_mail())

    with pytest.raises(ValidationError):
        services.approve_membership_request(join_request=join_request, actor=manager)
    assert Membership.objects.filter(community=closed_community, person=member).count() == 1
    assert len(sent_mail()) == mails


def test_only_managers_decide(closed_community, manager, member):
    join_request = services.request_to_join(community=closed_community, person=member)
    outsider = UserFactory()

    with pytest.raises(PermissionDenied):
        services.approve_membership_request(join_request=join_request, actor=outsider)
    join_request.refresh_from_db()
    assert join_request.status == RequestStatus.PENDING


def test_decline_mails_the_reason(closed_community, manager, member, sent_mail):
    join_request = services.request_to_join(community=closed_community, person=member)

    services.decline_membership_request(
        join_request=join_request, actor=manager, reason="Only for the reading group's authors."
    )

    join_request.refresh_from_db()
    assert join_request.status == RequestStatus.DECLINED
    assert not Membership.objects.filter(person=member).exists()
    decline = sent_mail()[-1]
    assert decline[0] == member.email
    # Plain text is not HTML-escaped: the apostrophe arrives as written.
    assert "Only for the reading group's authors." in decline[2]


def test_withdraw_by_the_requester_only(closed_community, manager, member):
    join_request = services.request_to_join(community=closed_community, person=member)

    with pytest.raises(PermissionDenied):
        services.withdraw_membership_request(join_request=join_request, actor=manager)
    withdrawn = services.withdraw_membership_request(join_request=join_request, actor=member)
    assert withdrawn.status == RequestStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        services.approve_membership_request(join_request=join_request, actor=manager)


# --- Concurrency (PostgreSQL: real concurrent transactions) ------------------------------

THREADS = 10


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_joins_of_one_person_open_one_membership():
    community = CommunityFactory()
    person = UserFactory()

    errors = run_concurrently(
        [
            lambda: services.join_community(community=community, person=person)
            for _ in range(THREADS)
        ]
    )

    assert errors == []
    assert Membership.objects.current().filter(community=community, person=person).count() == 1
    assert Activity.objects.filter(person=person, kind=ActivityKind.JOINED).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_joins_of_different_people_open_one_membership_each():
    community = CommunityFactory()
    people = [UserFactory() for _ in range(THREADS)]

    errors = run_concurrently(
        [
            (lambda person=person: services.join_community(community=community, person=person))
            for person in people
        ]
    )

    assert errors == []
    for person in people:
        assert Membership.objects.current().filter(community=community, person=person).count() == 1
    assert Membership.objects.current().filter(community=community).count() == THREADS
