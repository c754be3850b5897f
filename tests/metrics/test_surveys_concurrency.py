"""Pulse sending and answering with real concurrent writers on PostgreSQL: several workers
sending the same pulse invite and mail each person once; two communities' pulses sent at the
same moment never ask one person twice within the interval; simultaneous answers leave one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.mail.models import OutboundMessage
from practica.metrics.models import PulseInvitation, PulseStatus, PulseSurvey
from practica.metrics.surveys.services import record_pulse_answer, send_due_pulses, send_pulse
from tests.concurrency import postgres_only, run_concurrently
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.metrics import PulseInvitationFactory, PulseSurveyFactory
from tests.factories.people import UserFactory

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def community_with_members(n):
    community = CommunityFactory()
    people = [UserFactory() for _ in range(n)]
    for person in people:
        MembershipFactory(community=community, person=person)
    return community, people


def due_pulse(community, **fields):
    return PulseSurveyFactory(
        community=community, send_at=timezone.now() - timedelta(minutes=1), **fields
    )


def test_concurrent_sends_of_one_pulse_invite_and_mail_each_person_once():
    community, people = community_with_members(25)
    survey = due_pulse(community)
    results = []

    def send():
        results.append(send_pulse(survey_id=survey.pk))

    errors = run_concurrently([send for _ in range(6)])
    assert errors == []
    assert sorted(results) == [0, 0, 0, 0, 0, 25]
    survey.refresh_from_db()
    assert (survey.status, survey.invited_count) == (PulseStatus.OPEN, 25)
    invited = list(PulseInvitation.objects.values_list("person_id", flat=True))
    assert sorted(invited) == sorted(person.pk for person in people)
    mails = list(OutboundMessage.objects.values_list("to_email", flat=True))
    assert sorted(mails) == sorted(person.email for person in people)


def test_a_beat_run_racing_a_task_sends_once():
    community, _people = community_with_members(10)
    survey = due_pulse(community, sample_size=4)
    errors = run_concurrently(
        [lambda: send_pulse(survey_id=survey.pk), send_due_pulses, send_due_pulses]
    )
    assert errors == []
    assert PulseInvitation.objects.filter(survey=survey).count() == 4
    assert OutboundMessage.objects.count() == 4


def test_two_communities_sending_at_once_never_ask_a_person_twice():
    first, shared = community_with_members(12)
    second = CommunityFactory()
    for person in shared:
        MembershipFactory(community=second, person=person)
    pulses = [due_pulse(first), due_pulse(second)]
    errors = run_concurrently([lambda s=s: send_pulse(survey_id=s.pk) for s in pulses])
    assert errors == []
    assert PulseInvitation.objects.count() == 12
    assert OutboundMessage.objects.count() == 12
    per_person = PulseInvitation.objects.values_list("person_id", flat=True)
    assert len(set(per_person)) == 12


def test_simultaneous_answers_leave_one_answer():
    survey = PulseSurveyFactory(status=PulseStatus.OPEN, sent_at=timezone.now())
    invitation = PulseInvitationFactory(survey=survey, token="concurrent-token")
    scores = list(range(11))

    def answer(score):
        return lambda: record_pulse_answer(token="concurrent-token", score=score)

    errors = run_concurrently([answer(score) for score in scores])
    assert errors == []
    invitation.refresh_from_db()
    assert invitation.score in scores
    assert invitation.answered_at is not None
    assert PulseSurvey.objects.get().invited_count == 0  # answering never touches the pulse
