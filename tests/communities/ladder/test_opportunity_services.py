"""The opportunities board's services: calls opened and closed, members volunteering and
withdrawing, offers accepted and declined, with their mail, ledger and audit rows."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.communities.ladder import opportunity_services as board
from practica.communities.models import (
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Volunteer,
    VolunteerStatus,
)
from practica.core.models import Activity, ActivityKind, AuditLogEntry
from tests.events.outbox import sent_mails
from tests.factories.communities import MembershipFactory
from tests.factories.ladder import OpportunityFactory, VolunteerFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def _open(community, actor, **fields):
    values = {"kind": OpportunityKind.REVIEWERS, "title": "Reviewers wanted", **fields}
    return board.open_opportunity(community=community, actor=actor, **values)


# --- Calls ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "leader", "organizer"])
def test_those_who_run_the_community_open_calls(community, request, who):
    actor = request.getfixturevalue(who)
    closes = timezone.localdate() + timedelta(days=14)

    call = _open(
        community,
        actor,
        title="  Speakers for the May meetup ",
        kind=OpportunityKind.SPEAKERS,
        description="Twenty minutes on anything ML.",
        seats=3,
        closes_on=closes,
    )

    assert (call.title, call.seats, call.closes_on, call.created_by) == (
        "Speakers for the May meetup",
        3,
        closes,
        actor,
    )
    assert call.status == OpportunityStatus.OPEN
    assert AuditLogEntry.objects.filter(action="opportunity.opened").exists()


def test_members_and_outsiders_do_not_open_calls(community, alice, outsider):
    for actor in (alice, outsider):
        with pytest.raises(PermissionDenied):
            _open(community, actor)
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "pilots"}, "kind"),
        ({"title": "   "}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"description": "d" * 5001}, "description"),
        ({"seats": 0}, "seats"),
        ({"seats": -2}, "seats"),
        ({"seats": 1001}, "seats"),
        ({"closes_on": timezone.localdate() - timedelta(days=1)}, "closes_on"),
        ({"closes_on": timezone.localdate() + timedelta(days=800)}, "closes_on"),
    ],
)
def test_bad_calls_are_refused(community, manager, fields, field):
    with pytest.raises(ValidationError) as refusal:
        _open(community, manager, **fields)

    assert field in refusal.value.message_dict
    assert not Opportunity.objects.exists()


def test_editing_a_call(community, manager, alice, bob):
    call = _open(community, manager, seats=3)
    VolunteerFactory(opportunity=call, person=alice, status=VolunteerStatus.ACCEPTED)
    VolunteerFactory(opportunity=call, person=bob, status=VolunteerStatus.ACCEPTED)

    edited = board.update_opportunity(
        opportunity=call,
        kind=OpportunityKind.HOSTS,
        title="Hosts wanted",
        description="",
        seats=2,
        closes_on=None,
        actor=manager,
    )
    assert (edited.kind, edited.title, edited.seats) == (OpportunityKind.HOSTS, "Hosts wanted", 2)

    with pytest.raises(ValidationError, match="already accepted"):
        board.update_opportunity(
            opportunity=call,
            kind=OpportunityKind.HOSTS,
            title="Hosts wanted",
            description="",
            seats=1,
            closes_on=None,
            actor=manager,
        )


def test_a_past_closing_day_may_stay_but_not_be_set(community, manager):
    call = OpportunityFactory(
        community=community, closes_on=timezone.localdate() - timedelta(days=3)
    )
    fields = {"kind": call.kind, "description": "", "seats": None, "actor": manager}

    board.update_opportunity(opportunity=call, title="Renamed", closes_on=call.closes_on, **fields)
    with pytest.raises(ValidationError) as refusal:
        board.update_opportunity(
            opportunity=call,
            title="Renamed",
            closes_on=timezone.localdate() - timedelta(days=1),
            **fields,
        )
    assert "closes_on" in refusal.value.message_dict


def test_closing_a_call_and_closed_calls_stay_closed(community, manager, organizer, alice):
    call = _open(community, organizer)

    closed = board.close_opportunity(opportunity=call, actor=manager)
    assert closed.status == OpportunityStatus.CLOSED
    assert closed.closed_at is not None
    assert board.close_opportunity(opportunity=call, actor=manager).closed_at == closed.closed_at
    with pytest.raises(ValidationError, match="closed"):
        board.update_opportunity(
            opportunity=call,
            kind=call.kind,
            title="Reopen?",
            description="",
            seats=None,
            closes_on=None,
            actor=manager,
        )
    with pytest.raises(PermissionDenied):
        board.close_opportunity(opportunity=_open(community, manager), actor=alice)


# --- Volunteering --------------------------------------------------------------------------


def test_a_member_volunteers_and_the_author_hears(outbox_backend, community, organizer, alice):
    call = _open(community, organizer, title="Study group organizers")

    offer = board.volunteer_for_opportunity(
        opportunity=call, person=alice, message="  I ran one before. "
    )

    assert (offer.status, offer.message) == (VolunteerStatus.OFFERED, "I ran one before.")
    [mail] = sent_mails(idempotency_key=f"volunteer-{offer.pk}-offered")
    assert mail.to == organizer.email
    assert "Alice Answerer" in mail.subject
    # Again: the same offer, no second mail.
    assert board.volunteer_for_opportunity(opportunity=call, person=alice) == offer
    assert Volunteer.objects.count() == 1


def test_volunteering_refusals(community, manager, alice, outsider):
    call = _open(community, manager, seats=1)
    VolunteerFactory(opportunity=call, status=VolunteerStatus.ACCEPTED)
    with pytest.raises(ValidationError, match="All 1 places"):
        board.volunteer_for_opportunity(opportunity=call, person=alice)

    with pytest.raises(PermissionDenied, match="Join"):
        board.volunteer_for_opportunity(opportunity=_open(community, manager), person=outsider)

    closed = _open(community, manager)
    board.close_opportunity(opportunity=closed, actor=manager)
    with pytest.raises(ValidationError, match="closed"):
        board.volunteer_for_opportunity(opportunity=closed, person=alice)

    expired = OpportunityFactory(
        community=community, closes_on=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(ValidationError, match="closed on"):
        board.volunteer_for_opportunity(opportunity=expired, person=alice)

    with pytest.raises(ValidationError) as refusal:
        board.volunteer_for_opportunity(
            opportunity=_open(community, manager), person=alice, message="m" * 1001
        )
    assert "message" in refusal.value.message_dict

    gone = MembershipFactory(community=community).person
    gone.is_active = False
    gone.save()
    with pytest.raises(PermissionDenied):
        board.volunteer_for_opportunity(opportunity=_open(community, manager), person=gone)
    assert Volunteer.objects.filter(person=alice).count() == 0


def test_a_call_closing_today_still_takes_offers(community, manager, alice):
    call = OpportunityFactory(community=community, closes_on=timezone.localdate())

    assert board.volunteer_for_opportunity(opportunity=call, person=alice).pk


def test_withdrawing_an_offer_and_stepping_back(community, manager, alice, bob):
    call = _open(community, manager, seats=1)
    offer = board.volunteer_for_opportunity(opportunity=call, person=alice)
    with pytest.raises(PermissionDenied):
        board.withdraw_volunteering(volunteer=offer, actor=bob)

    assert board.withdraw_volunteering(volunteer=offer, actor=alice).status == "withdrawn"
    with pytest.raises(ValidationError, match="already withdrawn"):
        board.withdraw_volunteering(volunteer=offer, actor=alice)

    # Offering again after withdrawing is a new offer; stepping back frees the place.
    again = board.volunteer_for_opportunity(opportunity=call, person=alice)
    board.accept_volunteer(volunteer=again, actor=manager)
    board.withdraw_volunteering(volunteer=again, actor=alice)
    assert AuditLogEntry.objects.filter(action="opportunity.volunteer_stepped_back").exists()
    assert board.volunteer_for_opportunity(opportunity=call, person=bob).status == "offered"


# --- Deciding ------------------------------------------------------------------------------


def test_accepting_records_the_volunteer_the_ledger_and_mails(
    outbox_backend, community, organizer, alice
):
    call = _open(community, organizer, kind=OpportunityKind.SPEAKERS, title="Speakers")
    offer = board.volunteer_for_opportunity(opportunity=call, person=alice)

    accepted = board.accept_volunteer(volunteer=offer, actor=organizer, note=" See you there ")

    assert (accepted.status, accepted.decided_by, accepted.decision_note) == (
        VolunteerStatus.ACCEPTED,
        organizer,
        "See you there",
    )
    row = Activity.objects.get(kind=ActivityKind.VOLUNTEERED)
    assert (row.person, row.community, row.counterpart, row.data) == (
        alice,
        community,
        organizer,
        {"opportunity": call.pk, "kind": "speakers"},
    )
    [mail] = sent_mails(idempotency_key=f"volunteer-{offer.pk}-accepted")
    assert mail.to == alice.email
    assert "See you there" in mail.text
    assert AuditLogEntry.objects.filter(action="opportunity.volunteer_accepted").exists()
    with pytest.raises(ValidationError, match="already accepted"):
        board.decline_volunteer(volunteer=offer, actor=organizer)


def test_declining_mails_the_volunteer_and_records_nothing_in_the_ledger(
    outbox_backend, community, manager, alice
):
    call = _open(community, manager)
    offer = board.volunteer_for_opportunity(opportunity=call, person=alice)

    board.decline_volunteer(volunteer=offer, actor=manager, note="We have enough this time.")

    offer.refresh_from_db()
    assert offer.status == VolunteerStatus.DECLINED
    [mail] = sent_mails(idempotency_key=f"volunteer-{offer.pk}-declined")
    assert "We have enough this time." in mail.text
    assert not Activity.objects.filter(kind=ActivityKind.VOLUNTEERED).exists()


def test_a_full_call_refuses_more_accepts(community, manager, alice, bob):
    call = _open(community, manager, seats=1)
    first = board.volunteer_for_opportunity(opportunity=call, person=alice)
    second = board.volunteer_for_opportunity(opportunity=call, person=bob)
    board.accept_volunteer(volunteer=first, actor=manager)

    with pytest.raises(ValidationError, match="All 1 places"):
        board.accept_volunteer(volunteer=second, actor=manager)

    second.refresh_from_db()
    assert second.status == VolunteerStatus.OFFERED
    # Declining is still possible, and so is accepting on a closed call with room.
    board.decline_volunteer(volunteer=second, actor=manager)
    roomy = _open(community, manager)
    offer = board.volunteer_for_opportunity(opportunity=roomy, person=bob)
    board.close_opportunity(opportunity=roomy, actor=manager)
    assert board.accept_volunteer(volunteer=offer, actor=manager).status == "accepted"


def test_only_those_who_run_the_board_decide(community, manager, alice, bob):
    call = _open(community, manager)
    offer = board.volunteer_for_opportunity(opportunity=call, person=alice)

    for decide in (board.accept_volunteer, board.decline_volunteer):
        with pytest.raises(PermissionDenied):
            decide(volunteer=offer, actor=bob)
        with pytest.raises(PermissionDenied):
            decide(volunteer=offer, actor=UserFactory())
    with pytest.raises(ValidationError) as refusal:
        board.accept_volunteer(volunteer=offer, actor=manager, note="n" * 501)
    assert "note" in refusal.value.message_dict
    offer.refresh_from_db()
    assert offer.status == VolunteerStatus.OFFERED
