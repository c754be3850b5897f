"""List digests: daily and weekly, each member at about 08:00 in their own time zone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from practica.discussions.models import ThreadState
from practica.discussions.services import list_digest as services
from practica.mail.models import DeliveryMode, ListSubscription, OutboundMessage
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.discussions import DiscussionFactory, QuestionFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.unit

UTC = ZoneInfo("UTC")
# A Monday, 08:30 UTC: 08:30 in London, 16:30 in Shanghai, 03:30 in New York.
MONDAY_MORNING = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


@pytest.fixture
def community(db):
    return CommunityFactory(name="Machine Learning", slug="machine-learning")


def member(community, mode, zone="Europe/London", **fields):
    person = UserFactory(time_zone=zone, **fields)
    MembershipFactory(community=community, person=person)
    ListSubscription.objects.create(person=person, community=community, mode=mode)
    return person


def digests_to(person):
    return OutboundMessage.objects.filter(
        to_email=person.email, idempotency_key__startswith="list.digest."
    )


def test_a_daily_digest_lists_the_days_new_threads_and_the_waiting_questions(community):
    reader = member(community, DeliveryMode.DAILY)
    fresh = QuestionFactory(
        community=community,
        title="Feature stores at scale?",
        created_at=MONDAY_MORNING - timedelta(hours=3),
    )
    DiscussionFactory(
        community=community,
        title="Reading group: RLHF",
        created_at=MONDAY_MORNING - timedelta(hours=5),
    )
    old_waiting = QuestionFactory(
        community=community,
        title="GPU quotas for interns?",
        created_at=MONDAY_MORNING - timedelta(days=9),
    )
    QuestionFactory(
        community=community,
        title="Already answered long ago",
        state=ThreadState.ANSWERED,
        created_at=MONDAY_MORNING - timedelta(days=20),
    )
    QuestionFactory(
        community=community,
        title="A hidden one",
        is_hidden=True,
        created_at=MONDAY_MORNING - timedelta(hours=1),
    )

    sent = services.send_list_digests(now=MONDAY_MORNING)

    assert sent == {"daily": 1, "weekly": 0}
    digest = digests_to(reader).get()
    assert digest.subject == "[Machine Learning] Daily digest: 2 new threads"
    text = digest.body_text
    assert fresh.title in text
    assert "Reading group: RLHF" in text
    assert old_waiting.title in text.split("Waiting for an answer", 1)[1]
    assert "Already answered long ago" not in text
    assert "A hidden one" not in text
    assert "Reading group: RLHF" in digest.body_html
    assert digest.headers["List-Id"] == "Machine Learning <machine-learning.lists.example.com>"
    assert digest.headers["Auto-Submitted"] == "auto-generated"


def test_each_member_gets_theirs_at_eight_in_their_own_zone_once(community):
    london = member(community, DeliveryMode.DAILY, "Europe/London")
    shanghai = member(community, DeliveryMode.DAILY, "Asia/Shanghai")
    QuestionFactory(community=community, created_at=MONDAY_MORNING - timedelta(hours=2))

    services.send_list_digests(now=MONDAY_MORNING)
    services.send_list_digests(now=MONDAY_MORNING + timedelta(minutes=15))  # the next beat

    assert digests_to(london).count() == 1
    assert not digests_to(shanghai).exists()  # 16:30 there: that morning's window has passed
    services.send_list_digests(now=datetime(2026, 11, 24, 0, 15, tzinfo=UTC))  # 08:15 Shanghai
    assert digests_to(shanghai).count() == 1


def test_weekly_digests_go_out_on_monday_and_cover_the_week(community):
    weekly = member(community, DeliveryMode.WEEKLY)
    daily = member(community, DeliveryMode.DAILY)
    QuestionFactory(
        community=community,
        title="Asked last Wednesday",
        created_at=MONDAY_MORNING - timedelta(days=5),
    )

    tuesday = MONDAY_MORNING + timedelta(days=1)
    assert services.send_list_digests(now=tuesday)["weekly"] == 0
    services.send_list_digests(now=MONDAY_MORNING)

    digest = digests_to(weekly).get()
    assert digest.subject == "[Machine Learning] Weekly digest: 1 new thread"
    assert "Asked last Wednesday" in digest.body_text
    mondays = digests_to(daily).get(idempotency_key__endswith=".2026-11-23")
    assert "Asked last Wednesday" not in mondays.body_text.split("Waiting for an answer")[0]


def test_an_empty_period_sends_nothing_and_other_modes_get_no_digest(community):
    member(community, DeliveryMode.DAILY)
    every = member(community, DeliveryMode.EVERY)
    none = member(community, DeliveryMode.NONE)

    assert services.send_list_digests(now=MONDAY_MORNING) == {"daily": 0, "weekly": 0}

    QuestionFactory(community=community, created_at=MONDAY_MORNING - timedelta(hours=1))
    services.send_list_digests(now=MONDAY_MORNING)
    assert not digests_to(every).exists()
    assert not digests_to(none).exists()


def test_digests_are_rendered_in_the_readers_language_and_time_zone(community):
    reader = member(community, DeliveryMode.DAILY, "Asia/Shanghai", preferred_language="zh-hans")
    QuestionFactory(community=community, created_at=datetime(2026, 11, 23, 20, 0, tzinfo=UTC))

    services.send_list_digests(now=datetime(2026, 11, 24, 0, 30, tzinfo=UTC))

    digest = digests_to(reader).get()
    assert "New threads" not in digest.body_text
    assert "新" in digest.subject
