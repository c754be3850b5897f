"""Inviting colleagues: the invitation, the INVITED activity and the mail with its signed link
in one transaction; every refusal (and that it leaves nothing behind); the daily allowance;
renewing an expired invitation; batches; withdrawing."""

import datetime as dt
from urllib.parse import urlparse

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import resolve
from django.utils import timezone
from django.utils.formats import date_format

from practica.communities.models import LeftReason
from practica.core.models import Activity, ActivityKind, AuditLogEntry
from practica.outreach.join_links import (
    INVITATION,
    JoinTicket,
    read_join_token,
    read_opt_out_token,
)
from practica.outreach.models import Invitation
from practica.outreach.services import invitations as services
from practica.outreach.services.invitations import (
    InvitationRefused,
    invite_colleague,
    invite_colleagues,
    split_addresses,
    withdraw_invitation,
)
from practica.outreach.services.joining import join_target
from tests.events.outbox import outbox_backend, sent_mails  # noqa: F401 — the fixture
from tests.factories.communities import MembershipFactory
from tests.factories.outreach import InvitationFactory, OptedOutAddressFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db, pytest.mark.usefixtures("outbox_backend")]


@pytest.fixture
def inviter(community):
    return MembershipFactory(
        community=community, person=UserFactory(display_name="Ada Lovelace")
    ).person


def token_of(url: str) -> str:
    match = resolve(urlparse(url).path)
    return match.kwargs["token"]


def nothing_happened():
    assert not Invitation.objects.exists()
    assert not Activity.objects.filter(kind=ActivityKind.INVITED).exists()
    assert sent_mails() == []


def refusal(community, inviter, email, **kwargs) -> InvitationRefused:
    with pytest.raises(InvitationRefused) as refused:
        invite_colleague(community=community, inviter=inviter, email=email, **kwargs)
    return refused.value


# --- Inviting ---------------------------------------------------------------------------------


def test_inviting_an_address_records_the_invitation_the_activity_and_the_mail(
    community, inviter, settings
):
    community.mission = "Practitioners of machine learning helping each other."
    community.save()
    invitation = invite_colleague(
        community=community,
        inviter=inviter,
        email="  Grace.Hopper@Example.com ",
        message="We read papers on Thursdays — come along!",
    )
    assert invitation.email == "grace.hopper@example.com"
    assert invitation.invitee is None
    assert invitation.inviter == inviter
    assert invitation.joined_at is None

    [activity] = Activity.objects.filter(kind=ActivityKind.INVITED)
    assert activity.person == inviter
    assert activity.community == community
    assert activity.subject == invitation
    assert activity.counterpart is None

    [mail] = sent_mails()
    assert mail.to == "grace.hopper@example.com"
    assert mail.subject == f"Ada Lovelace invites you to join {community.name}"
    assert "Hello," in mail.text
    assert f"Ada Lovelace ({inviter.email}) invites you to join {community.name}." in mail.text
    assert "We read papers on Thursdays — come along!" in mail.text
    assert community.mission in mail.text
    assert mail.row.headers["Reply-To"] == inviter.email
    # The signed join link names this invitation; the opt-out link this address.
    join_link = next(line for line in mail.text.splitlines() if "/join/" in line).strip()
    assert join_link.startswith(settings.SITE_URL)
    assert read_join_token(token_of(join_link)) == JoinTicket(INVITATION, invitation.pk)
    opt_out = mail.row.headers["List-Unsubscribe"].strip("<>")
    assert opt_out in mail.text
    assert read_opt_out_token(token_of(opt_out)) == "grace.hopper@example.com"
    assert mail.row.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert join_link in mail.html
    assert "We read papers on Thursdays" in mail.html


def test_the_link_leads_to_the_community_through_the_invitation(community, inviter):
    invitation = invite_colleague(community=community, inviter=inviter, email="new@example.com")
    [mail] = sent_mails()
    join_link = next(line for line in mail.text.splitlines() if "/join/" in line).strip()
    target = join_target(read_join_token(token_of(join_link)))
    assert target.invitation == invitation
    assert target.community == community


