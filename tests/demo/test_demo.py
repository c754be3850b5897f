"""The demo re-enacts the story: shape, roles, leavers, determinism, logins, bad input."""

import io
import zoneinfo
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from practica.communities.models import Access, Community, LeftReason, Membership, MembershipRole
from practica.core.models import Activity, ActivityKind, Topic
from practica.demo.locations import OFFICES
from practica.demo.logins import (
    ADMIN_EMAIL,
    DEMO_PASSWORD,
    LEADER_EMAIL,
    MANAGER_EMAIL,
    MEMBER_EMAIL,
)
from practica.people.models import User

N = 300
TODAY = "2026-01-15"


def load_demo(*extra: str, seed: int = 7) -> str:
    out = io.StringIO()
    call_command(
        "demo", "--members", str(N), "--seed", str(seed), "--today", TODAY, *extra, stdout=out
    )
    return out.getvalue()


def snapshot() -> list[tuple]:
    return list(
        Membership.objects.order_by("person__email", "community__slug").values_list(
            "person__email", "community__slug", "joined_at", "left_at", "role"
        )
    )


@pytest.mark.django_db
def test_the_demo_tells_the_story():
    output = load_demo()
    ml = Community.objects.get(slug="machine-learning")
    members = Membership.objects.filter(community=ml)

    first = members.order_by("joined_at").first()
    assert first.joined_at.year == 2012
    assert first.source == "founder"
    mid_2013 = members.as_of(datetime(2013, 6, 30, tzinfo=UTC)).count()
    assert 0.7 * N * 800 / 7000 <= mid_2013 <= 1.3 * N * 800 / 7000
    end_2020 = members.as_of(datetime(2020, 12, 31, 23, 59, tzinfo=UTC)).count()
    assert 0.9 * N <= end_2020 <= 1.1 * N
    early_roles = members.filter(joined_at__year__lte=2013).values_list("person__role", flat=True)
    assert list(early_roles).count("researcher") > len(early_roles) / 2

    roles = list(members.current().values_list("role", flat=True))
    assert roles.count(MembershipRole.MANAGER) == 1
    assert roles.count(MembershipRole.EXECUTIVE_SPONSOR) == 1
    assert 5 <= roles.count(MembershipRole.LEADER) <= 10
    assert roles.count(MembershipRole.ORGANIZER) >= 3

    ai = Community.objects.get(name="Artificial Intelligence")
    assert ai.founded_on.year == 2016
    assert ai.program_id == ml.program_id
    assert ml.program.name == "Communities of Practice"
    assert Community.objects.get(slug="ml-leadership-circle").access == Access.CLOSED
    assert Community.objects.filter(slug__in=["data-engineering", "responsible-ai"]).count() == 2

    leavers = User.objects.filter(left_on__isnull=False)
    assert leavers.exists()
    assert not leavers.filter(is_active=True).exists()
    assert not Membership.objects.current().filter(person__is_active=False).exists()
    assert Membership.objects.filter(left_reason=LeftReason.LEFT_COMPANY).exists()
    assert Membership.objects.filter(left_reason=LeftReason.LEFT_COMMUNITY).exists()
    assert not Membership.objects.filter(left_at__lte=F("joined_at")).exists()

    # One ledger row per join and per leave, at the membership's own dates.
    assert Activity.objects.filter(kind=ActivityKind.JOINED).count() == Membership.objects.count()
    closed = Membership.objects.filter(left_at__isnull=False)
    assert Activity.objects.filter(kind=ActivityKind.LEFT).count() == closed.count()
    sample = closed.order_by("pk").first()
    assert (
        Activity.objects.get(kind=ActivityKind.LEFT, subject_id=sample.pk).occurred_at
        == sample.left_at
    )

    assert "manager@practica.example" in output
    assert "practica-demo" in output


@pytest.mark.django_db
def test_people_are_placed_realistically():
    load_demo()
    people = User.objects.filter(is_system=False)
    assert people.count() > N
    known_zones = zoneinfo.available_timezones()
    for city, zone in people.values_list("location", "time_zone").distinct():
        assert zone in known_zones
        assert OFFICES[city].time_zone == zone
    assert people.values("country").distinct().count() >= 8
    assert not people.filter(career_level__isnull=True).exists()
    assert not people.exclude(career_level__range=(1, 10)).exists()
    assert people.exclude(job_title="").count() == people.count()
    # Active people report to active managers, and only division heads report to nobody.
    assert not User.objects.filter(is_active=True, manager__is_active=False).exists()
    assert people.filter(is_active=True, manager__isnull=True).count() <= 8
    assert 50 <= Topic.objects.count() <= 90
    assert Topic.objects.get(slug="transformers").full_name == (
        "Machine learning › Deep learning › Transformers"
    )
    assert User.objects.filter(expertise__slug="machine-translation", is_active=True).count() >= 3
    assert User.objects.filter(is_system=True).count() == 1
    assert list(User.objects.filter(is_superuser=True).values_list("email", flat=True)) == [
        ADMIN_EMAIL
    ]


@pytest.mark.django_db
def test_demo_logins_authenticate_and_fit_the_tour():
    load_demo()
    for email in (MANAGER_EMAIL, LEADER_EMAIL, MEMBER_EMAIL, ADMIN_EMAIL):
        assert authenticate(username=email, password=DEMO_PASSWORD) is not None, email
    ml = Community.objects.get(slug="machine-learning")
    manager = User.objects.get(email=MANAGER_EMAIL)
    assert not manager.is_staff
    assert ml.memberships.current().get(person=manager).role == MembershipRole.MANAGER
    leader = User.objects.get(email=LEADER_EMAIL)
    assert ml.memberships.current().get(person=leader).role == MembershipRole.LEADER
    member = User.objects.get(email=MEMBER_EMAIL)
    assert member.role == "engineer"
    assert member.hired_on > date(2025, 1, 1)
    assert ml.memberships.current().get(person=member).role == MembershipRole.MEMBER
    assert not member.memberships.filter(community__slug="responsible-ai").exists()
    assert Community.objects.get(slug="responsible-ai").access == Access.OPEN
    assert member.expertise.filter(path__startswith="/natural-language-processing/").exists()
    assert User.objects.get(email=ADMIN_EMAIL).is_superuser
    bot = User.objects.get(is_system=True)
    assert not bot.has_usable_password()


@pytest.mark.django_db
def test_same_seed_same_data_and_reset_reloads():
    load_demo()
    first = snapshot()
    people = list(User.objects.order_by("email").values_list("email", "display_name", "hired_on"))

    again = load_demo()
    assert "already loaded" in again
    assert snapshot() == first

    load_demo("--reset")
    assert snapshot() == first
    assert (
        list(User.objects.order_by("email").values_list("email", "display_name", "hired_on"))
        == people
    )

    load_demo("--reset", seed=8)
    assert snapshot() != first


@pytest.mark.django_db
@pytest.mark.parametrize("members", ["0", "-5"])
def test_members_must_be_positive(members):
    with pytest.raises(CommandError, match="positive"):
        call_command("demo", "--members", members, stdout=io.StringIO())
    assert not Community.objects.exists()
