"""The funnel page (chart, tables, filters, empty state, permissions), its CSV, and the
server-drawn SVG chart."""

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from practica.outreach.funnel_chart import funnel_bars, funnel_description, funnel_svg
from practica.outreach.queries.funnel import FunnelCounts
from tests.factories.communities import MembershipFactory
from tests.factories.outreach import CampaignFactory, FunnelRunFactory
from tests.outreach.funnel_setup import build_funnel_fixture

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def fixture(community):
    return build_funnel_fixture(community)


def page_url(community, **query):
    url = reverse("outreach:funnel", args=[community.slug])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def csv_url(community, **query):
    url = reverse("outreach:funnel_csv", args=[community.slug])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def test_the_manager_sees_the_chart_and_both_tables(fixture, manager):
    response = client_for(manager).get(page_url(fixture.community))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<svg class="funnel-chart"' in html
    assert 'role="img"' in html
    assert 'aria-labelledby="funnel-chart-title funnel-chart-desc"' in html
    assert '<title id="funnel-chart-title">Welcome funnel: All campaigns of' in html
    # The totals over the three runs: 14 HR joiners, 10 mailed (71.4 %).
    assert re.search(r"<th scope=\"row\">HR joiners</th>\s*<td[^>]*>14</td>", html)
    assert "71.4 %" in html
    months = response.context["months"]
    assert [(month.period.isoformat(), month.campaign_name) for month in months] == [
        ("2026-02-01", "Spring welcome"),
        ("2026-01-01", "Monthly welcome"),
        ("2025-12-01", "Monthly welcome"),
    ]
    assert "83.3 %" in html  # January's clicked ÷ delivered, in the month table
    assert "Download CSV" in html


def test_filters_by_campaign_and_months(fixture, manager):
    response = client_for(manager).get(
        page_url(
            fixture.community,
            campaign=fixture.welcome.pk,
            period_from="2026-01",
            period_to="2026-01",
        )
    )
    assert response.status_code == 200
    [january] = response.context["months"]
    assert january.mailed == 8
    assert response.context["totals"].months == 1
    assert "Welcome funnel: Monthly welcome, 2026-01" in response.content.decode()


def test_an_inverted_period_is_a_400_with_the_message_on_the_form(fixture, manager):
    response = client_for(manager).get(
        page_url(fixture.community, period_from="2026-02", period_to="2025-12")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "before it starts" in html
    assert '<svg class="funnel-chart"' not in html
    assert response.context["totals"] is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("period_from", "2026-13"), ("period_to", "last-year"), ("campaign", "999999")],
)
def test_bad_filters_are_a_400_not_a_500(fixture, manager, field, value):
    response = client_for(manager).get(page_url(fixture.community, **{field: value}))
    assert response.status_code == 400
    assert response.context["form"].errors[field]


def test_another_communitys_campaign_is_not_a_choice(fixture, manager):
    response = client_for(manager).get(
        page_url(fixture.community, campaign=fixture.other_campaign.pk)
    )
    assert response.status_code == 400
    assert "campaign" in response.context["form"].errors


def test_the_empty_state_when_no_campaign_ran(community, manager):
    CampaignFactory(community=community)
    response = client_for(manager).get(page_url(community))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No welcome campaign has run yet" in html
    assert '<svg class="funnel-chart"' not in html
    assert "Download CSV" not in html


def test_the_empty_state_of_a_filter_says_so(fixture, manager):
    response = client_for(manager).get(page_url(fixture.community, period_from="2030-01"))
    assert response.status_code == 200
    assert "No campaign ran in these months" in response.content.decode()


def test_members_and_strangers_are_refused(fixture, member):
    plain_member = MembershipFactory(community=fixture.community).person
    assert client_for(plain_member).get(page_url(fixture.community)).status_code == 403
    assert client_for(member).get(page_url(fixture.community)).status_code == 403
    assert client_for(member).get(csv_url(fixture.community)).status_code == 403
    anonymous = Client().get(page_url(fixture.community))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("people:login"))


def test_staff_may_look(fixture, staff):
    assert client_for(staff).get(page_url(fixture.community)).status_code == 200


def test_the_page_reads_a_bounded_number_of_queries(
    fixture, manager, django_assert_max_num_queries
):
    client = client_for(manager)
    client.get(page_url(fixture.community))
    for month in range(1, 13):
        FunnelRunFactory(
            campaign=fixture.spring, period=f"2024-{month:02d}-01", audience_size=month
        )
    with django_assert_max_num_queries(12):
        response = client.get(page_url(fixture.community))
    assert len(response.context["months"]) == 15


def read_csv(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_csv_has_the_table(fixture, manager):
    response = client_for(manager).get(csv_url(fixture.community, campaign=fixture.welcome.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="funnel-{fixture.community.slug}.csv"' in response["Content-Disposition"]
    header, january, december = read_csv(response)
    assert header[:4] == ["Month", "Campaign", "HR joiners", "Mailed"]
    assert header[4] == "Mailed conversion (%)"
    assert january == [
        "2026-01",
        "Monthly welcome",
        "10",
        "8",
        "80.0",
        "6",
        "75.0",
        "5",
        "83.3",
        "3",
        "60.0",
        "2",
        "66.7",
        "1",
        "50.0",
    ]
    assert december[0] == "2025-12"
    assert december[-4:] == ["0", "", "0", ""]


def test_the_csv_quotes_what_a_spreadsheet_would_run(community, manager):
    campaign = CampaignFactory(community=community, name='=HYPERLINK("http://x")')
    FunnelRunFactory(campaign=campaign, audience_size=1)
    response = client_for(manager).get(csv_url(community))
    [_header, row] = read_csv(response)
    assert row[1] == '\'=HYPERLINK("http://x")'


def test_the_csv_refuses_bad_filters_with_a_400(fixture, manager):
    response = client_for(manager).get(
        csv_url(fixture.community, period_from="2026-03", period_to="2026-01")
    )
    assert response.status_code == 400
    assert "before it starts" in response.content.decode()


def test_the_csv_of_nothing_is_its_header(community, manager):
    rows = read_csv(client_for(manager).get(csv_url(community)))
    assert len(rows) == 1


# --- The chart --------------------------------------------------------------------------------


def test_bars_are_in_proportion_and_a_small_step_stays_visible():
    figures = FunnelCounts(
        audience=1000, mailed=800, delivered=700, clicked=2, joined=1, first_activity=0
    )
    bars = funnel_bars(figures)
    assert [bar.step.key for bar in bars][:2] == ["audience", "mailed"]
    assert bars[0].width == 330
    assert bars[1].width == 264
    assert bars[4].width == 2  # 1 of 1,000 would be a third of a pixel
    assert bars[5].width == 0
    assert len({bar.y for bar in bars}) == 7


def test_the_chart_is_described_for_screen_readers():
    figures = FunnelCounts(audience=10, mailed=8, delivered=0, clicked=0)
    description = funnel_description(figures)
    assert description.startswith("HR joiners: 10; Mailed: 8 (80.0 % of HR joiners)")
    assert "Clicked: 0 (no conversion: no Delivered)" in description


def test_the_chart_escapes_its_title():
    svg = funnel_svg(FunnelCounts(audience=1), title="<script>alert(1)</script>")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert svg.count("<rect") == 14  # a track and a bar per step