def test_an_address_with_an_account_names_the_invitee(community, inviter):
    colleague = UserFactory(email="Alan.Turing@example.com", display_name="Alan Turing")
    invitation = invite_colleague(
        community=community, inviter=inviter, email="alan.turing@EXAMPLE.com"
    )
    assert invitation.invitee == colleague
    assert invitation.email == "alan.turing@example.com"
    activity = Activity.objects.get(kind=ActivityKind.INVITED)
    assert activity.counterpart == colleague
    [mail] = sent_mails()
    assert mail.text.startswith("Hello Alan,")


def test_a_former_member_can_be_invited_back(community, inviter):
    from practica.communities.services import leave_community

    former = MembershipFactory(community=community).person
    leave_community(community=community, person=former, reason=LeftReason.LEFT_COMMUNITY)
    InvitationFactory(
        community=community,
        email=former.email,
        invitee=former,
        joined_at=timezone.now() - dt.timedelta(days=400),
    )
    invitation = invite_colleague(community=community, inviter=inviter, email=former.email)
    assert invitation.invitee == former
    assert Invitation.objects.filter(email=former.email).count() == 2


def test_staff_may_invite_without_being_members(community, staff):
    invitation = invite_colleague(community=community, inviter=staff, email="x@example.com")
    assert invitation.inviter == staff


# --- Refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    ["", "   ", "not-an-address", "a@b", "two@@example.com", "x" * 250 + "@example.com"],
)
def test_a_malformed_address_is_refused(community, inviter, email):
    refused = refusal(community, inviter, email)
    assert refused.code == services.INVALID_ADDRESS
    assert "is not an email address" in refused.message_text
    assert "email" in refused.message_dict
    nothing_happened()


def test_a_current_member_is_refused(community, inviter):
    colleague = MembershipFactory(community=community).person
    refused = refusal(community, inviter, colleague.email.upper())
    assert refused.code == services.ALREADY_MEMBER
    assert f"is already a member of {community.name}" in refused.message_text
    nothing_happened()


def test_inviting_oneself_is_refused_as_a_member(community, inviter):
    assert refusal(community, inviter, inviter.email).code == services.ALREADY_MEMBER


def test_a_pending_invitation_is_refused_with_its_date(community, inviter):
    other = MembershipFactory(community=community).person
    # 23:30 UTC ten days ago: already the next day on the inviter's clock (Europe/Berlin).
    day = timezone.now().date() - dt.timedelta(days=10)
    InvitationFactory(
        community=community,
        inviter=other,
        email="grace@example.com",
        created_at=dt.datetime.combine(day, dt.time(23, 30), tzinfo=dt.UTC),
    )
    refused = refusal(community, inviter, "Grace@Example.com")
    assert refused.code == services.ALREADY_INVITED
    shown = date_format(day + dt.timedelta(days=1), "DATE_FORMAT")
    assert refused.message_text == (
        f"grace@example.com was already invited to {community.name} on {shown}."
    )
    assert Invitation.objects.count() == 1
    assert sent_mails() == []


def test_a_pending_invitation_to_another_community_does_not_block(community, inviter):
    InvitationFactory(email="grace@example.com")
    invite_colleague(community=community, inviter=inviter, email="grace@example.com")
    assert Invitation.objects.filter(community=community).count() == 1


def test_an_opted_out_address_is_refused_neutrally(community, inviter):
    OptedOutAddressFactory(email="quiet@example.com")
    refused = refusal(community, inviter, "QUIET@example.com")
    assert refused.code == services.NOT_INVITABLE
    message = refused.message_text.lower()
    assert "opt" not in message
    assert "unsubscribe" not in message
    assert "quiet@example.com" not in message
    nothing_happened()


def test_a_deactivated_account_is_refused_as_neutrally_as_an_opt_out(community, inviter):
    UserFactory(email="gone@example.com", is_active=False)
    OptedOutAddressFactory(email="quiet@example.com")
    refused = refusal(community, inviter, "gone@example.com")
    assert refused.code == services.NOT_INVITABLE
    # A member learns nothing about who left the company: the same words as an opt-out.
    assert refused.message_text == refusal(community, inviter, "quiet@example.com").message_text
    nothing_happened()


