"""The metrics API: each endpoint, who may call it (401/403/404), its figures equal to the
dashboard's own (`build_panel` on the same filters), bad filters (422 in the house format),
an empty period, and the OpenAPI schema."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.metrics.models import CohortCell, CommunityDay, CommunityMonth, QuestionFact
from practica.metrics.queries.filters import parse_filters
from practica.metrics.queries.panels import PANELS, build_panel, community_headlines
from tests.api.clients import API, session_client, token_client
from tests.factories.communities import CommunityFactory, MembershipFactory, ProgramFactory
from tests.factories.core import TopicFactory
from tests.factories.discussions import QuestionFactory
from tests.factories.people import OrgUnitFactory, UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]

HEADLINE_KEYS = {
    "members",
    "joined",
    "active_28d",
    "engaged_28d",
    "median_first_response_hours",
    "answered_within_24h_share",
    "unanswered_questions",
    "cross_org_answer_share",
    "events_held",
    "attendance_rate",
    "csat",
    "nps",
}


# --- Scene ---------------------------------------------------------------------------------


@pytest.fixture
def program():
    return ProgramFactory(name="Worldwide", slug="worldwide")


@pytest.fixture
def ml(program):
    return CommunityFactory(name="Machine Learning", slug="ml", program=program)


@pytest.fixture
def ai(program):
    return CommunityFactory(name="Artificial Intelligence", slug="ai", program=program)


@pytest.fixture
def manager(ml):
    return MembershipFactory(community=ml, role=MembershipRole.MANAGER).person


@pytest.fixture
def member(ml):
    return MembershipFactory(community=ml, role=MembershipRole.MEMBER).person


@pytest.fixture
def api(manager):
    return token_client(manager)


@pytest.fixture
def division():
    return OrgUnitFactory(name="Research")


def fill_days(community, *, days=10, segment="", base=100):
    """CommunityDay rows for the `days` days up to yesterday: a community growing by two a
    day, one leaving every third day."""
    today = timezone.localdate()
    for offset in range(days, 0, -1):
        index = days - offset
        CommunityDay.objects.create(
            community=community,
            segment=segment,
            day=today - timedelta(days=offset),
            members=base + 2 * index,
            joined=2 + (index % 3 == 0),
            joined_welcome_mail=1,
            joined_invitation=index % 3 == 0,
            joined_organic=1,
            left_community=index % 3 == 0,
            left_company=0,
            new_members_30d=2 * index,
            active_1d=10 + index,
            active_28d=40 + index,
            engaged_28d=20 + index,
        )


def fill_months(community, *, months=4):
    """CommunityMonth and CohortCell rows for the last `months` months, and three questions
    (one answered in two hours, one in two days, one unanswered) asked ten days ago."""
    first = timezone.localdate().replace(day=1)
    starts = []
    for _index in range(months):
        starts.insert(0, first)
        first = (first - timedelta(days=1)).replace(day=1)
    for index, month in enumerate(starts):
        CommunityMonth.objects.create(
            community=community,
            month=month,
            members_end=100 + 10 * index,
            active=30 + index,
            engaged=12 + index,
            peripheral=70 + 9 * index,
            kind_counts={"asked": 5 + index, "answered": 7, "attended": 3 * index},
        )
        for later in starts[index:]:
            CohortCell.objects.create(
                community=community,
                cohort=month,
                month=later,
                size=10 + index,
                active=7 - starts.index(later) + index,
                censored=starts.index(later) - index,
            )
    asked_at = timezone.now() - timedelta(days=10)
    for seconds in (2 * 3600, 2 * 86400, None):
        question = QuestionFactory(community=community)
        QuestionFact.objects.create(
            thread=question,
            community=community,
            asked_at=asked_at,
            asker=question.author,
            first_response_at=None if seconds is None else asked_at + timedelta(seconds=seconds),
            first_response_seconds=seconds,
        )


def get(client, path, params=None):
    return client.get(f"{API}{path}", params or {})


def filters_for(community_ids, params=None):
    return parse_filters(params or {}, community_ids=community_ids, today=timezone.localdate())


# --- What the web computes, written as the API writes it -----------------------------------


def number(value):
    return None if value is None else float(value)


def cell(value):
    return float(value) if isinstance(value, Decimal) else value


def headline_json(headline):
    return {
        "key": headline.key,
        "label": str(headline.label),
        "unit": headline.unit,
        "value": number(headline.value),
        "n": headline.n,
        "note": str(headline.note),
    }


def series_json(series, key=None):
    return {
        "key": key or series.key,
        "label": str(series.label),
        "unit": series.unit,
        "points": [
            {"start": point.start.isoformat(), "value": number(point.value), "n": point.n}
            for point in series.points
        ],
    }


def table_json(table):
    return {
        "key": table.key,
        "title": str(table.title),
        "columns": [str(column) for column in table.columns],
        "rows": [[cell(value) for value in row] for row in table.rows],
    }


def assert_panel_equals_web(body, panel):
    assert body["key"] == panel.key
    assert body["title"] == str(panel.title)
    assert body["headlines"] == [headline_json(headline) for headline in panel.headlines]
    by_key = {series["key"]: series for series in body["series"]}
    for chart, chart_body in zip(panel.charts, body["charts"], strict=True):
        assert chart_body["kind"] == chart.kind
        assert chart_body["table"] == (chart.table.key if chart.table else None)
        for series, key in zip(chart.series, chart_body["series"], strict=True):
            assert key == series.key
            assert by_key[key] == series_json(series, key)
    tables = {table["key"]: table for table in body["tables"]}
    for table in panel.tables:
        assert tables[table.key] == table_json(table)
    assert body["is_empty"] == panel.is_empty


# --- Who may call --------------------------------------------------------------------------

COMMUNITY_PATHS = [
    "/metrics/communities/ml/panels",
    "/metrics/communities/ml/panels/growth",
    "/metrics/communities/ml/headlines",
]


@pytest.mark.parametrize("path", COMMUNITY_PATHS)
def test_anonymous_callers_are_refused(ml, path):
    response = Client().get(f"{API}{path}")

    assert response.status_code == 401


@pytest.mark.parametrize("path", COMMUNITY_PATHS)
def test_a_plain_member_is_refused_in_the_house_format(member, path):
    response = get(token_client(member), path)

    assert response.status_code == 403
    assert response.json() == {
        "detail": "The community's numbers are for its manager, leadership team and "
        "executive sponsor."
    }


@pytest.mark.parametrize(
    "role", [MembershipRole.MANAGER, MembershipRole.LEADER, MembershipRole.EXECUTIVE_SPONSOR]
)
def test_the_leadership_reads_the_numbers(ml, role):
    leader = MembershipFactory(community=ml, role=role).person

    assert get(token_client(leader), "/metrics/communities/ml/headlines").status_code == 200


def test_staff_and_the_browser_session_read_the_numbers(ml):
    staff = UserFactory(is_staff=True)

    response = get(session_client(staff), "/metrics/communities/ml/panels/growth")

    assert response.status_code == 200
    assert response.json()["community"] == {"id": ml.pk, "slug": "ml", "name": "Machine Learning"}


@pytest.mark.parametrize(
    "path",
    [
        "/metrics/communities/nope/panels",
        "/metrics/communities/nope/headlines",
        "/metrics/communities/ml/panels/nope",
        "/metrics/communities/ml/panels/nope/series/members",
        "/metrics/communities/ml/panels/growth/series/nope",
        "/metrics/communities/ml/panels/growth/tables/nope",
        "/metrics/programs/nope/comparison",
    ],
)
def test_unknown_communities_panels_series_and_tables_are_404(api, path):
    response = get(api, path)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_leader_of_another_community_gets_403_not_the_numbers(ml, ai):
    outsider = MembershipFactory(community=ai, role=MembershipRole.MANAGER).person

    response = get(token_client(outsider), "/metrics/communities/ml/panels")

    assert response.status_code == 403


# --- The figures ---------------------------------------------------------------------------


def test_every_panel_in_order_with_the_filters_applied(api, ml):
    fill_days(ml)

    body = get(api, "/metrics/communities/ml/panels", {"period": "30d"}).json()

    assert [panel["key"] for panel in body["panels"]] == list(PANELS)
    filters = filters_for([ml.pk], {"period": "30d"})
    assert body["filters"] == {
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
        "granularity": filters.granularity,
        "org_unit": None,
        "role": "",
        "topic": None,
        "buckets": [bucket.isoformat() for bucket in filters.buckets()],
    }
    for panel_body in body["panels"]:
        assert_panel_equals_web(panel_body, build_panel(panel_body["key"], filters))


@pytest.mark.parametrize("params", [{}, {"period": "90d", "granularity": "month"}])
def test_every_panel_over_months_of_rollups_equals_the_dashboards(api, ml, params):
    fill_days(ml, days=40)
    fill_months(ml)

    body = get(api, "/metrics/communities/ml/panels", params).json()

    filters = filters_for([ml.pk], params)
    for panel_body in body["panels"]:
        assert_panel_equals_web(panel_body, build_panel(panel_body["key"], filters))
    filled = {panel["key"] for panel in body["panels"] if not panel["is_empty"]}
    assert {"growth", "participation", "response_times"} <= filled


def test_a_panel_equals_the_dashboards(api, ml):
    fill_days(ml)
    params = {"period": "30d", "granularity": "week"}

    body = get(api, "/metrics/communities/ml/panels/growth", params).json()

    panel = build_panel("growth", filters_for([ml.pk], params))
    assert_panel_equals_web(body["panel"], panel)
    assert body["filters"]["granularity"] == "week"
    # The rows built above are there to be read: the growth panel is not empty.
    assert not body["panel"]["is_empty"]


def test_one_series_of_a_panel_by_key(api, ml):
    fill_days(ml)
    panel = build_panel("growth", filters_for([ml.pk], {"period": "30d"}))
    series = next(series for chart in panel.charts for series in chart.series)

    body = get(
        api, f"/metrics/communities/ml/panels/growth/series/{series.key}", {"period": "30d"}
    ).json()

    assert body["panel"] == "growth"
    assert body["series"] == series_json(series)
    assert any(point["value"] is not None for point in body["series"]["points"])


def test_every_series_a_chart_draws_has_its_own_key_and_url(api, ml):
    fill_days(ml, days=40)
    fill_months(ml)
    params = {"period": "90d", "granularity": "month"}

    panel = get(api, "/metrics/communities/ml/panels/response_times", params).json()["panel"]

    keys = [series["key"] for series in panel["series"]]
    assert len(keys) == len(set(keys))
    drawn = [key for chart in panel["charts"] for key in chart["series"]]
    assert set(drawn) == set(keys)
    by_key = {series["key"]: series for series in panel["series"]}
    for key in keys:
        path = f"/metrics/communities/ml/panels/response_times/series/{key}"
        assert get(api, path, params).json()["series"] == by_key[key]


def test_one_table_of_a_panel_by_key(api, ml):
    fill_days(ml)
    panel = build_panel("growth", filters_for([ml.pk], {"period": "30d"}))
    table = panel.tables[0]

    body = get(
        api, f"/metrics/communities/ml/panels/growth/tables/{table.key}", {"period": "30d"}
    ).json()

    assert body["table"] == table_json(table)
    assert body["table"]["rows"]


def test_the_communitys_headlines(api, ml):
    fill_days(ml)

    body = get(api, "/metrics/communities/ml/headlines", {"period": "90d"}).json()

    headlines = community_headlines(filters_for([ml.pk], {"period": "90d"}))
    assert body["headlines"] == [headline_json(headline) for headline in headlines]
    assert {headline["key"] for headline in body["headlines"]} == HEADLINE_KEYS


def test_a_split_by_division_reads_that_divisions_figures(api, ml, division):
    fill_days(ml)
    fill_days(ml, segment=f"unit:{division.pk}", base=7)
    params = {"period": "30d", "org_unit": str(division.pk)}

    body = get(api, "/metrics/communities/ml/panels/growth", params).json()

    assert body["filters"]["org_unit"] == division.pk
    assert_panel_equals_web(body["panel"], build_panel("growth", filters_for([ml.pk], params)))


def test_a_split_by_role_reads_that_roles_figures(api, ml):
    fill_days(ml)
    fill_days(ml, segment="role:leader", base=3)
    params = {"period": "30d", "role": "leader"}

    body = get(api, "/metrics/communities/ml/panels", params).json()

    assert body["filters"]["role"] == "leader"
    filters = filters_for([ml.pk], params)
    for panel_body in body["panels"]:
        assert_panel_equals_web(panel_body, build_panel(panel_body["key"], filters))


def test_a_topic_narrows_the_question_figures_as_on_the_page(api, ml):
    fill_months(ml)
    topic = TopicFactory()
    QuestionFact.objects.filter(first_response_seconds__isnull=True).get().topics.add(topic)
    params = {"period": "30d", "topic": str(topic.pk)}

    body = get(api, "/metrics/communities/ml/panels/response_times", params).json()

    assert body["filters"]["topic"] == topic.pk
    panel = build_panel("response_times", filters_for([ml.pk], params))
    assert_panel_equals_web(body["panel"], panel)
    unanswered = next(h for h in body["panel"]["headlines"] if h["key"] == "unanswered_questions")
    assert unanswered["value"] == 1


def test_a_custom_period_ending_in_the_future_ends_today(api, ml):
    today = timezone.localdate()
    params = {
        "period": "custom",
        "start": (today - timedelta(days=6)).isoformat(),
        "end": (today + timedelta(days=30)).isoformat(),
    }

    body = get(api, "/metrics/communities/ml/headlines", params).json()

    assert body["filters"]["end"] == today.isoformat()
    assert body["filters"]["granularity"] == "day"
    assert len(body["filters"]["buckets"]) == 7


def test_a_period_with_no_data_is_an_empty_state_not_an_error(api, ml):
    body = get(api, "/metrics/communities/ml/panels", {"period": "all"}).json()

    for panel_body in body["panels"]:
        assert all(headline["value"] in (None, 0) for headline in panel_body["headlines"]), (
            panel_body["key"]
        )
    assert body["panels"][0]["is_empty"] is True


# --- Bad filters ---------------------------------------------------------------------------


def messages_of(response):
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["detail"]
    return [message for messages in body["errors"].values() for message in messages]


@pytest.mark.parametrize(
    "path",
    [
        "/metrics/communities/ml/panels",
        "/metrics/communities/ml/panels/growth",
        "/metrics/communities/ml/panels/growth/series/members",
        "/metrics/communities/ml/panels/growth/tables/members",
        "/metrics/communities/ml/headlines",
    ],
)
def test_an_unknown_query_parameter_is_refused(api, path):
    messages = messages_of(get(api, path, {"colour": "red"}))

    assert any("colour" in message for message in messages)


def test_the_community_parameter_is_refused_where_the_path_names_the_community(api, ml):
    messages = messages_of(get(api, "/metrics/communities/ml/headlines", {"community": "ai"}))

    assert messages == ["Unknown filter: community"]


@pytest.mark.parametrize(
    "params",
    [
        {"period": "custom", "start": "2024-05-01", "end": "2024-04-01"},  # inverted
        {"period": "custom", "start": "2024-02-30", "end": "2024-04-01"},  # no such day
        {"period": "custom"},  # no dates
        {"period": "forever"},
        {"period": "custom", "start": "1990-01-01", "end": "1991-01-01"},  # before 2000
        {"granularity": "fortnight"},
        {"start": "2001-01-01", "end": "2010-01-01", "granularity": "day"},  # > 400 buckets
        {"org_unit": "999999"},
        {"org_unit": "research"},
        {"role": "emperor"},
        {"topic": "999999"},
    ],
)
def test_bad_filters_are_422_with_the_pages_messages(api, ml, params):
    response = get(api, "/metrics/communities/ml/panels", params)

    messages = messages_of(response)
    assert messages
    assert all(message.strip() for message in messages)


def test_an_org_unit_and_a_role_together_are_refused(api, ml, division):
    params = {"org_unit": str(division.pk), "role": "member"}

    assert messages_of(get(api, "/metrics/communities/ml/panels/growth", params))


def test_an_overlong_filter_value_is_refused_before_parsing(api, ml):
    response = get(api, "/metrics/communities/ml/headlines", {"period": "x" * 500})

    assert response.status_code == 422
    assert "period" in response.json()["errors"]


# --- The program comparison ----------------------------------------------------------------


def test_the_program_compares_its_communities_and_pools_them(ml, ai, program):
    fill_days(ml)
    fill_days(ai, base=30)
    staff = UserFactory(is_staff=True)

    body = get(token_client(staff), "/metrics/programs/worldwide/comparison", {"period": "30d"})

    assert body.status_code == 200
    body = body.json()
    assert body["program"] == {"id": program.pk, "slug": "worldwide", "name": "Worldwide"}
    assert [item["community"]["slug"] for item in body["communities"]] == ["ai", "ml"]
    for item, community in zip(body["communities"], [ai, ml], strict=True):
        expected = community_headlines(filters_for([community.pk], {"period": "30d"}))
        assert item["headlines"] == [headline_json(headline) for headline in expected]
    pooled = community_headlines(filters_for([ai.pk, ml.pk], {"period": "30d"}))
    assert body["total"] == [headline_json(headline) for headline in pooled]
    members = {
        item["community"]["slug"]: next(h for h in item["headlines"] if h["key"] == "members")
        for item in body["communities"]
    }
    total_members = next(h for h in body["total"] if h["key"] == "members")
    assert total_members["value"] == members["ai"]["value"] + members["ml"]["value"]


def test_the_leadership_of_one_community_compares_the_program(ml, ai, manager):
    response = get(token_client(manager), "/metrics/programs/worldwide/comparison")

    assert response.status_code == 200
    assert len(response.json()["communities"]) == 2


def test_a_plain_member_may_not_compare_the_program(ml, member):
    response = get(token_client(member), "/metrics/programs/worldwide/comparison")

    assert response.status_code == 403
    assert "program dashboard" in response.json()["detail"]


def test_bad_filters_on_the_comparison_are_422(ml, ai):
    staff_api = token_client(UserFactory(is_staff=True))

    assert messages_of(get(staff_api, "/metrics/programs/worldwide/comparison", {"foo": "1"}))
    inverted = {"period": "custom", "start": "2024-05-01", "end": "2024-04-01"}
    assert messages_of(get(staff_api, "/metrics/programs/worldwide/comparison", inverted))


def test_a_program_without_communities_compares_nothing(program):
    staff_api = token_client(UserFactory(is_staff=True))

    body = get(staff_api, "/metrics/programs/worldwide/comparison").json()

    assert body == {
        "program": {"id": program.pk, "slug": "worldwide", "name": "Worldwide"},
        "filters": None,
        "communities": [],
        "total": [],
    }
    assert messages_of(get(staff_api, "/metrics/programs/worldwide/comparison", {"foo": "1"}))


# --- The schema ----------------------------------------------------------------------------


def test_the_metrics_endpoints_are_in_the_openapi_schema(db):
    schema = Client().get(f"{API}/openapi.json").json()
    paths = {path.removeprefix(API): item for path, item in schema["paths"].items()}

    expected = {
        "/metrics/communities/{slug}/panels",
        "/metrics/communities/{slug}/panels/{key}",
        "/metrics/communities/{slug}/panels/{key}/series/{series_key}",
        "/metrics/communities/{slug}/panels/{key}/tables/{table_key}",
        "/metrics/communities/{slug}/headlines",
        "/metrics/programs/{slug}/comparison",
    }
    assert expected <= set(paths)
    for path in expected:
        operation = paths[path]["get"]
        assert operation["tags"] == ["metrics"]
        query = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
        assert query == {"period", "start", "end", "granularity", "org_unit", "role", "topic"}
        assert {"200", "403", "404", "422"} <= set(operation["responses"])
    components = schema["components"]["schemas"]
    assert {"PointOut", "SeriesOut", "HeadlineOut", "TableOut", "ChartOut", "PanelOut"} <= set(
        components
    )
    assert components["PanelOut"]["properties"]["series"]["items"] == {
        "$ref": "#/components/schemas/SeriesOut"
    }
