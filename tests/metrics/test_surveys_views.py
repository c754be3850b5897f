"""Pulse survey screens: the list and results for the leadership, scheduling and cancelling for
the manager, and the one-click answer pages for whoever holds a mail's link."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.mail.models import OutboundMessage
from practica.metrics.models import PulseInvitation, PulseStatus, PulseSurvey
from practica.metrics.surveys.services import send_pulse
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.metrics import PulseInvitationFactory, PulseSurveyFactory
from tests.factories.people import UserFactory

LINK = re.compile(r"/metrics/pulses/answer/([A-Za-z0-9_-]+)/(\d+)/")
WALL_CLOCK = "%Y-%m-%dT%H:%M"


@pytest.fixture
def community(db):
    return CommunityFactory()


def person_with_role(community, role):
    person = UserFactory()
    MembershipFactory(community=community, person=person, role=role)
    return person


@pytest.fixture
def manager(community):
    return person_with_role(community, MembershipRole.MANAGER)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def local(moment):
    return timezone.localtime(moment).strftime(WALL_CLOCK)


def form_data(**overrides):
    now = timezone.now()
    data = {
        "question": "How likely are you to recommend this community to a colleague?",
        "sample_size": "",
        "send_at": local(now + timedelta(hours=2)),
        "closes_at": local(now + timedelta(days=10)),
    }
    data.update(overrides)
    return data


# --- Permissions -----------------------------------------------------------------------------


def test_signed_out_visitors_are_sent_to_sign_in(client, community):
    survey = PulseSurveyFactory(community=community)
    for url in (
        reverse("metrics:pulse_list", args=[community.slug]),
        reverse("metrics:pulse_schedule", args=[community.slug]),
        reverse("metrics:pulse_detail", args=[survey.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("people:login") in response["Location"]


def test_members_may_not_see_or_run_pulses(client, community):
    client.force_login(person_with_role(community, MembershipRole.MEMBER))
    survey = PulseSurveyFactory(community=community)
    assert client.get(reverse("metrics:pulse_list", args=[community.slug])).status_code == 403
    assert client.get(reverse("metrics:pulse_detail", args=[survey.pk])).status_code == 403
    url = reverse("metrics:pulse_schedule", args=[community.slug])
    assert client.post(url, form_data()).status_code == 403
    cancel = reverse("metrics:pulse_cancel", args=[survey.pk])
    assert client.post(cancel).status_code == 403
    survey.refresh_from_db()
    assert survey.status == PulseStatus.SCHEDULED
    assert PulseSurvey.objects.count() == 1


def test_leaders_read_results_but_neither_schedule_nor_see_comments(client, community):
    client.force_login(person_with_role(community, MembershipRole.LEADER))
    survey = PulseSurveyFactory(community=community, status=PulseStatus.OPEN)
    PulseInvitationFactory(survey=survey, score=9, comment="Secret", answered_at=timezone.now())
    response = client.get(reverse("metrics:pulse_detail", args=[survey.pk]))
    assert response.status_code == 200
    assert "Secret" not in response.content.decode()
    listing = client.get(reverse("metrics:pulse_list", args=[community.slug]))
    assert listing.status_code == 200
    assert reverse("metrics:pulse_schedule", args=[community.slug]) not in listing.content.decode()
    url = reverse("metrics:pulse_schedule", args=[community.slug])
    assert client.get(url).status_code == 403


def test_an_unknown_community_or_pulse_is_404(manager_client):
    assert manager_client.get(reverse("metrics:pulse_list", args=["nope"])).status_code == 404
    assert manager_client.get(reverse("metrics:pulse_detail", args=[99999])).status_code == 404


# --- Scheduling ------------------------------------------------------------------------------


def test_the_schedule_form_starts_with_the_question_and_now(manager_client, community):
    response = manager_client.get(reverse("metrics:pulse_schedule", args=[community.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "How likely are you to recommend this community to a colleague?" in page
    assert 'type="datetime-local"' in page


def test_the_manager_schedules_a_pulse(manager_client, community):
    url = reverse("metrics:pulse_schedule", args=[community.slug])
    response = manager_client.post(url, form_data(sample_size="25"))
    survey = PulseSurvey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("metrics:pulse_detail", args=[survey.pk])
    assert survey.sample_size == 25
    assert survey.status == PulseStatus.SCHEDULED


def test_an_empty_closing_time_defaults_to_two_weeks(manager_client, community):
    url = reverse("metrics:pulse_schedule", args=[community.slug])
    manager_client.post(url, form_data(closes_at=""))
    survey = PulseSurvey.objects.get()
    assert survey.closes_at - survey.send_at == timedelta(days=14)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sample_size": "0"}, "Ask at least 1 person"),
        ({"sample_size": "lots"}, "whole number"),
        ({"question": ""}, "Write the question to ask."),
        ({"send_at": "tomorrow"}, "Enter a date and time"),
        (
            {"send_at": local(timezone.now() - timedelta(days=3))},
            "The send time is in the past",
        ),
        (
            {"closes_at": local(timezone.now() + timedelta(hours=1))},
            "The pulse must close after it is sent.",
        ),
        (
            {"closes_at": local(timezone.now() + timedelta(days=95))},
            "at most 90 days",
        ),
        # The calendar's last minute with the default closing time: a message, not a 500.
        ({"send_at": "9999-12-31T23:59", "closes_at": ""}, "at most a year ahead"),
    ],
)
def test_bad_input_is_shown_beside_the_field(manager_client, community, overrides, message):
    url = reverse("metrics:pulse_schedule", args=[community.slug])
    response = manager_client.post(url, form_data(**overrides))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not PulseSurvey.objects.exists()


def test_the_list_shows_each_pulse_with_its_figures(manager_client, community):
    survey = PulseSurveyFactory(
        community=community, status=PulseStatus.OPEN, sent_at=timezone.now(), invited_count=4
    )
    for score in (10, 9, 2):
        PulseInvitationFactory(survey=survey, score=score, answered_at=timezone.now())
    PulseInvitationFactory(survey=survey)
    response = manager_client.get(reverse("metrics:pulse_list", args=[community.slug]))
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("metrics:pulse_detail", args=[survey.pk]) in page
    assert "75 per cent" in page  # 3 of 4 answered
    assert "33.3" in page  # NPS


def test_no_data_in_the_list_is_read_out_in_words(manager_client, community):
    # aria-label on a plain span is not announced: the dash is hidden and the words are text.
    PulseSurveyFactory(community=community)
    page = manager_client.get(reverse("metrics:pulse_list", args=[community.slug]))
    html = page.content.decode()
    table = html.split('id="pulse-table"')[1].split("</table>")[0]
    assert "aria-label" not in table
    assert '<span class="visually-hidden">no data</span>' in html
    assert '<span class="visually-hidden">no answers</span>' in html


def test_the_list_has_an_empty_state_and_pages(manager_client, community, settings):
    response = manager_client.get(reverse("metrics:pulse_list", args=[community.slug]))
    assert "No pulse yet" in response.content.decode()
    settings.PRACTICA_PAGE_SIZE = 2
    for _ in range(3):
        PulseSurveyFactory(community=community)
    url = reverse("metrics:pulse_list", args=[community.slug])
    assert manager_client.get(url + "?page=2").status_code == 200
    assert manager_client.get(url + "?page=abc").status_code == 200


# --- Results ---------------------------------------------------------------------------------


def test_the_results_page_shows_nps_distribution_and_comments(manager_client, community):
    survey = PulseSurveyFactory(
        community=community, status=PulseStatus.OPEN, sent_at=timezone.now(), invited_count=3
    )
    writer = UserFactory(display_name="Ada Writer")
    PulseInvitationFactory(
        survey=survey, person=writer, score=10, comment="Fast answers", answered_at=timezone.now()
    )
    PulseInvitationFactory(survey=survey, score=3, answered_at=timezone.now())
    PulseInvitationFactory(survey=survey)
    response = manager_client.get(reverse("metrics:pulse_detail", args=[survey.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="pulse-nps">0.0<' in page
    assert "Fast answers" in page
    assert "Ada Writer" not in page
    assert 'id="pulse-distribution"' in page
    assert "Small sample" in page
    assert "67 per cent" in page  # response rate 2 of 3


def test_score_shares_are_rounded_half_up_not_cut(manager_client, community):
    survey = PulseSurveyFactory(
        community=community, status=PulseStatus.OPEN, sent_at=timezone.now(), invited_count=3
    )
    for score in (9, 9, 4):
        PulseInvitationFactory(survey=survey, score=score, answered_at=timezone.now())
    response = manager_client.get(reverse("metrics:pulse_detail", args=[survey.pk]))
    rows = {bar.score: bar for bar in response.context["bars"]}
    # 2 of 3 is 66.67 per cent: shown 67, as every figure is rounded (not 66, as cut).
    assert (rows[9].count, rows[9].share, rows[9].width, rows[9].group) == (2, 67, 100, "promoter")
    assert (rows[4].share, rows[4].width, rows[4].group) == (33, 50, "detractor")
    assert (rows[7].share, rows[7].group) == (0, "passive")
    assert "67 per cent" in response.content.decode()


def test_the_manager_cancels_a_scheduled_pulse(manager_client, community):
    survey = PulseSurveyFactory(community=community, send_at=timezone.now() + timedelta(days=1))
    page = manager_client.get(reverse("metrics:pulse_detail", args=[survey.pk])).content.decode()
    assert reverse("metrics:pulse_cancel", args=[survey.pk]) in page
    response = manager_client.post(reverse("metrics:pulse_cancel", args=[survey.pk]))
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.status == PulseStatus.CANCELLED
    survey.status = PulseStatus.OPEN
    survey.save()
    response = manager_client.post(reverse("metrics:pulse_cancel", args=[survey.pk]), follow=True)
    assert "only a scheduled pulse can be cancelled" in response.content.decode()
    assert manager_client.get(reverse("metrics:pulse_cancel", args=[survey.pk])).status_code == 405


# --- Answering -------------------------------------------------------------------------------


@pytest.fixture
def token(community):
    person = UserFactory()
    MembershipFactory(community=community, person=person)
    survey = PulseSurveyFactory(community=community, send_at=timezone.now() - timedelta(minutes=1))
    send_pulse(survey_id=survey.pk)
    mail = OutboundMessage.objects.get(to_email=person.email)
    return LINK.search(mail.body_text).group(1)


def answer_url(token, score):
    return reverse("metrics:pulse_answer", args=[token, str(score)])


def test_the_one_click_page_preselects_the_score_and_records_nothing(client, token):
    response = client.get(answer_url(token, 8))
    page = response.content.decode()
    assert response.status_code == 200
    assert "data-autosubmit" in page
    assert "metrics/pulse_answer.js" in page
    assert re.search(r'value="8"[^>]*checked', page)
    assert "<script>" not in page  # no inline script
    assert not PulseInvitation.objects.filter(score__isnull=False).exists()


def test_posting_records_the_answer_then_a_comment(client, token):
    action = reverse("metrics:pulse_answered", args=[token])
    response = client.post(action, {"score": "8", "comment": ""})
    assert response.status_code == 302
    invitation = PulseInvitation.objects.get()
    assert invitation.score == 8
    thanks = client.get(action)
    page = thanks.content.decode()
    assert "Your answer: 8. Thank you!" in page
    assert "data-autosubmit" not in page
    client.post(action, {"score": "9", "comment": "More events in Asia, please"})
    invitation.refresh_from_db()
    assert (invitation.score, invitation.comment) == (9, "More events in Asia, please")


def test_a_bad_score_in_the_link_gets_a_clear_message(client, token):
    response = client.get(answer_url(token, 11))
    assert response.status_code == 422
    assert "Choose a score from 0 to 10." in response.content.decode()
    assert "data-autosubmit" not in response.content.decode()
    response = client.post(
        reverse("metrics:pulse_answered", args=[token]), {"score": "12", "comment": ""}
    )
    assert response.status_code == 422
    assert not PulseInvitation.objects.filter(score__isnull=False).exists()


def test_an_unknown_link_is_a_404_page_with_a_message(client, db):
    response = client.get(answer_url("not-a-token", 5))
    assert response.status_code == 404
    assert "We don't know this survey link" in response.content.decode()
    response = client.post(reverse("metrics:pulse_answered", args=["nope"]), {"score": "5"})
    assert response.status_code == 404


def test_a_closed_pulse_says_so(client, token):
    PulseSurvey.objects.update(closes_at=timezone.now() - timedelta(minutes=1))
    response = client.get(answer_url(token, 5))
    assert response.status_code == 410
    assert "This survey has closed" in response.content.decode()
    response = client.post(reverse("metrics:pulse_answered", args=[token]), {"score": "5"})
    assert response.status_code == 410
    assert not PulseInvitation.objects.filter(score__isnull=False).exists()