def test_non_members_may_not_invite(community, member):
    with pytest.raises(PermissionDenied):
        invite_colleague(community=community, inviter=member, email="x@example.com")
    nothing_happened()


def test_a_deactivated_inviter_may_not_invite(community, inviter):
    inviter.is_active = False
    inviter.save()
    with pytest.raises(PermissionDenied):
        invite_colleague(community=community, inviter=inviter, email="x@example.com")


def test_a_message_too_long_is_refused_on_its_field(community, inviter):
    with pytest.raises(ValidationError) as refused:
        invite_colleague(
            community=community, inviter=inviter, email="x@example.com", message="x" * 2001
        )
    assert "message" in refused.value.message_dict
    nothing_happened()


# --- The daily allowance ----------------------------------------------------------------------


def test_the_daily_allowance_is_a_setting_and_counts_withdrawn_invitations(
    community, inviter, settings
):
    settings.OUTREACH_INVITATIONS_PER_DAY = 2
    first = invite_colleague(community=community, inviter=inviter, email="one@example.com")
    withdraw_invitation(invitation=first, actor=inviter)
    invite_colleague(community=community, inviter=inviter, email="two@example.com")
    refused = refusal(community, inviter, "three@example.com")
    assert refused.code == services.DAILY_LIMIT
    assert "2 invitations in the last 24 hours" in refused.message_text
    assert not Invitation.objects.filter(email="three@example.com").exists()
    assert len(sent_mails()) == 2
    # Another member has their own allowance.
    other = MembershipFactory(community=community).person
    invite_colleague(community=community, inviter=other, email="three@example.com")


def test_the_allowance_comes_back_after_24_hours(community, inviter, settings):
    settings.OUTREACH_INVITATIONS_PER_DAY = 1
    invite_colleague(community=community, inviter=inviter, email="one@example.com")
    refused = refusal(community, inviter, "two@example.com")
    assert refused.code == services.DAILY_LIMIT
    Activity.objects.filter(kind=ActivityKind.INVITED).update(
        occurred_at=timezone.now() - dt.timedelta(hours=24, minutes=1)
    )
    again = invite_colleague(community=community, inviter=inviter, email="two@example.com")
    assert (again.email, again.inviter) == ("two@example.com", inviter)
    assert len(sent_mails()) == 2


def test_the_default_allowance_is_25(community, inviter):
    for number in range(25):
        invite_colleague(community=community, inviter=inviter, email=f"c{number}@example.com")
    assert refusal(community, inviter, "c25@example.com").code == services.DAILY_LIMIT


# --- Renewing ---------------------------------------------------------------------------------


def test_an_expired_invitation_is_renewed_with_a_fresh_mail(community, inviter):
    first_inviter = MembershipFactory(community=community).person
    old = InvitationFactory(
        community=community,
        inviter=first_inviter,
        email="late@example.com",
        message="old note",
        created_at=timezone.now() - dt.timedelta(days=61),
        clicked_at=timezone.now() - dt.timedelta(days=60),
    )
    renewed = invite_colleague(
        community=community, inviter=inviter, email="late@example.com", message="new note"
    )
    assert renewed.pk == old.pk
    renewed.refresh_from_db()
    assert renewed.inviter == inviter
    assert renewed.message == "new note"
    assert renewed.clicked_at is None
    assert renewed.created_at > timezone.now() - dt.timedelta(minutes=1)
    [mail] = sent_mails()
    assert "new note" in mail.text


# --- Batches ----------------------------------------------------------------------------------


