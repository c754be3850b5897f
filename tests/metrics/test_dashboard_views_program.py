"""The program's comparison of its communities on the key figures: who sees it, the rows (each
community and the pooled total), the bar charts, the community filter and the CSV."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.metrics.dashboards.program_comparison import comparison_table, program_comparison
from practica.metrics.models import CommunityDay
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.panels import HEADLINE_KEYS
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory
from tests.factories.program import OfficeProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_member(db):
    return UserFactory(display_name="Olga Office")


@pytest.fixture
def program(office_member):
    return OfficeProgramFactory(name="Worldwide", slug="worldwide", office=[office_member])


@pytest.fixture
def ml(program):
    return CommunityFactory(name="Machine Learning", slug="ml", program=program)


@pytest.fixture
def ai(program):
    return CommunityFactory(name="Artificial Intelligence", slug="ai", program=program)


def members_on(community, day, members: int) -> None:
    CommunityDay.objects.create(community=community, day=day, members=members, joined=members)


def url(program, query: str = "") -> str:
    return reverse("metrics:program_dashboard", args=[program.slug]) + query


def csv_url(program, query: str = "") -> str:
    return reverse("metrics:program_comparison_csv", args=[program.slug]) + query


def test_signing_in_is_needed(client, program):
    for address in (url(program), csv_url(program)):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("people:login"))


def test_members_and_outsiders_are_refused(client, program, ml):
    member = MembershipFactory(community=ml, role=MembershipRole.MEMBER).person
    for person in (member, UserFactory()):
        client.force_login(person)
        assert client.get(url(program)).status_code == 403
        assert client.get(csv_url(program)).status_code == 403


def test_a_leader_of_a_community_of_the_program_sees_it(client, program, ml):
    leader = MembershipFactory(community=ml, role=MembershipRole.LEADER).person
    client.force_login(leader)
    assert client.get(url(program)).status_code == 200


def test_the_comparison_has_a_row_per_community_and_the_pooled_total(
    client, office_member, program, ml, ai
):
    today = timezone.localdate()
    members_on(ml, today - timedelta(days=1), 70)
    members_on(ai, today - timedelta(days=1), 12)
    client.force_login(office_member)

    response = client.get(url(program, "?period=30d"))

    assert response.status_code == 200
    page = response.content.decode()
    comparison = response.context["comparison"]
    assert [row.name for row in comparison.rows] == ["Artificial Intelligence", "Machine Learning"]
    assert [column.key for column in comparison.columns] == list(HEADLINE_KEYS)
    assert comparison.total.name == "Program total"
    assert "<tfoot>" in page
    assert "Program total" in page
    assert "<caption" in page
    assert '<th scope="col"' in page
    assert len(comparison.charts) == len(HEADLINE_KEYS)
    assert page.count('role="img"') >= len(HEADLINE_KEYS)
    assert reverse("metrics:community_dashboard", args=["ml"]) in page
    assert 'href="/metrics/programs/worldwide/comparison.csv?period=30d"' in page


def test_the_comparison_pools_the_communities_for_the_total(program, ml, ai):
    today = timezone.localdate()
    members_on(ml, today, 70)
    members_on(ai, today, 12)
    filters = DashboardFilters(
        community_ids=(ml.pk, ai.pk),
        start=today - timedelta(days=29),
        end=today,
        granularity="day",
    )

    comparison = program_comparison(communities=[ai, ml], filters=filters)

    joined = [row.value_of("joined").value for row in comparison.rows]
    assert joined == [Decimal(12), Decimal(70)]
    assert comparison.total.value_of("joined").value == Decimal(82)
    chart = comparison.charts[HEADLINE_KEYS.index("joined")]
    assert chart.kind == "bar"
    assert [series.label for series in chart.series] == [ai.name, ml.name]
    assert [series.points[0].value for series in chart.series] == joined
    header, rows = comparison_table(comparison)
    assert header[0] == "Community"
    assert len(header) == 1 + 2 * len(HEADLINE_KEYS)
    assert [row[0] for row in rows] == [ai.name, ml.name, "Program total"]


def test_the_community_filter_narrows_the_comparison(client, office_member, program, ml, ai):
    client.force_login(office_member)

    response = client.get(url(program, "?community=ml"))

    comparison = response.context["comparison"]
    assert [row.name for row in comparison.rows] == ["Machine Learning"]
    assert "community=ml" in response.context["csv_url"]


def test_bad_filters_show_messages(client, office_member, program, ml):
    client.force_login(office_member)

    response = client.get(url(program, "?community=nowhere&period=forever&foo=1"))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "is not a community of this program" in page
    assert "Unknown period" in page
    assert "Unknown filter: foo" in page
    assert response.context["comparison"] is None


def test_a_program_without_communities_has_an_empty_state(client, office_member, program):
    client.force_login(office_member)
    page = client.get(url(program)).content.decode()
    assert "No communities to compare yet" in page


def test_the_comparison_downloads_as_csv(client, office_member, program, ml, ai):
    today = timezone.localdate()
    members_on(ml, today, 70)
    client.force_login(office_member)

    response = client.get(csv_url(program, "?period=30d"))

    assert response.status_code == 200
    start = today - timedelta(days=29)
    assert response["Content-Disposition"] == (
        f'attachment; filename="worldwide-comparison-{start}-{today}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Community"
    assert [row[0] for row in rows[1:]] == [ai.name, ml.name, "Program total"]
    joined = rows[0].index("Joined") if "Joined" in rows[0] else None
    if joined is not None:
        assert rows[2][joined] == "70"


def test_a_csv_with_bad_filters_says_why(client, office_member, program, ml):
    client.force_login(office_member)
    response = client.get(csv_url(program, "?period=forever"))
    assert response.status_code == 400
    assert "Unknown period" in response.content.decode()


def test_the_page_says_how_the_total_pools_counts(client, office_member, program, ml, ai):
    # Counts are summed (docs/metrics.md): a person in two communities counts in each, and
    # the page must not tell the reader the opposite.
    today = timezone.localdate()
    members_on(ml, today, 70)
    members_on(ai, today, 12)
    client.force_login(office_member)
    page = client.get(url(program, "?period=30d")).content.decode()
    assert "a person in two communities counts in each" in page
    assert "counts once" not in page
