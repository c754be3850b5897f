"""Ladder services: rungs (define, edit, reorder, delete, the default ladder), placement by
contributions, a manager's say-so, and asking a member to contribute."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from practica.communities.ladder import services
from practica.communities.ladder.contributions import ANSWERED, PRESENTED, REVIEWED
from practica.communities.models import (
    ContributionAsk,
    LadderRung,
    LadderStep,
    LadderStepSource,
    LeftReason,
    MembershipRole,
    OpportunityStatus,
)
from practica.communities.services import leave_community
from practica.core.models import ActivityKind, AuditLogEntry
from tests.events.outbox import sent_mails
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.ladder import (
    ContributionAskFactory,
    LadderRungFactory,
    LadderStepFactory,
    LedgerRowFactory,
    OpportunityFactory,
)
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def _ladder(community):
    return list(
        LadderRung.objects.filter(community=community)
        .order_by("position")
        .values_list("name", "position")
    )


# --- Rungs ---------------------------------------------------------------------------------


def test_the_manager_adds_rungs_at_the_top(community, manager):
    services.create_rung(
        community=community, name=" Participant ", actor=manager, requirements={ANSWERED: 1}
    )
    rung = services.create_rung(
        community=community,
        name="Presenter",
        description="Has presented.",
        actor=manager,
        requirements={PRESENTED: 1, ANSWERED: 2},
    )

    assert _ladder(community) == [("Participant", 1), ("Presenter", 2)]
    # Stored in ledger order, whatever the order given.
    assert list(rung.requirements.items()) == [(ANSWERED, 2), (PRESENTED, 1)]
    assert AuditLogEntry.objects.filter(action="ladder.rung_created").count() == 2


@pytest.mark.parametrize(
    ("requirements", "message"),
    [
        ({"flew": 1}, "is not a kind of contribution"),
        ({ANSWERED: 0}, "from 1 to"),
        ({ANSWERED: -3}, "from 1 to"),
        ({ANSWERED: 10_001}, "from 1 to"),
        ({ANSWERED: "3"}, "whole number"),
        ({ANSWERED: 2.5}, "whole number"),
        ({ANSWERED: True}, "whole number"),
    ],
)
def test_bad_requirements_are_refused(community, manager, requirements, message):
    with pytest.raises(ValidationError) as refusal:
        services.create_rung(
            community=community, name="Speaker", actor=manager, requirements=requirements
        )

    assert message in refusal.value.message_dict["requirements"][0]
    assert not LadderRung.objects.exists()


def test_rung_names_are_required_short_and_unique(community, manager):
    services.create_rung(community=community, name="Presenter", actor=manager)
    for name, field in [("  ", "name"), ("x" * 81, "name"), ("presenter", "name")]:
        with pytest.raises(ValidationError) as refusal:
            services.create_rung(community=community, name=name, actor=manager)
        assert field in refusal.value.message_dict
    with pytest.raises(ValidationError) as refusal:
        services.create_rung(
            community=community, name="Reviewer", description="d" * 501, actor=manager
        )
    assert "description" in refusal.value.message_dict


def test_a_ladder_has_at_most_twenty_rungs(community, manager):
    LadderRungFactory.create_batch(services.MAX_RUNGS, community=community)

    with pytest.raises(ValidationError, match="at most 20"):
        services.create_rung(community=community, name="One too many", actor=manager)


@pytest.mark.parametrize("role", [MembershipRole.LEADER, MembershipRole.MEMBER, None])
def test_only_the_manager_or_staff_edits_the_ladder(community, role):
    person = UserFactory()
    if role:
        MembershipFactory(community=community, person=person, role=role)
    rung = LadderRungFactory(community=community)

    with pytest.raises(PermissionDenied):
        services.create_rung(community=community, name="Speaker", actor=person)
    with pytest.raises(PermissionDenied):
        services.update_rung(rung=rung, name="Other", actor=person)
    with pytest.raises(PermissionDenied):
        services.delete_rung(rung=rung, actor=person)
    with pytest.raises(PermissionDenied):
        services.create_default_ladder(community=community, actor=person)
    with pytest.raises(PermissionDenied):
        services.reorder_rungs(community=community, rung_ids=[rung.pk], actor=person)
    staff = UserFactory(is_staff=True)
    assert services.create_rung(community=community, name="Speaker", actor=staff).position == 2


def test_editing_a_rung_keeps_what_is_not_given(community, manager):
    rung = services.create_rung(
        community=community,
        name="Reviewer",
        description="Reviews.",
        actor=manager,
        requirements={REVIEWED: 3},
    )

    services.update_rung(rung=rung, actor=manager, requirements={REVIEWED: 5})
    rung.refresh_from_db()
    assert (rung.name, rung.description, rung.requirements) == (
        "Reviewer",
        "Reviews.",
        {REVIEWED: 5},
    )

    services.update_rung(rung=rung, actor=manager, name="Peer reviewer", requirements={})
    rung.refresh_from_db()
    assert (rung.name, rung.requirements) == ("Peer reviewer", {})
    # Its own name again is no clash.
    services.update_rung(rung=rung, actor=manager, name="peer reviewer")


def test_the_default_ladder_in_one_go_and_only_once(community, manager):
    rungs = services.create_default_ladder(community=community, actor=manager)

    assert [rung.name for rung in rungs] == [
        "Participant",
        "Presenter",
        "Reviewer",
        "Program committee",
        "Organizer",
    ]
    assert [rung.position for rung in rungs] == [1, 2, 3, 4, 5]
    assert all(rung.requirements for rung in rungs)
    with pytest.raises(ValidationError, match="already has a ladder"):
        services.create_default_ladder(community=community, actor=manager)


def test_reordering_and_moving_rungs(community, manager):
    a, b, c = (
        services.create_rung(community=community, name=name, actor=manager)
        for name in ("A", "B", "C")
    )

    services.reorder_rungs(community=community, rung_ids=[c.pk, a.pk, b.pk], actor=manager)
    assert _ladder(community) == [("C", 1), ("A", 2), ("B", 3)]

    services.move_rung(rung=c, offset=1, actor=manager)
    assert _ladder(community) == [("A", 1), ("C", 2), ("B", 3)]
    services.move_rung(rung=a, offset=-1, actor=manager)  # already at the bottom
    assert _ladder(community) == [("A", 1), ("C", 2), ("B", 3)]
    services.move_rung(rung=b, offset=-5, actor=manager)
    assert _ladder(community) == [("B", 1), ("A", 2), ("C", 3)]


@pytest.mark.parametrize("order", ["missing", "repeated", "foreign"])
def test_a_reorder_must_name_every_rung_once(community, manager, order):
    a, b = LadderRungFactory(community=community), LadderRungFactory(community=community)
    ids = {
        "missing": [a.pk],
        "repeated": [a.pk, a.pk, b.pk],
        "foreign": [a.pk, b.pk, LadderRungFactory().pk],
    }[order]

    with pytest.raises(ValidationError) as refusal:
        services.reorder_rungs(community=community, rung_ids=ids, actor=manager)

    assert "rung_ids" in refusal.value.message_dict


def test_deleting_a_rung_closes_the_gap_but_a_rung_with_history_stays(community, manager, alice):
    a, _b, c = (
        services.create_rung(community=community, name=name, actor=manager)
        for name in ("A", "B", "C")
    )
    LadderStepFactory(rung=c, person=alice)

    services.delete_rung(rung=a, actor=manager)
    assert _ladder(community) == [("B", 1), ("C", 2)]

    with pytest.raises(ValidationError, match="stays in their history"):
        services.delete_rung(rung=c, actor=manager)
    assert _ladder(community) == [("B", 1), ("C", 2)]


class TestReorderingIsAnyPermutation(HypothesisTestCase):
    """Whatever order is asked for, the ladder ends up in it with positions 1..n."""

    @settings(max_examples=15, deadline=None)
    @given(st.permutations(range(5)))
    def test_any_permutation(self, permutation):
        community = CommunityFactory()
        manager = MembershipFactory(community=community, role=MembershipRole.MANAGER).person
        rungs = [
            services.create_rung(community=community, name=f"R{i}", actor=manager) for i in range(5)
        ]
        ids = [rungs[i].pk for i in permutation]

        services.reorder_rungs(community=community, rung_ids=ids, actor=manager)

        stored = list(
            LadderRung.objects.filter(community=community)
            .order_by("position")
            .values_list("pk", "position")
        )
        assert stored == [(pk, index + 1) for index, pk in enumerate(ids)]


# --- Placement -----------------------------------------------------------------------------


@pytest.fixture
def default_ladder(community, manager):
    return services.create_default_ladder(community=community, actor=manager)


def _rung_of(community, person):
    step = (
        LadderStep.objects.filter(community=community, person=person)
        .order_by("-reached_at", "-pk")
        .first()
    )
    return step.rung.name if step else None


def _contribute(community, person, kind, times=1, **extra):
    for _ in range(times):
        LedgerRowFactory(kind=kind, person=person, community=community, **extra)


def test_members_are_placed_on_the_highest_rung_they_earned(community, default_ladder, alice, bob):
    _contribute(community, alice, ActivityKind.ANSWERED, 4)
    _contribute(community, alice, ActivityKind.PRESENTED)
    _contribute(community, alice, ActivityKind.REVIEWED, 3)
    _contribute(community, bob, ActivityKind.ANSWERED)

    assert services.place_members_on_ladders() == 2

    assert _rung_of(community, alice) == "Reviewer"
    assert _rung_of(community, bob) == "Participant"
    # One step each, straight to the earned rung, marked as earned.
    steps = LadderStep.objects.filter(community=community)
    assert steps.count() == 2
    assert set(steps.values_list("source", flat=True)) == {LadderStepSource.EARNED}


def test_placing_again_changes_nothing_and_later_contributions_move_people_up(
    community, default_ladder, alice
):
    _contribute(community, alice, ActivityKind.ANSWERED)
    assert services.place_members_on_ladders() == 1
    assert services.place_members_on_ladders() == 0

    _contribute(community, alice, ActivityKind.PRESENTED)
    assert services.place_members_on_ladders() == 1
    assert _rung_of(community, alice) == "Presenter"
    assert LadderStep.objects.filter(person=alice).count() == 2


def test_placement_never_moves_anyone_down_nor_undoes_a_manager(
    community, default_ladder, manager, alice, bob
):
    participant, _presenter, _reviewer, committee, _organizer = default_ladder
    _contribute(community, alice, ActivityKind.PRESENTED)
    services.set_member_rung(
        community=community, person=alice, rung=committee, note="Chaired 2014.", actor=manager
    )
    _contribute(community, bob, ActivityKind.REVIEWED, 3)
    services.place_members_on_ladders()
    assert _rung_of(community, bob) == "Reviewer"
    # The manager sets Bob lower; what he had earned before does not come back by itself.
    services.set_member_rung(
        community=community, person=bob, rung=participant, note="Stepped back.", actor=manager
    )

    assert services.place_members_on_ladders() == 0
    assert _rung_of(community, alice) == "Program committee"
    assert _rung_of(community, bob) == "Participant"
    _contribute(community, bob, ActivityKind.SERVED_ON_COMMITTEE)
    assert services.place_members_on_ladders() == 1
    assert _rung_of(community, bob) == "Program committee"


def test_only_current_active_members_are_placed(community, default_ladder, alice, bob):
    outsider = UserFactory()
    _contribute(community, outsider, ActivityKind.ANSWERED)
    _contribute(community, alice, ActivityKind.ANSWERED)
    _contribute(community, bob, ActivityKind.ANSWERED)
    leave_community(community=community, person=alice, reason=LeftReason.LEFT_COMMUNITY)
    bob.is_active = False
    bob.save()

    assert services.place_members_on_ladders() == 0


def test_rungs_without_requirements_are_never_earned(community, manager, alice):
    services.create_rung(community=community, name="Friend", actor=manager)
    _contribute(community, alice, ActivityKind.ANSWERED, 50)

    assert services.place_members_on_ladders() == 0


def test_placement_covers_every_community_with_a_ladder(community, default_ladder, alice):
    other = CommunityFactory()
    other_manager = MembershipFactory(community=other, role=MembershipRole.MANAGER).person
    services.create_rung(
        community=other, name="Host", actor=other_manager, requirements={"hosted": 2}
    )
    carol = MembershipFactory(community=other).person
    _contribute(other, carol, ActivityKind.HOSTED, 2)
    _contribute(community, alice, ActivityKind.HOSTED, 2)  # earns nothing on the default ladder
    CommunityFactory()  # no ladder at all

    assert services.place_members_on_ladders() == 1
    assert _rung_of(other, carol) == "Host"
    assert _rung_of(community, alice) is None


def test_placement_of_many_members_takes_a_few_queries(
    community, default_ladder, django_assert_max_num_queries
):
    people = UserFactory.create_batch(60)
    for person in people:
        MembershipFactory(community=community, person=person)
        _contribute(community, person, ActivityKind.ANSWERED)

    with django_assert_max_num_queries(15):
        assert services.place_members_on_ladders() == 60


# --- A manager's say-so --------------------------------------------------------------------


def test_the_manager_sets_a_rung_with_a_note(community, default_ladder, manager, alice):
    committee = default_ladder[3]

    step = services.set_member_rung(
        community=community, person=alice, rung=committee, note=" Chaired 2014 ", actor=manager
    )

    assert (step.source, step.note, step.recorded_by) == (
        LadderStepSource.MANAGER,
        "Chaired 2014",
        manager,
    )
    assert AuditLogEntry.objects.get(action="ladder.rung_set").data["rung"] == committee.pk
    with pytest.raises(ValidationError, match="already on"):
        services.set_member_rung(
            community=community, person=alice, rung=committee, note="Again", actor=manager
        )


def test_setting_a_rung_is_checked(community, default_ladder, people, outsider):
    manager, leader, alice = people.manager, people.leader, people.alice
    rung = default_ladder[0]
    with pytest.raises(PermissionDenied):
        services.set_member_rung(
            community=community, person=alice, rung=rung, note="Yes", actor=leader
        )
    for person, target, note, field in [
        (alice, rung, "  ", "note"),
        (alice, rung, "n" * 301, "note"),
        (outsider, rung, "Yes", "person"),
        (alice, LadderRungFactory(), "Yes", "rung"),
    ]:
        with pytest.raises(ValidationError) as refusal:
            services.set_member_rung(
                community=community, person=person, rung=target, note=note, actor=manager
            )
        assert field in refusal.value.message_dict
    assert not LadderStep.objects.exists()


# --- Asking a member to contribute ---------------------------------------------------------


def test_the_leadership_asks_a_member_who_is_mailed(outbox_backend, community, leader, alice):
    opportunity = OpportunityFactory(community=community, title="Reviewers for 2025")

    ask = services.ask_to_contribute(
        community=community,
        person=alice,
        actor=leader,
        opportunity=opportunity,
        note="Your answers on transformers were great.",
    )

    assert (ask.asked_by, ask.opportunity, ask.note) == (
        leader,
        opportunity,
        "Your answers on transformers were great.",
    )
    [mail] = sent_mails(idempotency_key=f"contribution-ask-{ask.pk}")
    assert mail.to == alice.email
    assert "Reviewers for 2025" in mail.text
    assert "transformers were great" in mail.text
    assert "Leo Leader" in mail.subject or "Leo Leader" in mail.text
    assert AuditLogEntry.objects.filter(action="ladder.asked_to_contribute").exists()


def test_asking_twice_for_the_same_thing_soon_is_refused(community, leader, alice):
    services.ask_to_contribute(community=community, person=alice, actor=leader)

    with pytest.raises(ValidationError, match="already asked"):
        services.ask_to_contribute(community=community, person=alice, actor=leader)
    # For a call it is another request; and an old ask does not block.
    opportunity = OpportunityFactory(community=community)
    services.ask_to_contribute(
        community=community, person=alice, actor=leader, opportunity=opportunity
    )
    ContributionAsk.objects.filter(opportunity=None).update(
        asked_at=timezone.now() - timedelta(days=services.REPEAT_ASK_DAYS + 1)
    )
    services.ask_to_contribute(community=community, person=alice, actor=leader)
    assert ContributionAsk.objects.count() == 3


def test_asking_is_checked(community, leader, organizer, alice, outsider):
    with pytest.raises(PermissionDenied):
        services.ask_to_contribute(community=community, person=alice, actor=organizer)
    closed = OpportunityFactory(community=community, status=OpportunityStatus.CLOSED)
    foreign = OpportunityFactory()
    gone = MembershipFactory(community=community).person
    gone.is_active = False
    gone.save()
    for person, opportunity, note, field in [
        (outsider, None, "", "person"),
        (leader, None, "", "person"),
        (gone, None, "", "person"),
        (alice, closed, "", "opportunity"),
        (alice, foreign, "", "opportunity"),
        (alice, None, "n" * 501, "note"),
    ]:
        with pytest.raises(ValidationError) as refusal:
            services.ask_to_contribute(
                community=community,
                person=person,
                actor=leader,
                opportunity=opportunity,
                note=note,
            )
        assert field in refusal.value.message_dict
    assert not ContributionAsk.objects.exists()
    assert ContributionAskFactory(community=community).person_id
