"""Rollups against a small hand-computed community: a transfer mid-period, an unanswered
question, a member who left the company, a self-answer, a rejoiner; days, months, cohorts
and facts checked by hand, and the figures read back equal to the raw definitions."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from practica.communities.models import LeftReason, MembershipRole, MembershipSource
from practica.core.models import ActivityKind
from practica.events.models import CheckInMethod, RegistrationStatus
from practica.metrics.definitions import activity, collaboration, events, membership
from practica.metrics.definitions.response_times import response_times
from practica.metrics.models import (
    AnswerFact,
    CohortCell,
    CommunityDay,
    CommunityMonth,
    EventFact,
    QuestionFact,
    RollupState,
)
from practica.metrics.rollups import day_end, rebuild_rollups
from practica.metrics.rollups.calendar import next_month
from practica.metrics.rollups.rollup_figures import (
    attendance_from_facts,
    cross_org_from_facts,
    csat_from_facts,
    response_times_from_facts,
)
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.discussions import PostFactory, QuestionFactory
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.metrics import ActivityFactory, AffiliationFactory, FeedbackFactory
from tests.factories.people import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def month(index: int) -> date:
    """The first day of month M<index>: M0 is four months before the current month."""
    first = timezone.localdate().replace(day=1)
    for _ in range(4):
        first = (first - timedelta(days=1)).replace(day=1)
    for _ in range(index):
        first = next_month(first)
    return first


def day(index: int, number: int) -> date:
    return month(index) + timedelta(days=number - 1)


def on(index: int, number: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day(index, number), datetime.min.time(), tzinfo=UTC).replace(
        hour=hour, minute=minute
    )


@pytest.fixture
def scene(db):
    division_a = OrgUnitFactory(name="Division A")
    division_b = OrgUnitFactory(name="Division B")
    group_a1 = OrgUnitFactory(name="A1", parent=division_a, kind="group")
    group_b1 = OrgUnitFactory(name="B1", parent=division_b, kind="group")
    community = CommunityFactory()
    alice = UserFactory(org_unit=group_a1)
    AffiliationFactory(person=alice, org_unit=group_a1, valid_from=date(2000, 1, 1))
    # Bob moves from A to B on M1's 15th.
    bob = UserFactory(org_unit=group_b1)
    AffiliationFactory(
        person=bob, org_unit=group_a1, valid_from=date(2000, 1, 1), valid_to=day(1, 15)
    )
    AffiliationFactory(person=bob, org_unit=group_b1, valid_from=day(1, 15))
    # Carol has no affiliation history (her User.org_unit stands in) and leaves the company.
    carol = UserFactory(org_unit=group_b1, left_on=day(1, 20))
    dave = UserFactory(is_system=True, org_unit=group_a1)
    erin = UserFactory(org_unit=None)
    MembershipFactory(community=community, person=alice, joined_at=on(0, 2))
    MembershipFactory(community=community, person=bob, joined_at=on(0, 3))
    MembershipFactory(
        community=community,
        person=carol,
        joined_at=on(1, 1, hour=0),
        left_at=on(1, 20, hour=9),
        left_reason=LeftReason.LEFT_COMPANY,
        source=MembershipSource.WELCOME_MAIL,
    )
    MembershipFactory(community=community, person=dave, joined_at=on(0, 2))
    MembershipFactory(
        community=community,
        person=erin,
        joined_at=on(0, 2),
        left_at=on(1, 2),
        left_reason=LeftReason.LEFT_COMMUNITY,
    )
    MembershipFactory(
        community=community, person=erin, joined_at=on(2, 1), role=MembershipRole.ORGANIZER
    )
    for person, kind, moment in [
        (alice, ActivityKind.ANSWERED, on(0, 5)),
        (alice, ActivityKind.ANSWERED, on(2, 10)),
        (bob, ActivityKind.VOTED, on(1, 10)),
        (bob, ActivityKind.VOTED, on(1, 20)),
        (bob, ActivityKind.ROUTED, on(0, 20)),  # not qualifying
        (carol, ActivityKind.ASKED, on(1, 5)),
        (erin, ActivityKind.REGISTERED, on(2, 3)),
        (dave, ActivityKind.ANSWERED, on(1, 10)),  # a system account: never counted
    ]:
        ActivityFactory(person=person, community=community, kind=kind, occurred_at=moment)
    # A question answered first by its asker (a self-answer), then by Bob after his move.
    answered = QuestionFactory(community=community, author=alice, created_at=on(1, 10))
    PostFactory(thread=answered, author=alice, created_at=on(1, 10, hour=11))
    bob_answer = PostFactory(thread=answered, author=bob, created_at=on(1, 16, hour=12))
    answered.first_response_at = bob_answer.created_at
    answered.save(update_fields=["first_response_at"])
    # Carol's question is never answered.
    unanswered = QuestionFactory(community=community, author=carol, created_at=on(1, 5))
    event = EventFactory(
        community=community, starts_at=on(1, 12), ends_at=on(1, 12, hour=12), created_by=alice
    )
    RegistrationFactory(event=event, person=bob, checked_in_at=on(1, 12, minute=5))
    RegistrationFactory(event=event, person=carol)
    RegistrationFactory(
        event=event,
        person=erin,
        status=RegistrationStatus.REGISTERED,
        checked_in_at=on(1, 12, minute=20),
        check_in_method=CheckInMethod.WALK_IN,
    )
    FeedbackFactory(event=event, person=bob, satisfaction=5, submitted_at=on(1, 13))
    FeedbackFactory(event=event, person=erin, satisfaction=3, submitted_at=on(1, 13))
    rebuild_rollups(community_ids=[community.pk])
    return {
        "community": community,
        "a": division_a,
        "b": division_b,
        "a1": group_a1,
        "b1": group_b1,
        "answered": answered,
        "unanswered": unanswered,
        "bob_answer": bob_answer,
        "event": event,
    }


def figures(scene, when: date, segment: str = "") -> dict:
    return CommunityDay.objects.filter(
        community=scene["community"], segment=segment, day=when
    ).values()[0]


def test_members_by_day_and_division_with_a_transfer(scene):
    a, b = f"unit:{scene['a'].pk}", f"unit:{scene['b'].pk}"
    # M1 10th: Alice, Bob (still in A), Carol (B via her User.org_unit); Erin had left.
    assert figures(scene, day(1, 10))["members"] == 3
    assert figures(scene, day(1, 10), a)["members"] == 2
    assert figures(scene, day(1, 10), b)["members"] == 1
    # M1 20th: Bob is in B now; Carol left the company that morning.
    assert figures(scene, day(1, 20))["members"] == 2
    assert figures(scene, day(1, 20), a)["members"] == 1
    assert figures(scene, day(1, 20), b)["members"] == 1
    assert figures(scene, day(1, 20))["left_company"] == 1
    assert figures(scene, day(1, 2))["left_community"] == 1
    assert figures(scene, day(1, 1))["joined"] == 1
    assert figures(scene, day(1, 1))["joined_welcome_mail"] == 1
    assert figures(scene, day(2, 1))["joined"] == 1  # Erin came back
    assert figures(scene, day(2, 1), "role:organizer")["members"] == 1
    # Roles are today's: Erin is an organizer on every day, her first stint included.
    assert figures(scene, day(0, 10), "role:organizer")["members"] == 1


def test_active_and_engaged_by_day(scene):
    a, b = f"unit:{scene['a'].pk}", f"unit:{scene['b'].pk}"
    on_20th = figures(scene, day(1, 20))
    assert (on_20th["active_28d"], on_20th["engaged_28d"], on_20th["active_1d"]) == (1, 0, 1)
    assert figures(scene, day(1, 20), b)["active_28d"] == 1  # Bob, in B that day
    assert figures(scene, day(1, 20), a)["active_28d"] == 0
    # Carol asked on M1 5th: active and engaged while a member.
    on_6th = figures(scene, day(1, 6))
    assert (on_6th["active_28d"], on_6th["engaged_28d"]) == (1, 1)
    assert figures(scene, day(1, 6), b)["engaged_28d"] == 1


@pytest.mark.parametrize("number", [1, 2, 5, 10, 15, 16, 19, 20, 21, 28])
def test_days_equal_the_raw_definitions(scene, number):
    community_id = scene["community"].pk
    when = day(1, number)
    as_of = day_end(when)
    row = figures(scene, when)
    assert row["members"] == membership.members(community_id, as_of)
    assert row["new_members_30d"] == membership.new_members_30_days(community_id, as_of)
    assert row["active_28d"] == activity.active_members(community_id, as_of)
    assert row["engaged_28d"] == activity.engaged_members(community_id, as_of)


def month_row(scene, index: int, segment: str = "") -> dict:
    return CommunityMonth.objects.filter(
        community=scene["community"], segment=segment, month=month(index)
    ).values("members_end", "active", "engaged", "peripheral", "kind_counts")[0]


def test_months_by_hand(scene):
    assert month_row(scene, 0) == {
        "members_end": 3,
        "active": 1,
        "engaged": 1,
        "peripheral": 2,
        "kind_counts": {"answered": 1},
    }
    # Carol asked in M1 but had left by its end: not counted.
    assert month_row(scene, 1) == {
        "members_end": 2,
        "active": 1,
        "engaged": 0,
        "peripheral": 1,
        "kind_counts": {"voted": 1},
    }
    assert month_row(scene, 2) == {
        "members_end": 3,
        "active": 2,
        "engaged": 1,
        "peripheral": 1,
        "kind_counts": {"answered": 1, "registered": 1},
    }
    assert month_row(scene, 1, f"unit:{scene['b'].pk}")["active"] == 1  # Bob, in B by then
    assert month_row(scene, 2, "role:organizer")["members_end"] == 1


def test_cohorts_by_hand(scene):
    cells = {
        (cell.cohort, cell.month): (cell.size, cell.active, cell.censored)
        for cell in CohortCell.objects.filter(community=scene["community"])
    }
    assert cells[(month(0), month(0))] == (3, 1, 0)  # Alice, Bob, Erin; Alice active
    assert cells[(month(0), month(1))] == (3, 1, 0)  # Bob; Erin was a member but idle
    assert cells[(month(0), month(2))] == (3, 2, 0)  # Alice and Erin (back)
    assert cells[(month(0), month(3))] == (3, 0, 0)
    assert cells[(month(1), month(1))] == (1, 1, 0)  # Carol
    assert cells[(month(1), month(2))] == (1, 0, 1)  # she left the company: censored
    assert cells[(month(1), month(4))] == (1, 0, 1)
    assert (month(1), month(0)) not in cells


def test_question_facts(scene):
    answered = QuestionFact.objects.get(thread=scene["answered"])
    # Alice's own follow-up is no response; Bob's is, six days later.
    assert answered.first_response_at == on(1, 16, hour=12)
    assert answered.first_response_seconds == 6 * 86400 + 2 * 3600
    assert answered.asker_unit == scene["a1"]
    assert answered.asker_division == scene["a"]
    unanswered = QuestionFact.objects.get(thread=scene["unanswered"])
    assert unanswered.first_response_at is None
    assert unanswered.first_response_seconds is None
    assert unanswered.asker_unit == scene["b1"]  # no history: her opening post's org unit


def test_answer_facts_leave_out_self_answers(scene):
    answers = list(AnswerFact.objects.filter(community=scene["community"]))
    assert [fact.post_id for fact in answers] == [scene["bob_answer"].pk]
    # Bob answered after his move: B1 as of the answer; Alice (A1) as of the question.
    assert answers[0].answerer_unit == scene["b1"]
    assert answers[0].asker_unit == scene["a1"]


def test_event_facts(scene):
    fact = EventFact.objects.get(event=scene["event"])
    assert (fact.registered, fact.checked_in, fact.walk_ins, fact.no_shows) == (3, 2, 1, 1)
    assert fact.took_attendance
    # Organizer Alice (A); Bob was still in A that day; Erin's division is unknown.
    assert (fact.attendees_compared, fact.attendees_cross_org) == (1, 0)
    assert (fact.feedback, fact.satisfied) == (2, 1)
    assert fact.score_counts == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1}


@pytest.mark.parametrize("number", [4, 10, 12, 16, 25])
def test_facts_equal_the_raw_definitions(scene, number):
    community_id = scene["community"].pk
    as_of = day_end(day(1, number))
    raw = response_times(community_id, as_of)
    rolled = response_times_from_facts(community_id, as_of)
    assert (rolled.waits, rolled.median_seconds()) == (raw.waits, raw.median_seconds())
    assert rolled.unanswered == raw.unanswered
    assert cross_org_from_facts(community_id, as_of) == collaboration.cross_org_figures(
        community_id, as_of
    )
    assert attendance_from_facts(community_id, as_of) == events.attendance_figures(
        community_id, as_of
    )
    if number >= 13:  # the feedback had come in by then
        assert csat_from_facts(community_id, as_of) == events.satisfaction_figures(
            community_id, as_of
        )


def test_rollup_state_records_the_build(scene):
    state = RollupState.objects.get(community=scene["community"])
    assert state.built_through == timezone.localdate()
    assert state.built_at is not None
    assert state.last_activity_id > 0


def test_a_community_without_members_gets_no_rows(db):
    community = CommunityFactory()
    report = rebuild_rollups(community_ids=[community.pk])
    assert report.communities == 1
    assert not CommunityDay.objects.filter(community=community).exists()
    assert RollupState.objects.get(community=community).built_at is not None


def test_rebuilding_twice_gives_the_same_rows(scene):
    community = scene["community"]
    before = list(
        CommunityDay.objects.filter(community=community).order_by("segment", "day").values()
    )
    rebuild_rollups(community_ids=[community.pk])
    after = list(
        CommunityDay.objects.filter(community=community).order_by("segment", "day").values()
    )
    strip = [{k: v for k, v in row.items() if k != "id"} for row in before]
    assert strip == [{k: v for k, v in row.items() if k != "id"} for row in after]
