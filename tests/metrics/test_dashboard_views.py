"""The community dashboard's page, its htmx redraw and its CSV tables: who may see them, what a
bad filter shows (messages, never a 500), the empty states, and the files' content."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.metrics.models import CommunityDay
from practica.metrics.queries.panels import PANEL_TITLES
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


def write_days(community, *, days: int = 400, members_from: int = 100) -> None:
    """Daily rollup rows for the community's last `days` days: a steady growth of one member
    a day, with some activity."""
    today = timezone.localdate()
    CommunityDay.objects.bulk_create(
        CommunityDay(
            community=community,
            day=today - timedelta(days=offset),
            members=members_from + days - offset,
            joined=1,
            joined_organic=1,
            active_1d=5 + (days - offset) % 7,
            active_28d=40 + (days - offset) // 10,
            engaged_28d=20 + (days - offset) // 20,
            new_members_30d=30,
        )
        for offset in range(days)
    )


@pytest.fixture
def community(db):
    return CommunityFactory(name="Machine Learning", slug="ml")


@pytest.fixture
def manager(community):
    return MembershipFactory(community=community, role=MembershipRole.MANAGER).person


@pytest.fixture
def plain_member(community):
    return MembershipFactory(community=community, role=MembershipRole.MEMBER).person


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


def dashboard_url(target, **params) -> str:
    url = reverse("metrics:community_dashboard", args=[target.slug])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def csv_url(community, panel: str, table: str, query: str = "") -> str:
    return reverse("metrics:community_table_csv", args=[community.slug, panel, table]) + query


def page_text(response) -> str:
    return response.content.decode()


# --- who may see it ---------------------------------------------------------------------------


def test_signing_in_is_needed(client, community):
    for url in (dashboard_url(community), csv_url(community, "growth", "members")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("people:login"))


def test_a_plain_member_and_an_outsider_are_refused(client, community, plain_member):
    outsider = UserFactory()
    for person in (plain_member, outsider):
        client.force_login(person)
        page = client.get(dashboard_url(community))
        assert page.status_code == 403
        assert "This page is not available to you" in page_text(page)
        assert client.get(csv_url(community, "growth", "members")).status_code == 403


def test_the_leadership_and_staff_see_it(client, community, staff):
    leader = MembershipFactory(community=community, role=MembershipRole.LEADER).person
    sponsor = MembershipFactory(community=community, role=MembershipRole.EXECUTIVE_SPONSOR).person
    for person in (leader, sponsor, staff):
        client.force_login(person)
        assert client.get(dashboard_url(community)).status_code == 200


def test_an_unknown_community_is_not_found(as_manager):
    url = reverse("metrics:community_dashboard", args=["no-such-community"])
    assert as_manager.get(url).status_code == 404


# --- the page ---------------------------------------------------------------------------------


def test_the_dashboard_shows_every_panel_with_charts_tables_and_csv_links(as_manager, community):
    write_days(community)

    response = as_manager.get(dashboard_url(community, period="90d"))

    assert response.status_code == 200
    page = page_text(response)
    panels = response.context["panels"]
    assert [panel.key for panel in panels] == list(PANEL_TITLES)
    for key, title in PANEL_TITLES.items():
        assert f'id="panel-{key}"' in page
        assert f'href="#panel-{key}"' in page  # the table of contents
        assert str(title) in page
    growth = panels[0]
    assert not growth.is_empty
    assert growth.charts
    assert all("<svg" in chart.svg for chart in growth.charts)
    assert 'role="img"' in page
    assert "<desc" in page
    assert "<caption" in page
    assert '<th scope="col"' in page
    # Each table's CSV carries the page's filters.
    table = next(chart.table for chart in growth.charts if chart.table)
    assert table.csv_url == csv_url(community, "growth", table.key, "?period=90d")
    assert f'href="{table.csv_url}"' in page
    assert "Download CSV" in page
    # The headlines carry their n where they have one.
    assert any(headline.has_value for headline in growth.headlines)
    assert response.context["filters"].granularity == "week"
    assert "a point per week" in page


def test_an_empty_period_shows_empty_states_not_errors(as_manager, community):
    response = as_manager.get(dashboard_url(community, period="30d"))

    assert response.status_code == 200
    page = page_text(response)
    assert 'role="alert"' not in page
    panels = response.context["panels"]
    assert panels
    assert any(panel.is_empty for panel in panels)
    assert "No data for this period" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=custom&start=2026-05-01&end=2026-01-01", "before it starts"),
        ("period=custom&start=1999-01-01&end=2001-01-01", "before 1 January 2000"),
        ("period=custom&start=2001-01-01&end=2035-01-01&granularity=day", "more than"),
        ("period=custom&start=31-01-2026&end=2026-02-01", "is not a date"),
        ("period=forever", "Unknown period"),
        ("granularity=hourly", "Unknown granularity"),
        ("role=emperor", "Unknown role"),
        ("org_unit=999999", "Unknown org unit"),
        ("topic=abc", "Unknown topic"),
        ("foo=1", "Unknown filter: foo"),
        ("community=someone-else", "open the other community"),
    ],
)
def test_bad_filters_show_messages_and_no_panels(as_manager, community, query, message):
    write_days(community, days=30)

    response = as_manager.get(dashboard_url(community) + "?" + query)

    assert response.status_code == 200
    page = page_text(response)
    assert 'role="alert"' in page
    assert message in page
    assert response.context["panels"] == []
    assert "metrics-panel" not in page
    assert "No figures for these filters" in page


def test_a_preset_period_wins_over_the_dates_the_form_also_sent(as_manager, community):
    response = as_manager.get(dashboard_url(community, period="30d", start="2020-01-01", end=""))

    assert response.status_code == 200
    filters = response.context["filters"]
    assert (filters.end - filters.start).days == 29


def test_the_page_names_its_own_community_in_the_filters(as_manager, community):
    response = as_manager.get(dashboard_url(community, community=community.slug))
    assert response.context["errors"] == []


# --- htmx -------------------------------------------------------------------------------------


def test_a_filter_change_with_htmx_answers_the_panels_alone(as_manager, community):
    write_days(community)

    response = as_manager.get(dashboard_url(community, period="30d"), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    page = page_text(response)
    assert "<html" not in page
    assert "site-header" not in page
    assert 'id="panel-growth"' in page
    # The messages and the status line are swapped out of band, the form itself is not.
    assert 'id="filter-errors"' in page
    assert 'hx-swap-oob="true"' in page
    assert 'id="dashboard-status" hx-swap-oob="innerHTML"' in page
    assert "a point per day" in page
    assert "<form" not in page


def test_bad_filters_with_htmx_swap_the_messages_in(as_manager, community):
    response = as_manager.get(dashboard_url(community, foo="bar"), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    page = page_text(response)
    assert 'role="alert"' in page
    assert "Unknown filter: foo" in page
    assert "metrics-panel" not in page


def test_the_full_page_wires_the_form_to_htmx_and_works_without_it(as_manager, community):
    page = page_text(as_manager.get(dashboard_url(community)))

    assert 'method="get"' in page
    assert 'hx-get="/metrics/communities/ml/"' in page
    assert 'hx-target="#dashboard-panels"' in page
    assert 'hx-push-url="true"' in page
    assert 'aria-live="polite"' in page
    assert "htmx-indicator" in page
    assert '<label class="field-label" for="id_period">' in page


# --- CSV --------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_a_table_downloads_as_csv_with_its_columns_and_the_filters(as_manager, community):
    write_days(community)
    page = as_manager.get(dashboard_url(community, period="90d"))
    growth = page.context["panels"][0]
    table = next(chart.table for chart in growth.charts if chart.table)

    response = as_manager.get(table.csv_url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    filters = page.context["filters"]
    assert response["Content-Disposition"] == (
        f'attachment; filename="ml-growth-{table.key}-{filters.start}-{filters.end}.csv"'
    )
    rows = read_csv(response)
    assert tuple(rows[0]) == table.columns
    assert len(rows) - 1 == len(table.rows)


def test_unknown_panels_and_tables_are_not_found(as_manager, community):
    assert as_manager.get(csv_url(community, "horoscope", "members")).status_code == 404
    assert as_manager.get(csv_url(community, "growth", "no-such-table")).status_code == 404


def test_a_csv_with_bad_filters_says_why(as_manager, community):
    response = as_manager.get(csv_url(community, "growth", "members", "?period=forever"))
    assert response.status_code == 400
    assert "Unknown period" in response.content.decode()