def test_a_batch_gives_one_result_per_address_and_one_refusal_stops_nothing(community, inviter):
    member = MembershipFactory(community=community).person
    results = invite_colleagues(
        community=community,
        inviter=inviter,
        emails=["a@example.com", "not an address", member.email, "A@example.com", "b@example.com"],
        message="Hi!",
    )
    assert [(result.email, result.invited, result.code) for result in results] == [
        ("a@example.com", True, ""),
        ("not an address", False, services.INVALID_ADDRESS),
        (member.email, False, services.ALREADY_MEMBER),
        ("b@example.com", True, ""),
    ]
    assert all(result.message for result in results if not result.invited)
    assert {mail.to for mail in sent_mails()} == {"a@example.com", "b@example.com"}


def test_a_batch_refuses_nothing_and_too_much_before_sending(community, inviter):
    with pytest.raises(ValidationError) as empty:
        invite_colleagues(community=community, inviter=inviter, emails=[])
    assert "emails" in empty.value.message_dict
    with pytest.raises(ValidationError) as too_many:
        invite_colleagues(
            community=community,
            inviter=inviter,
            emails=[f"c{n}@example.com" for n in range(51)],
        )
    assert "at most 50" in too_many.value.message_dict["emails"][0]
    with pytest.raises(ValidationError):
        invite_colleagues(
            community=community, inviter=inviter, emails=["a@example.com"], message="x" * 2001
        )
    with pytest.raises(PermissionDenied):
        invite_colleagues(community=community, inviter=UserFactory(), emails=["a@example.com"])
    nothing_happened()


def test_splitting_pasted_addresses():
    text = (
        "a@example.com\n\n  B@example.com , c@example.com;"
        "Grace Hopper <grace@example.com>\na@EXAMPLE.com\n"
    )
    assert split_addresses(text) == [
        "a@example.com",
        "B@example.com",
        "c@example.com",
        "grace@example.com",
    ]
    assert split_addresses("") == []


# --- Withdrawing ------------------------------------------------------------------------------


def test_the_inviter_withdraws_and_the_link_stops_working(community, inviter):
    invitation = invite_colleague(community=community, inviter=inviter, email="x@example.com")
    withdraw_invitation(invitation=invitation, actor=inviter)
    assert not Invitation.objects.exists()
    assert join_target(JoinTicket(INVITATION, invitation.pk)) is None
    entry = AuditLogEntry.objects.get(action="invitation_withdrawn")
    assert entry.actor == inviter
    assert entry.data["email"] == "x@example.com"
    # The activity stays: the mail went out.
    assert Activity.objects.filter(kind=ActivityKind.INVITED).count() == 1
    # Withdrawing again changes nothing.
    withdraw_invitation(invitation=invitation, actor=inviter)
    # And the address can be invited again.
    invite_colleague(community=community, inviter=inviter, email="x@example.com")


def test_only_the_inviter_withdraws(community, inviter, manager, staff):
    invitation = InvitationFactory(community=community, inviter=inviter)
    for other in (manager, staff, UserFactory()):
        with pytest.raises(PermissionDenied):
            withdraw_invitation(invitation=invitation, actor=other)
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_an_invitation_somebody_joined_with_stays(community, inviter):
    invitation = InvitationFactory(community=community, inviter=inviter, joined_at=timezone.now())
    with pytest.raises(InvitationRefused) as refused:
        withdraw_invitation(invitation=invitation, actor=inviter)
    assert refused.value.code == services.JOINED
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_joining_by_the_invitations_link_marks_it_joined(community, inviter):
    from practica.outreach.queries.invitations import sent_invitations
    from practica.outreach.services.joining import join_from_link

    invitation = invite_colleague(community=community, inviter=inviter, email="new@example.com")
    [mail] = sent_mails()
    join_link = next(line for line in mail.text.splitlines() if "/join/" in line).strip()
    newcomer = UserFactory(email="new@example.com")
    join_from_link(ticket=read_join_token(token_of(join_link)), person=newcomer)
    [mine] = sent_invitations(inviter)
    assert mine.pk == invitation.pk
    assert mine.status == "joined"
    assert mine.invitee == newcomer
    # Now a member: inviting them again is refused as such.
    assert refusal(community, inviter, "new@example.com").code == services.ALREADY_MEMBER
