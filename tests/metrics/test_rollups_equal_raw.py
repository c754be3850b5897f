"""Rollups equal the raw definitions on random small communities (hypothesis).

Each example builds a community with a few people (stints with rejoins, leaving the
company, removals; transfers between divisions; system accounts), activities of every kind
at random moments including the edges of days, questions with and without first responses
(self-answers included), answers by people who moved, and events with registrations,
check-ins and feedback; rebuilds its rollups and compares every figure at several day ends.
"""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from practica.communities.models import LeftReason, MembershipRole, MembershipSource
from practica.core.models import ActivityKind
from practica.events.models import CheckInMethod, RegistrationStatus
from practica.metrics.definitions import activity, collaboration, events, membership
from practica.metrics.definitions.response_times import DAY, HOUR, response_times
from practica.metrics.rollups import day_end, rebuild_rollups
from practica.metrics.rollups.rollup_figures import (
    active_from_rollup,
    attendance_from_facts,
    cross_org_from_facts,
    csat_from_facts,
    engaged_from_rollup,
    events_held_from_facts,
    members_from_rollup,
    new_members_from_rollup,
    response_times_from_facts,
)
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.discussions import PostFactory, QASettingsFactory, QuestionFactory
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.metrics import ActivityFactory, AffiliationFactory, FeedbackFactory
from tests.factories.people import OrgUnitFactory, UserFactory

SPAN_DAYS = 40
# Moments within a day: its first and last microsecond, and times between.
DAY_TIMES = (time(0, 0), time(0, 0, 0, 1), time(11, 30), time(23, 59, 59, 999999))
KINDS = [str(kind) for kind in ActivityKind]


def base_day():
    return datetime.now(UTC).date() - timedelta(days=SPAN_DAYS + 5)


moments = st.tuples(st.integers(0, SPAN_DAYS), st.sampled_from(DAY_TIMES))
minutes = st.integers(0, 60 * 24 * 3)


def at(point) -> datetime:
    day, clock = point
    return datetime.combine(base_day() + timedelta(days=day), clock, tzinfo=UTC)


def _make_org():
    division_a = OrgUnitFactory()
    division_b = OrgUnitFactory()
    group_a1 = OrgUnitFactory(parent=division_a, kind="group")
    group_b1 = OrgUnitFactory(parent=division_b, kind="group")
    return [division_a, group_a1, division_b, group_b1]


person_plans = st.fixed_dictionaries(
    {
        "system": st.sampled_from([False, False, False, True]),
        "home": st.integers(-1, 3),
        "transfer": st.one_of(st.none(), st.tuples(st.integers(-1, 3), st.integers(0, SPAN_DAYS))),
        "left_company": st.one_of(st.none(), st.integers(0, SPAN_DAYS)),
        "stints": st.lists(
            st.tuples(
                moments,
                st.one_of(st.none(), minutes),
                st.sampled_from([r.value for r in LeftReason]),
                st.sampled_from([s.value for s in MembershipSource]),
                st.sampled_from([r.value for r in MembershipRole]),
            ),
            max_size=3,
        ),
        "activities": st.lists(st.tuples(st.sampled_from(KINDS), moments), max_size=8),
    }
)


def _make_person(plan, org, community):
    home = org[plan["home"]] if plan["home"] >= 0 else None
    person = UserFactory(is_system=plan["system"], org_unit=home, password=None)
    if plan["transfer"] is not None:
        unit_index, day = plan["transfer"]
        moved_on = base_day() + timedelta(days=day)
        AffiliationFactory(person=person, org_unit=home, valid_from=base_day(), valid_to=moved_on)
        target = org[unit_index] if unit_index >= 0 else None
        AffiliationFactory(person=person, org_unit=target, valid_from=moved_on)
    if plan["left_company"] is not None:
        person.left_on = base_day() + timedelta(days=plan["left_company"])
        person.save(update_fields=["left_on"])
    # Stints one after another: each starts after the previous one closed.
    cursor = None
    stints = sorted(plan["stints"], key=lambda stint: (stint[0][0], DAY_TIMES.index(stint[0][1])))
    for point, stay, reason, source, role in stints:
        joined = at(point)
        if cursor is not None and joined <= cursor:
            joined = cursor + timedelta(hours=1)
        left = None if stay is None else joined + timedelta(minutes=stay)
        MembershipFactory(
            community=community,
            person=person,
            joined_at=joined,
            left_at=left,
            left_reason=reason if left else "",
            source=source,
            role=role,
        )
        if left is None:
            break  # an open stint is the last one
        cursor = left
    for kind, point in plan["activities"]:
        ActivityFactory(person=person, community=community, kind=kind, occurred_at=at(point))
    return person


question_plans = st.lists(
    st.tuples(
        st.integers(0, 20),  # asker (index into people)
        moments,
        st.lists(st.tuples(st.integers(0, 20), minutes, st.booleans()), max_size=3),
        st.booleans(),  # hidden
    ),
    max_size=4,
)
event_plans = st.lists(
    st.tuples(
        moments,
        st.lists(
            st.tuples(
                st.integers(0, 20),
                st.sampled_from([s.value for s in RegistrationStatus]),
                st.sampled_from([None, "organizer", "walk_in"]),
                st.one_of(st.none(), st.integers(1, 5)),
            ),
            max_size=4,
            unique_by=lambda row: row[0],
        ),
    ),
    max_size=2,
)


