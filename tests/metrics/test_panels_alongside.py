"""The row-reading panels built on worker threads alongside the others: only where another
connection sees the same rows (PostgreSQL, outside a transaction), with the same figures, in
the caller's language and time zone, leaving no connection open, and with a worker's error
raised to the caller."""

import time
import zoneinfo
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection, transaction
from django.utils import timezone, translation

from practica.metrics.queries import panels
from practica.metrics.queries.filters import DashboardFilters
from tests.concurrency import postgres_only
from tests.factories.communities import CommunityFactory
from tests.factories.people import OrgUnitFactory
from tests.metrics.test_panel_collaboration import answer, at
from tests.metrics.test_panel_response_times import fact


def filters_for(community) -> DashboardFilters:
    return DashboardFilters(
        community_ids=(community.pk,),
        start=date(2026, 1, 1),
        end=date(2026, 2, 28),
        granularity="week",
    )


def some_facts():
    community = CommunityFactory(name="Machine learning")
    research, sales = OrgUnitFactory(name="Research"), OrgUnitFactory(name="Sales")
    for day, hours in ((5, 1), (12, 30), (20, None), (40, 2)):
        fact(
            community,
            asked=at(1, 1) + timedelta(days=day),
            first=timedelta(hours=hours) if hours else None,
            division=research,
        )
    # Sunday 4 January 20:00 UTC is Monday 5 January in Shanghai: another week there.
    fact(community, asked=datetime(2026, 1, 4, 20, tzinfo=UTC), first=timedelta(minutes=5))
    for day, (mine, theirs) in enumerate([(research, sales), (sales, sales), (sales, research)]):
        answer(community, answered=at(1, 10 + day), mine=mine, theirs=theirs)
    return community


def built_one_by_one(filters):
    with mock.patch.object(panels, "can_build_alongside", return_value=False):
        return panels.build_panels(filters)


@pytest.mark.django_db
def test_inside_a_transaction_panels_are_built_one_by_one():
    # Tests (and any caller inside atomic) hold rows other connections cannot see yet.
    with transaction.atomic():
        assert not panels.can_build_alongside()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_alongside_gives_the_same_panels_in_the_callers_language_and_time_zone():
    community = some_facts()
    filters = filters_for(community)
    assert panels.can_build_alongside()

    with translation.override("zh-hans"), timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        alongside = panels.build_panels(filters)
        one_by_one = built_one_by_one(filters)
    with translation.override("zh-hans"), timezone.override(UTC):
        in_utc = built_one_by_one(filters)

    assert alongside == one_by_one
    assert alongside != in_utc  # the time zone moves a question to another week
    response_times = next(panel for panel in alongside if panel.key == "response_times")
    assert response_times.title == "回答时间"
    assert not response_times.is_empty
    collaboration = next(panel for panel in alongside if panel.key == "collaboration")
    assert not collaboration.is_empty


def other_backends() -> set[int]:
    """The pids of the other client connections to the test database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return {pid for (pid,) in cursor.fetchall()}


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_workers_leave_no_connection_open():
    community = some_facts()
    before = other_backends()  # other tests' (a live server's, say) are not the workers'

    panels.build_panels(filters_for(community))

    # A closed connection's server process leaves the activity view a moment later.
    deadline = time.monotonic() + 5
    while (left := other_backends() - before) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left == set()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_workers_error_reaches_the_caller(monkeypatch):
    community = some_facts()

    def broken(_filters):
        raise RuntimeError("collaboration failed")

    monkeypatch.setitem(panels.PANELS, "collaboration", broken)
    with pytest.raises(RuntimeError, match="collaboration failed"):
        panels.build_panels(filters_for(community))
