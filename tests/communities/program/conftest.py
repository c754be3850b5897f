"""Fixtures for the program tests: a program with two sister communities and an outsider, a
fake calendar source and fake metrics (each registry emptied for the test and restored after).
"""

from datetime import UTC, datetime

import pytest

from practica.communities import calendar_sources, target_metrics
from practica.communities.models import MembershipRole
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory
from tests.factories.program import FakeCalendarSource, OfficeProgramFactory

# A fixed moment in the middle of a month, far from any DST change in Europe.
NOON = datetime(2031, 5, 14, 12, 0, tzinfo=UTC)


@pytest.fixture
def fake_calendar(monkeypatch):
    """The only registered calendar source for the test."""
    monkeypatch.setattr(calendar_sources, "_SOURCES", {})
    source = FakeCalendarSource()
    calendar_sources.register_calendar_source(source)
    return source


@pytest.fixture
def fake_metrics(monkeypatch):
    """An empty metric registry for the test; register with `fake_metrics(metric, ...)`."""
    monkeypatch.setattr(target_metrics, "_METRICS", {})

    def register(*metrics):
        for metric in metrics:
            target_metrics.register_target_metric(metric)

    return register


@pytest.fixture
def office_member(db):
    return UserFactory(display_name="Olga Office")


@pytest.fixture
def program(office_member):
    return OfficeProgramFactory(
        name="Worldwide Communities", slug="worldwide", office=[office_member]
    )


@pytest.fixture
def ml(program):
    return CommunityFactory(name="Machine Learning", slug="ml", program=program)


@pytest.fixture
def ai(program):
    return CommunityFactory(name="Artificial Intelligence", slug="ai", program=program)


@pytest.fixture
def outsider():
    """A community in no program."""
    return CommunityFactory(name="Statistics", slug="stats")


@pytest.fixture
def ml_leader(ml):
    return MembershipFactory(community=ml, role=MembershipRole.LEADER).person


@pytest.fixture
def ml_member(ml):
    return MembershipFactory(community=ml, role=MembershipRole.MEMBER).person
