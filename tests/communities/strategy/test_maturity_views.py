"""The maturity screens: the latest beside the previous with the chart, one assessment, and the
form (the manager records, the leadership reads, members are turned away)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import MaturityAssessment, MaturityCompetency
from tests.factories.strategy import MaturityAssessmentFactory

pytestmark = pytest.mark.django_db


def url(name, community, *args):
    return reverse(f"communities:{name}", args=[community.slug, *args])


def form_data(**overrides):
    data = {"assessed_on": "2021-05-01", "note": "With the leadership team."}
    for competency in MaturityCompetency:
        data[f"stage_{competency.value}"] = "3"
    data.update(overrides)
    return data


def test_the_leadership_sees_the_latest_beside_the_previous_and_the_chart(
    client, community, leader
):
    MaturityAssessmentFactory(
        community=community, assessed_on=datetime.date(2016, 6, 1), stages={"tools": 1}
    )
    latest = MaturityAssessmentFactory(
        community=community, assessed_on=datetime.date(2021, 6, 1), stages={"tools": 4}
    )
    client.force_login(leader)

    response = client.get(url("strategy_maturity", community))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="maturity-chart"' in page
    assert "up 3 stages" in page
    assert url("strategy_maturity_detail", community, latest.pk) in page
    assert url("strategy_maturity_new", community) not in page  # leaders do not record

    detail = client.get(url("strategy_maturity_detail", community, latest.pk))
    assert detail.status_code == 200
    assert "Network" in detail.content.decode()


def test_no_assessment_yet(client, community, manager):
    client.force_login(manager)

    page = client.get(url("strategy_maturity", community)).content.decode()

    assert "No assessment yet" in page
    assert "Record the first assessment" in page


def test_the_manager_records_an_assessment(client, community, manager):
    client.force_login(manager)
    assert client.get(url("strategy_maturity_new", community)).status_code == 200

    response = client.post(
        url("strategy_maturity_new", community),
        form_data(stage_tools="4", note_tools="Our own platform"),
    )

    assessment = MaturityAssessment.objects.get()
    assert response["Location"] == url("strategy_maturity_detail", community, assessment.pk)
    assert assessment.scores.get(competency="tools").note == "Our own platform"
    assert assessment.scores.get(competency="culture").stage == 3


def test_a_bad_assessment_is_shown_with_its_problems(client, community, manager):
    client.force_login(manager)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(
        url("strategy_maturity_new", community),
        form_data(assessed_on=tomorrow.isoformat(), stage_tools="7", stage_culture=""),
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert "An assessment cannot be dated in the future." in page
    assert "Select a valid choice" in page
    assert "This field is required." in page
    assert not MaturityAssessment.objects.exists()


@pytest.mark.parametrize("who", ["plain_member", "outsider"])
def test_members_do_not_see_maturity(request, client, community, who):
    assessment = MaturityAssessmentFactory(community=community)
    client.force_login(request.getfixturevalue(who))

    assert client.get(url("strategy_maturity", community)).status_code == 403
    assert client.get(url("strategy_maturity_detail", community, assessment.pk)).status_code == 403
    assert client.get(url("strategy_maturity_new", community)).status_code == 403


@pytest.mark.parametrize("who", ["leader", "sponsor"])
def test_only_the_manager_records(request, client, community, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(url("strategy_maturity_new", community)).status_code == 403
    assert client.post(url("strategy_maturity_new", community), form_data()).status_code == 403
    assert not MaturityAssessment.objects.exists()


def test_an_assessment_of_another_community_is_a_404(client, community, leader):
    other = MaturityAssessmentFactory()
    client.force_login(leader)

    assert client.get(url("strategy_maturity_detail", community, other.pk)).status_code == 404
