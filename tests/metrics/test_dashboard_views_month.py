"""“My community this month” and the monthly report: who sees them, the sentences comparing
this month with last, the report's months (defaults, bounds) and its print set-up."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.metrics.dashboards.report import last_full_month
from tests.factories.communities import MembershipFactory
from tests.factories.people import UserFactory
from tests.metrics.test_dashboard_views import (  # the dashboard tests' scene
    as_manager,
    community,
    manager,
    page_text,
    plain_member,
    write_days,
)

__all__ = ["as_manager", "community", "manager", "plain_member"]

pytestmark = pytest.mark.django_db


def summary_url(community) -> str:
    return reverse("metrics:month_summary", args=[community.slug])


def report_url(community, year: int | str, month: int | str) -> str:
    return f"/metrics/communities/{community.slug}/report/{year}-{month}/"


# --- this month -------------------------------------------------------------------------------


def test_signing_in_is_needed(client, community):
    for url in (
        summary_url(community),
        reverse("metrics:latest_report", args=[community.slug]),
        report_url(community, 2025, "01"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("people:login"))


def test_every_member_sees_the_month_but_not_the_dashboard_link(client, community, plain_member):
    write_days(community, days=70)
    client.force_login(plain_member)

    response = client.get(summary_url(community))

    assert response.status_code == 200
    page = page_text(response)
    dashboard = reverse("metrics:community_dashboard", args=[community.slug])
    assert f'href="{dashboard}"' not in page
    summary = response.context["summary"]
    today = timezone.localdate()
    assert summary.start == today.replace(day=1)
    assert summary.end == today
    assert summary.previous_end.month != today.month
    members = next(line for line in summary.lines if line.key == "members")
    # One member a day: this month's end is above last month's end (unless today is the 1st
    # and the figure is the same day's).
    assert members.direction in ("up", "same")
    assert members.sentence in page
    assert f"at the end of {summary.previous_month_name}" in members.sentence
    assert members.direction_text in page  # the change in words, not colour alone


def test_the_manager_gets_a_link_to_the_full_dashboard(as_manager, community):
    page = page_text(as_manager.get(summary_url(community)))
    dashboard = reverse("metrics:community_dashboard", args=[community.slug])
    assert f'href="{dashboard}"' in page


def test_a_month_with_no_data_has_an_empty_state(as_manager, community):
    page = page_text(as_manager.get(summary_url(community)))
    assert "No data for this month yet" in page


def test_an_outsider_is_refused_the_month(client, community):
    client.force_login(UserFactory())
    assert client.get(summary_url(community)).status_code == 403


# --- the monthly report -----------------------------------------------------------------------


def test_the_report_defaults_to_the_last_full_month(as_manager, community):
    response = as_manager.get(reverse("metrics:latest_report", args=[community.slug]))

    month = last_full_month(timezone.localdate())
    assert response.status_code == 302
    assert response["Location"] == report_url(community, f"{month.year:04d}", f"{month.month:02d}")


def test_the_report_shows_the_month_printable(as_manager, community):
    write_days(community, days=80)
    month = last_full_month(timezone.localdate())

    response = as_manager.get(report_url(community, month.year, f"{month.month:02d}"))

    assert response.status_code == 200
    page = page_text(response)
    assert response.context["month"].complete
    assert response.context["month"].start == month
    assert "metrics/report-print.css" in page
    assert "metrics/report.js" in page
    assert '<button type="button" class="btn btn-primary" data-print-report hidden>' in page
    assert "Print or save as PDF" in page
    assert "<script>" not in page  # no inline script
    assert len(response.context["panels"]) == 11
    assert "The month in figures" in page
    assert response.context["headlines"]


def test_the_report_reads_the_question_and_answer_facts_once(as_manager, community):
    # Its key figures come from the panels it shows, not from a second reading.
    month = last_full_month(timezone.localdate())
    with CaptureQueriesContext(connection) as queries:
        response = as_manager.get(report_url(community, month.year, f"{month.month:02d}"))

    assert response.status_code == 200
    for table in ('FROM "metrics_questionfact" ', 'FROM "metrics_answerfact" '):
        assert sum(table in query["sql"] for query in queries.captured_queries) == 1, table


@pytest.mark.parametrize(("year", "month"), [(2025, 13), (2025, 0), (1999, 12)])
def test_a_month_that_does_not_exist_has_no_report(as_manager, community, year, month):
    assert as_manager.get(report_url(community, year, f"{month:02d}")).status_code == 404


def test_a_future_month_has_no_report(as_manager, community):
    today = timezone.localdate()
    future = date(today.year + 1, today.month, 1)
    assert (
        as_manager.get(report_url(community, future.year, future.strftime("%m"))).status_code == 404
    )


def test_the_current_month_reports_up_to_today(as_manager, community):
    today = timezone.localdate()
    response = as_manager.get(report_url(community, today.year, today.strftime("%m")))
    assert response.status_code == 200
    assert response.context["month"].end == today
    assert "the month is not over yet" in page_text(response)


def test_the_report_is_for_the_leadership(client, community, plain_member):
    client.force_login(plain_member)
    assert client.get(report_url(community, 2025, "01")).status_code == 403
    leader = MembershipFactory(community=community, role=MembershipRole.LEADER).person
    client.force_login(leader)
    assert client.get(report_url(community, 2025, "01")).status_code == 200
