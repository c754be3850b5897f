"""The incremental update leaves the same rows as a full rebuild, and does nothing twice."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from practica.core.models import ActivityKind
from practica.metrics.models import (
    AnswerFact,
    CohortCell,
    CommunityDay,
    CommunityMonth,
    EventFact,
    QuestionFact,
    RollupState,
)
from practica.metrics.rollups import rebuild_rollups
from practica.metrics.rollups.incremental import update_rollups
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.discussions import PostFactory, QuestionFactory
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.metrics import ActivityFactory, AffiliationFactory, FeedbackFactory
from tests.factories.people import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

TABLES = (CommunityDay, CommunityMonth, CohortCell, QuestionFact, AnswerFact, EventFact)


def days_ago(days: float) -> datetime:
    return timezone.now() - timedelta(days=days)


def snapshot(community) -> dict:
    """Every rollup row of the community, without surrogate ids."""
    rows = {}
    for model in TABLES:
        values = [
            {key: value for key, value in row.items() if key != "id"}
            for row in model.objects.filter(community=community).values()
        ]
        rows[model.__name__] = sorted(values, key=repr)
    rows["topics"] = sorted(
        QuestionFact.topics.through.objects.filter(questionfact__community=community).values_list(
            "questionfact_id", "topic_id"
        )
    )
    return rows


@pytest.fixture
def community(db):
    division = OrgUnitFactory()
    community = CommunityFactory()
    for number in range(4):
        person = UserFactory(org_unit=division)
        AffiliationFactory(person=person, org_unit=division, valid_from=date(2000, 1, 1))
        MembershipFactory(community=community, person=person, joined_at=days_ago(200 - number))
        ActivityFactory(
            person=person, community=community, kind=ActivityKind.ASKED, occurred_at=days_ago(90)
        )
    rebuild_rollups(community_ids=[community.pk])
    return community


def assert_update_equals_rebuild(community):
    assert update_rollups() >= 1
    updated = snapshot(community)
    rebuild_rollups(community_ids=[community.pk])
    assert updated == snapshot(community)


def test_nothing_new_updates_nothing(community):
    assert update_rollups() == 0


def test_new_activity_in_the_past(community):
    person = UserFactory()
    MembershipFactory(community=community, person=person, joined_at=days_ago(40))
    # The services record the join in the ledger: that is how a back-dated stint is seen.
    ActivityFactory(
        person=person, community=community, kind=ActivityKind.JOINED, occurred_at=days_ago(40)
    )
    ActivityFactory(
        person=person, community=community, kind=ActivityKind.ANSWERED, occurred_at=days_ago(35)
    )
    assert_update_equals_rebuild(community)
    assert update_rollups() == 0  # idempotent


def test_new_answers_and_feedback(community):
    asker, answerer = UserFactory(), UserFactory()
    question = QuestionFactory(community=community, author=asker, created_at=days_ago(3))
    reply = PostFactory(thread=question, author=answerer, created_at=timezone.now())
    question.first_response_at = reply.created_at
    question.save(update_fields=["first_response_at"])
    event = EventFactory(community=community, starts_at=days_ago(2), ends_at=days_ago(1.9))
    RegistrationFactory(event=event, person=answerer, checked_in_at=days_ago(2))
    FeedbackFactory(event=event, person=answerer, satisfaction=4, submitted_at=timezone.now())
    assert_update_equals_rebuild(community)
    assert QuestionFact.objects.get(thread=question).first_response_at == reply.created_at


def test_days_catch_up_to_today(community):
    # As if the last build was three days ago: the days since are built.
    state = RollupState.objects.get(community=community)
    state.built_through = timezone.localdate() - timedelta(days=3)
    state.save(update_fields=["built_through"])
    CommunityDay.objects.filter(community=community, day__gt=state.built_through).delete()
    assert_update_equals_rebuild(community)


def test_a_community_never_built_is_built(db):
    community = CommunityFactory()
    person = UserFactory()
    MembershipFactory(
        community=community, person=person, joined_at=datetime(2026, 1, 5, tzinfo=UTC)
    )
    assert update_rollups() >= 1
    assert RollupState.objects.get(community=community).built_at is not None
    assert CommunityDay.objects.filter(community=community).exists()


def test_a_role_change_rebuilds_the_community(community):
    membership = community.memberships.first()
    membership.role = "leader"
    membership.save(update_fields=["role"])
    ActivityFactory(
        person=membership.person,
        community=community,
        kind=ActivityKind.ROLE_CHANGED,
        occurred_at=timezone.now(),
    )
    assert_update_equals_rebuild(community)
    assert CommunityDay.objects.filter(community=community, segment="role:leader").exists()


def test_rows_dated_later_today_do_not_update_forever(community):
    # A stint starting later today is in today's row already (a day's row is as of its end).
    MembershipFactory(community=community, joined_at=timezone.now() + timedelta(minutes=5))
    ActivityFactory(community=community, kind=ActivityKind.JOINED, occurred_at=timezone.now())
    assert update_rollups() == 1
    assert update_rollups() == 0


def test_update_rollups_task_runs_the_update(community):
    from practica.metrics.tasks import update_rollups_task

    ActivityFactory(
        person=community.memberships.first().person,
        community=community,
        kind=ActivityKind.REPLIED,
        occurred_at=days_ago(1),
    )
    assert update_rollups_task.delay().get() == 1
