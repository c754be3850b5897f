"""The pulse survey API: listing, scheduling and cancelling for the manager, results for the
leadership (comments for the manager only), answering with a token and no sign-in; 403 for
the wrong person, 404 for the unknown, 422 in the house format for bad input."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.mail.models import OutboundMessage
from practica.metrics.models import PulseInvitation, PulseStatus, PulseSurvey
from practica.metrics.surveys.services import send_pulse
from tests.api.clients import API, session_client, token_client
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.metrics import PulseInvitationFactory, PulseSurveyFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"/metrics/pulses/answer/([A-Za-z0-9_-]+)/(\d+)/")


def call(client, method, path, data=None):
    if method == "get":
        return client.get(f"{API}{path}", data or {})
    return getattr(client, method)(f"{API}{path}", data or {}, content_type="application/json")


@pytest.fixture
def community():
    return CommunityFactory()


def with_role(community, role):
    person = UserFactory()
    MembershipFactory(community=community, person=person, role=role)
    return person


@pytest.fixture
def manager(community):
    return with_role(community, MembershipRole.MANAGER)


def test_the_manager_schedules_lists_and_cancels(community, manager):
    client = token_client(manager)
    send_at = timezone.now() + timedelta(days=1)
    response = call(
        client,
        "post",
        f"/metrics/communities/{community.slug}/pulses",
        {"sample_size": 40, "send_at": send_at.isoformat()},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "scheduled"
    assert body["sample_size"] == 40
    assert body["question"] == "How likely are you to recommend this community to a colleague?"
    assert body["community"]["slug"] == community.slug
    survey = PulseSurvey.objects.get()
    assert survey.closes_at - survey.send_at == timedelta(days=14)

    listing = call(client, "get", f"/metrics/communities/{community.slug}/pulses")
    assert listing.status_code == 200
    assert listing.json()["count"] == 1
    assert listing.json()["items"][0]["id"] == survey.pk

    cancelled = call(client, "post", f"/metrics/pulses/{survey.pk}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"sample_size": 0}, "sample_size"),
        ({"sample_size": "many"}, "sample_size"),
        ({"sample_size": True}, "sample_size"),  # not "1 person"
        ({"question": ""}, "question"),
        ({"closes_at": "2020-01-01T00:00:00Z"}, "closes_at"),
        ({"send_at": "2001-01-01T00:00:00Z"}, "send_at"),
        # The calendar's last day: refused as too far ahead, not a crash on adding 14 days.
        ({"send_at": "9999-12-31T23:59:59Z"}, "send_at"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(community, manager, payload, field):
    response = call(
        token_client(manager), "post", f"/metrics/communities/{community.slug}/pulses", payload
    )
    assert response.status_code == 422
    body = response.json()
    assert field in body["errors"]
    assert body["detail"]
    assert not PulseSurvey.objects.exists()


@pytest.mark.parametrize("role", [MembershipRole.MEMBER, MembershipRole.LEADER])
def test_others_may_not_schedule_or_cancel(community, role):
    client = token_client(with_role(community, role))
    response = call(client, "post", f"/metrics/communities/{community.slug}/pulses", {})
    assert response.status_code == 403
    assert "community manager" in response.json()["detail"]
    survey = PulseSurveyFactory(community=community)
    assert call(client, "post", f"/metrics/pulses/{survey.pk}/cancel").status_code == 403
    survey.refresh_from_db()
    assert survey.status == PulseStatus.SCHEDULED


def test_members_may_not_list_or_read_results(community):
    client = token_client(with_role(community, MembershipRole.MEMBER))
    survey = PulseSurveyFactory(community=community)
    assert call(client, "get", f"/metrics/communities/{community.slug}/pulses").status_code == 403
    assert call(client, "get", f"/metrics/pulses/{survey.pk}").status_code == 403


def test_signed_out_callers_get_401_and_unknowns_404(community, manager):
    assert call(Client(), "get", f"/metrics/communities/{community.slug}/pulses").status_code == 401
    client = token_client(manager)
    assert call(client, "get", "/metrics/communities/nope/pulses").status_code == 404
    assert call(client, "get", "/metrics/pulses/999999").status_code == 404
    assert call(client, "post", "/metrics/pulses/999999/cancel").status_code == 404


def test_cancelling_a_sent_pulse_is_a_422(community, manager):
    survey = PulseSurveyFactory(community=community, status=PulseStatus.OPEN)
    response = call(token_client(manager), "post", f"/metrics/pulses/{survey.pk}/cancel")
    assert response.status_code == 422
    assert "only a scheduled pulse" in response.json()["errors"]["__all__"][0]


def answered(community):
    survey = PulseSurveyFactory(
        community=community, status=PulseStatus.OPEN, sent_at=timezone.now(), invited_count=3
    )
    PulseInvitationFactory(survey=survey, score=10, comment="Great", answered_at=timezone.now())
    PulseInvitationFactory(survey=survey, score=6, answered_at=timezone.now())
    PulseInvitationFactory(survey=survey)
    return survey


def test_the_manager_reads_results_with_comments(community, manager):
    survey = answered(community)
    response = call(token_client(manager), "get", f"/metrics/pulses/{survey.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["invited"], body["answered"]) == (3, 2)
    assert Decimal(body["response_rate"]) == Decimal("0.6667")
    assert (body["promoters"], body["passives"], body["detractors"]) == (1, 0, 1)
    assert Decimal(body["nps"]) == Decimal("0.0")
    assert Decimal(body["ci_low"]) == Decimal("-100.0")
    assert Decimal(body["ci_high"]) == Decimal("100.0")
    assert body["small_sample"] is True
    assert body["distribution"] == [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]
    assert body["comments"] == [
        {"score": 10, "answered_on": timezone.localdate().isoformat(), "text": "Great"}
    ]
    assert body["pulse"]["answered"] == 2


def test_the_leadership_reads_results_without_comments(community):
    survey = answered(community)
    sponsor = with_role(community, MembershipRole.EXECUTIVE_SPONSOR)
    body = call(session_client(sponsor), "get", f"/metrics/pulses/{survey.pk}").json()
    assert body["comments"] is None
    assert body["answered"] == 2


# --- Answering -------------------------------------------------------------------------------


@pytest.fixture
def token(community):
    person = UserFactory()
    MembershipFactory(community=community, person=person)
    survey = PulseSurveyFactory(community=community, send_at=timezone.now() - timedelta(minutes=1))
    send_pulse(survey_id=survey.pk)
    return LINK.search(OutboundMessage.objects.get(to_email=person.email).body_text).group(1)


def test_anyone_with_the_token_answers_without_signing_in(token):
    response = call(Client(), "post", "/metrics/pulse-answers", {"token": token, "score": 9})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["score"], body["comment"]) == (9, "")
    response = call(
        Client(),
        "post",
        "/metrics/pulse-answers",
        {"token": token, "score": 7, "comment": "Needs more events"},
    )
    assert response.json()["score"] == 7
    kept = call(Client(), "post", "/metrics/pulse-answers", {"token": token, "score": 8})
    assert kept.json()["comment"] == "Needs more events"
    invitation = PulseInvitation.objects.get()
    assert (invitation.score, invitation.comment) == (8, "Needs more events")


# true and "7" are not scores: lax parsing would have recorded true as 1.
@pytest.mark.parametrize("score", [-1, 11, "x", None, True, False, "7", 5.5])
def test_a_bad_score_is_a_422(token, score):
    response = call(Client(), "post", "/metrics/pulse-answers", {"token": token, "score": score})
    assert response.status_code == 422
    assert "score" in response.json()["errors"]
    assert not PulseInvitation.objects.filter(score__isnull=False).exists()


def test_an_unknown_token_is_a_401_and_a_closed_pulse_a_422(token):
    response = call(Client(), "post", "/metrics/pulse-answers", {"token": "nope", "score": 5})
    assert response.status_code == 401
    assert response.json()["detail"] == "This answer link is not valid."
    PulseSurvey.objects.update(status=PulseStatus.CLOSED)
    response = call(Client(), "post", "/metrics/pulse-answers", {"token": token, "score": 5})
    assert response.status_code == 422
    assert response.json()["errors"]["__all__"] == ["This survey has closed."]


def test_the_pulse_endpoints_are_in_the_openapi_schema(db):
    schema = Client().get(f"{API}/openapi.json").json()
    paths = schema["paths"]
    assert "post" in paths[f"{API}/metrics/communities/{{slug}}/pulses"]
    assert "get" in paths[f"{API}/metrics/communities/{{slug}}/pulses"]
    assert "post" in paths[f"{API}/metrics/pulses/{{pulse_id}}/cancel"]
    assert "get" in paths[f"{API}/metrics/pulses/{{pulse_id}}"]
    answer = paths[f"{API}/metrics/pulse-answers"]["post"]
    assert "security" not in answer or answer["security"] in ([], [{}])