def _make_questions(plans, people, community):
    for asker_index, point, replies, hidden in plans:
        asker = people[asker_index % len(people)]
        asked = at(point)
        thread = QuestionFactory(
            community=community, author=asker, created_at=asked, is_hidden=hidden
        )
        first_response = None
        for replier_index, after, post_hidden in replies:
            replier = people[replier_index % len(people)]
            posted = asked + timedelta(minutes=after)
            PostFactory(thread=thread, author=replier, created_at=posted, is_hidden=post_hidden)
            if replier != asker and (first_response is None or posted < first_response):
                first_response = posted
        if first_response is not None:
            thread.first_response_at = first_response
            thread.first_response_seconds = int((first_response - asked).total_seconds())
            thread.save(update_fields=["first_response_at", "first_response_seconds"])


def _make_events(plans, people, community):
    for point, registrations in plans:
        starts = at(point)
        event = EventFactory(
            community=community,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            created_by=people[0],
        )
        for person_index, status, check_in, score in registrations:
            person = people[person_index % len(people)]
            if any(r.person_id == person.pk for r in event.registrations.all()):
                continue
            RegistrationFactory(
                event=event,
                person=person,
                status=status,
                checked_in_at=starts + timedelta(minutes=5) if check_in else None,
                check_in_method=CheckInMethod.WALK_IN if check_in == "walk_in" else "",
            )
            if score is not None:
                FeedbackFactory(
                    event=event,
                    person=person,
                    satisfaction=score,
                    submitted_at=starts + timedelta(hours=3),
                )


def assert_day_equal(community_id, day):
    as_of = day_end(day)
    assert members_from_rollup(community_id, day) == membership.members(community_id, as_of)
    assert new_members_from_rollup(community_id, day) == membership.new_members_30_days(
        community_id, as_of
    )
    assert active_from_rollup(community_id, day) == activity.active_members(community_id, as_of)
    assert engaged_from_rollup(community_id, day) == activity.engaged_members(community_id, as_of)


def assert_facts_equal(community_id, as_of, *, feedback_complete):
    raw = response_times(community_id, as_of)
    rolled = response_times_from_facts(community_id, as_of)
    assert rolled.waits == raw.waits
    assert rolled.median_seconds() == raw.median_seconds()
    assert rolled.answered_within(HOUR) == raw.answered_within(HOUR)
    assert rolled.answered_within(DAY) == raw.answered_within(DAY)
    assert cross_org_from_facts(community_id, as_of) == collaboration.cross_org_figures(
        community_id, as_of
    )
    assert events_held_from_facts(community_id, as_of) == events.events_held_year(
        community_id, as_of
    )
    assert attendance_from_facts(community_id, as_of) == events.attendance_figures(
        community_id, as_of
    )
    if feedback_complete:
        assert csat_from_facts(community_id, as_of) == events.satisfaction_figures(
            community_id, as_of
        )


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    plans=st.lists(person_plans, min_size=1, max_size=5),
    questions=question_plans,
    event_list=event_plans,
    depth=st.integers(0, 2),
    check_days=st.lists(st.integers(-2, SPAN_DAYS + 4), min_size=2, max_size=4),
)
def test_rollups_equal_raw_definitions(plans, questions, event_list, depth, check_days):
    # Each example in its own savepoint, rolled back: examples share the test's transaction.
    with transaction.atomic():
        _check_example(plans, questions, event_list, depth, check_days)
        transaction.set_rollback(True)


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    plans=st.lists(person_plans, min_size=1, max_size=5),
    questions=question_plans,
    event_list=event_plans,
    depth=st.integers(0, 2),
    check_days=st.lists(st.integers(-2, SPAN_DAYS + 4), min_size=2, max_size=4),
)
def test_rollups_equal_raw_in_a_time_zone_with_summer_time(  # noqa: PLR0917 - hypothesis
    settings, plans, questions, event_list, depth, check_days
):
    # Days are New York's: local midnights move with summer time, day ends with them.
    settings.TIME_ZONE = "America/New_York"
    # Each example in its own savepoint, rolled back: examples share the test's transaction.
    with transaction.atomic():
        _check_example(plans, questions, event_list, depth, check_days)
        transaction.set_rollback(True)


def _check_example(plans, questions, event_list, depth, check_days):
    org = _make_org()
    community = CommunityFactory()
    QASettingsFactory(community=community, cross_org_depth=depth)
    people = [_make_person(plan, org, community) for plan in plans]
    _make_questions(questions, people, community)
    _make_events(event_list, people, community)

    rebuild_rollups(community_ids=[community.pk])

    today = timezone.localdate()
    days = {base_day() + timedelta(days=offset) for offset in check_days} | {today}
    for day in sorted(days):
        if day > today:
            continue
        assert_day_equal(community.pk, day)
        assert_facts_equal(community.pk, day_end(day), feedback_complete=day >= today)
    # A moment inside a day too: the facts hold at any as_of, not only at day ends.
    inside = day_end(min(days)) - timedelta(hours=13, minutes=7)
    assert_facts_equal(community.pk, inside, feedback_complete=False)
