"""Pulse surveys in Chromium: a click on a score in the mail answers at once (the page's
static script submits the form), a comment follows, and the manager schedules a pulse and
reads its results; each page passes an axe scan."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.mail.models import OutboundMessage
from practica.metrics.models import PulseInvitation, PulseSurvey
from practica.metrics.surveys.services import send_pulse
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.metrics import PulseSurveyFactory
from tests.factories.people import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

LINK = re.compile(r"https?://[^\s\"]+/metrics/pulses/answer/([A-Za-z0-9_-]+)/(\d+)/")


def test_one_click_from_the_mail_answers_then_a_comment_is_added(page):
    community = CommunityFactory(name="Machine Learning")
    person = UserFactory()
    MembershipFactory(community=community, person=person)
    survey = PulseSurveyFactory(community=community, send_at=timezone.now() - timedelta(minutes=1))
    send_pulse(survey_id=survey.pk)
    token = LINK.search(OutboundMessage.objects.get().body_text).group(1)

    page.goto(f"/metrics/pulses/answer/{token}/9/")
    page.wait_for_url(f"**/metrics/pulses/answer/{token}/")
    page.get_by_text("Your answer: 9. Thank you!").wait_for()
    invitation = PulseInvitation.objects.get()
    assert invitation.score == 9
    assert_accessible(page, "the pulse answer page")

    page.get_by_label("Anything you would like to add?").fill("More events in Asia, please")
    page.get_by_role("button", name="Save my answer").click()
    page.get_by_text("Your answer: 9. Thank you!").wait_for()
    invitation.refresh_from_db()
    assert invitation.comment == "More events in Asia, please"


def test_the_manager_schedules_a_pulse_and_reads_it(page):
    community = CommunityFactory(name="Data Science")
    manager = UserFactory()
    MembershipFactory(community=community, person=manager, role=MembershipRole.MANAGER)
    sign_in(page, manager.email, DEFAULT_PASSWORD)

    page.goto(f"/metrics/pulses/c/{community.slug}/")
    assert_accessible(page, "the pulse list")
    page.get_by_role("link", name="Schedule a pulse").click()
    assert_accessible(page, "the schedule form")
    page.get_by_label("Sample size").fill("0")
    page.get_by_role("button", name="Schedule the pulse").click()
    page.get_by_text("Ask at least 1 person").wait_for()
    page.get_by_label("Sample size").fill("20")
    page.get_by_role("button", name="Schedule the pulse").click()
    page.get_by_role("heading", name="Results").wait_for()
    assert PulseSurvey.objects.get().sample_size == 20
    assert_accessible(page, "the pulse's results")
