"""Pulse survey services and queries: scheduling rules, who is asked (sample, interval across
communities, who never counts), sending once, closing, answering and the NPS figures."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.core.models import AuditLogEntry
from practica.mail.models import OutboundMessage
from practica.metrics.models import PulseInvitation, PulseStatus, PulseSurvey
from practica.metrics.surveys import services
from practica.metrics.surveys.queries import (
    community_pulses,
    nps_interval,
    nps_over,
    pulse_comments,
    pulse_results,
    pulse_row,
)
from practica.metrics.surveys.services import (
    UnknownPulseTokenError,
    cancel_pulse,
    record_pulse_answer,
    schedule_pulse,
    send_due_pulses,
    send_pulse,
)
from practica.metrics.surveys.tokens import hash_pulse_token
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.metrics import PulseInvitationFactory, PulseSurveyFactory
from tests.factories.people import UserFactory

LINK = re.compile(r"/metrics/pulses/answer/([A-Za-z0-9_-]+)/(\d+)/")


@pytest.fixture
def community(db):
    return CommunityFactory()


@pytest.fixture
def manager(community):
    person = UserFactory()
    MembershipFactory(community=community, person=person, role=MembershipRole.MANAGER)
    return person


def members(community, n, **person_fields):
    people = [UserFactory(**person_fields) for _ in range(n)]
    for person in people:
        MembershipFactory(community=community, person=person)
    return people


def due_pulse(community, **fields):
    return PulseSurveyFactory(
        community=community, send_at=timezone.now() - timedelta(minutes=1), **fields
    )


def token_of(person):
    """The raw token in the pulse mail sent to `person` (the only place it exists)."""
    mail = OutboundMessage.objects.get(to_email=person.email)
    return LINK.search(mail.body_text).group(1)


def schedule(community, actor, **overrides):
    now = timezone.now()
    values = {
        "sample_size": None,
        "send_at": now + timedelta(hours=1),
        "closes_at": now + timedelta(days=14),
    }
    values.update(overrides)
    return schedule_pulse(community=community, actor=actor, **values)


# --- Scheduling ------------------------------------------------------------------------------


def test_the_manager_schedules_a_pulse_with_the_interval_snapshotted(community, manager, settings):
    settings.PULSE_MIN_INTERVAL_DAYS = 120
    survey = schedule(community, manager, sample_size=50)
    assert survey.status == PulseStatus.SCHEDULED
    assert survey.min_interval_days == 120
    assert survey.sample_size == 50
    assert survey.question == "How likely are you to recommend this community to a colleague?"
    assert survey.created_by == manager
    assert AuditLogEntry.objects.filter(action="pulse.scheduled").count() == 1


def test_members_and_leaders_cannot_schedule(community):
    leader = UserFactory()
    MembershipFactory(community=community, person=leader, role=MembershipRole.LEADER)
    plain = members(community, 1)[0]
    for person in (leader, plain):
        with pytest.raises(PermissionDenied):
            schedule(community, person)
    assert not PulseSurvey.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"sample_size": 0}, "sample_size"),
        ({"sample_size": -3}, "sample_size"),
        ({"sample_size": "many"}, "sample_size"),
        ({"question": "   "}, "question"),
        ({"question": "x" * 301}, "question"),
        ({"send_at": timezone.now() - timedelta(days=2)}, "send_at"),
        ({"send_at": timezone.now() + timedelta(days=400)}, "send_at"),
        ({"closes_at": timezone.now()}, "closes_at"),
        ({"closes_at": timezone.now() + timedelta(days=91, hours=2)}, "closes_at"),
    ],
)
def test_bad_schedules_are_refused_with_a_message_on_the_field(
    community, manager, overrides, field
):
    with pytest.raises(ValidationError) as refusal:
        schedule(community, manager, **overrides)
    assert field in refusal.value.message_dict
    assert all(message for message in refusal.value.message_dict[field])
    assert not PulseSurvey.objects.exists()


def test_a_pulse_due_now_is_sent_on_commit(community, manager):
    members(community, 3)
    with TestCase.captureOnCommitCallbacks(execute=True):
        survey = schedule(community, manager, send_at=timezone.now())
    survey.refresh_from_db()
    assert survey.status == PulseStatus.OPEN
    assert survey.invited_count == 4  # the manager is a member too


def test_only_a_scheduled_pulse_can_be_cancelled(community, manager):
    survey = schedule(community, manager)
    cancel_pulse(survey=survey, actor=manager)
    survey.refresh_from_db()
    assert survey.status == PulseStatus.CANCELLED
    assert send_pulse(survey_id=survey.pk) == 0

    sent = due_pulse(community)
    send_pulse(survey_id=sent.pk)
    with pytest.raises(ValidationError, match="already"):
        cancel_pulse(survey=sent, actor=manager)
    with pytest.raises(PermissionDenied):
        cancel_pulse(survey=survey, actor=members(community, 1)[0])


# --- Who is asked ----------------------------------------------------------------------------


def test_a_sample_has_the_size_asked_and_is_reproducible(community):
    members(community, 30)
    survey = due_pulse(community, sample_size=10)
    assert send_pulse(survey_id=survey.pk) == 10
    survey.refresh_from_db()
    assert (survey.status, survey.invited_count) == (PulseStatus.OPEN, 10)
    assert survey.sent_at is not None
    assert OutboundMessage.objects.count() == 10
    chosen = set(survey.invitations.values_list("person_id", flat=True))
    eligible = services.eligible_person_ids(
        community_id=community.pk, min_interval_days=0, now=timezone.now()
    )
    again = services.sample_people(person_ids=eligible, sample_size=10, seed=survey.pk)
    assert set(again) == chosen


def test_a_sample_larger_than_the_community_asks_everyone(community):
    members(community, 4)
    survey = due_pulse(community, sample_size=100)
    assert send_pulse(survey_id=survey.pk) == 4


def test_people_who_never_count_are_not_asked(community):
    asked = members(community, 2)
    members(community, 1, is_system=True)
    members(community, 1, is_placeholder=True)
    members(community, 1, is_active=False)
    left = UserFactory()
    MembershipFactory(community=community, person=left, left_at=timezone.now())
    outsider = UserFactory()
    MembershipFactory(community=CommunityFactory(), person=outsider)
    survey = due_pulse(community)
    send_pulse(survey_id=survey.pk)
    assert set(survey.invitations.values_list("person_id", flat=True)) == {p.pk for p in asked}


def test_nobody_is_asked_twice_within_the_interval_across_communities(community):
    other = CommunityFactory()
    both = members(community, 3)
    for person in both:
        MembershipFactory(community=other, person=person)
    only_other = members(other, 2)
    first = due_pulse(community, min_interval_days=90)
    assert send_pulse(survey_id=first.pk) == 3
    second = due_pulse(other, min_interval_days=90)
    assert send_pulse(survey_id=second.pk) == 2
    assert set(second.invitations.values_list("person_id", flat=True)) == {p.pk for p in only_other}


def test_people_asked_longer_ago_than_the_interval_are_asked_again(community):
    people = members(community, 2)
    old = PulseSurveyFactory(community=community, status=PulseStatus.CLOSED)
    PulseInvitationFactory(
        survey=old, person=people[0], invited_at=timezone.now() - timedelta(days=91)
    )
    PulseInvitationFactory(
        survey=old, person=people[1], invited_at=timezone.now() - timedelta(days=89)
    )
    survey = due_pulse(community, min_interval_days=90)
    send_pulse(survey_id=survey.pk)
    assert list(survey.invitations.values_list("person_id", flat=True)) == [people[0].pk]


# --- Sending ---------------------------------------------------------------------------------


def test_the_mail_has_eleven_one_click_links_and_says_why(community):
    [person] = members(community, 1)
    survey = due_pulse(community)
    send_pulse(survey_id=survey.pk)
    mail = OutboundMessage.objects.get()
    assert mail.idempotency_key == f"pulse:{survey.pk}:{person.pk}"
    assert mail.to_email == person.email
    for body in (mail.body_text, mail.body_html):
        links = LINK.findall(body)
        assert [int(score) for _token, score in links] == list(range(11))
        assert len({token for token, _score in links}) == 1
        assert "Why you get this mail" in body
    token = LINK.search(mail.body_text).group(1)
    invitation = PulseInvitation.objects.get()
    assert invitation.token_hash == hash_pulse_token(token)
    assert token not in invitation.token_hash


def test_sending_twice_invites_and_mails_nobody_twice(community):
    members(community, 5)
    survey = due_pulse(community)
    assert send_pulse(survey_id=survey.pk) == 5
    assert send_pulse(survey_id=survey.pk) == 0
    assert send_due_pulses() == 0
    assert PulseInvitation.objects.count() == 5
    assert OutboundMessage.objects.count() == 5


def test_a_pulse_is_not_sent_before_its_time_nor_when_gone(community):
    members(community, 2)
    later = PulseSurveyFactory(community=community, send_at=timezone.now() + timedelta(hours=2))
    assert send_pulse(survey_id=later.pk) == 0
    assert send_pulse(survey_id=999_999) == 0
    later.refresh_from_db()
    assert later.status == PulseStatus.SCHEDULED


def test_send_due_pulses_sends_the_due_and_closes_the_expired(community):
    members(community, 2)
    due = due_pulse(community)
    later = PulseSurveyFactory(community=community, send_at=timezone.now() + timedelta(days=1))
    expired = PulseSurveyFactory(
        community=community,
        status=PulseStatus.OPEN,
        send_at=timezone.now() - timedelta(days=20),
        closes_at=timezone.now() - timedelta(days=6),
    )
    never_sent = PulseSurveyFactory(
        community=community,
        send_at=timezone.now() - timedelta(days=20),
        closes_at=timezone.now() - timedelta(days=1),
    )
    assert send_due_pulses() == 3
    statuses = dict(PulseSurvey.objects.values_list("pk", "status"))
    assert statuses[due.pk] == PulseStatus.OPEN
    assert statuses[later.pk] == PulseStatus.SCHEDULED
    assert statuses[expired.pk] == PulseStatus.CLOSED
    assert statuses[never_sent.pk] == PulseStatus.CLOSED
    assert PulseInvitation.objects.filter(survey=never_sent).count() == 0
    assert send_due_pulses() == 0


# --- Answering -------------------------------------------------------------------------------


@pytest.fixture
def sent(community):
    people = members(community, 3)
    survey = due_pulse(community)
    send_pulse(survey_id=survey.pk)
    return survey, people


def test_an_answer_is_recorded_and_can_be_changed_while_open(sent):
    _survey, people = sent
    token = token_of(people[0])
    first = record_pulse_answer(token=token, score=7)
    assert (first.score, first.comment) == (7, "")
    first_time = first.answered_at
    changed = record_pulse_answer(token=token, score="10", comment="  Great answers  ")
    assert (changed.score, changed.comment) == (10, "Great answers")
    assert changed.answered_at >= first_time
    kept = record_pulse_answer(token=token, score=9, comment=None)
    assert (kept.score, kept.comment) == (9, "Great answers")
    assert PulseInvitation.objects.filter(score__isnull=False).count() == 1


@pytest.mark.parametrize("score", [-1, 11, "ten", "", None, True, 3.5])
def test_a_score_outside_0_to_10_is_refused(sent, score):
    _survey, people = sent
    with pytest.raises(ValidationError) as refusal:
        record_pulse_answer(token=token_of(people[0]), score=score)
    assert "score" in refusal.value.message_dict
    assert not PulseInvitation.objects.filter(score__isnull=False).exists()


@pytest.mark.parametrize("token", ["", "nope", "x" * 500, "a\x00b"])
def test_an_unknown_token_is_not_found(sent, token):
    with pytest.raises(UnknownPulseTokenError):
        record_pulse_answer(token=token, score=5)


def test_a_closed_or_cancelled_pulse_takes_no_answers(sent):
    survey, people = sent
    token = token_of(people[0])
    survey.closes_at = timezone.now() - timedelta(seconds=1)
    survey.save()
    with pytest.raises(ValidationError, match="This survey has closed"):
        record_pulse_answer(token=token, score=5)
    survey.closes_at = timezone.now() + timedelta(days=1)
    survey.status = PulseStatus.CANCELLED
    survey.save()
    with pytest.raises(ValidationError, match="This survey has closed"):
        record_pulse_answer(token=token, score=5)
    assert not PulseInvitation.objects.filter(score__isnull=False).exists()


def test_a_comment_too_long_is_refused(sent):
    _survey, people = sent
    with pytest.raises(ValidationError) as refusal:
        record_pulse_answer(token=token_of(people[0]), score=5, comment="x" * 2001)
    assert "comment" in refusal.value.message_dict


# --- Results ---------------------------------------------------------------------------------


def answered_pulse(community, scores, **fields):
    survey = PulseSurveyFactory(
        community=community, status=PulseStatus.OPEN, sent_at=timezone.now(), **fields
    )
    for score in scores:
        PulseInvitationFactory(
            survey=survey,
            score=score,
            answered_at=timezone.now() if score is not None else None,
        )
    survey.invited_count = len(scores)
    survey.save()
    return survey


def test_pulse_results_hand_computed(community):
    # 10 invited, 8 answered: promoters 9, 10, 10 (3); passives 7, 8 (2); detractors 0, 5, 6 (3)
    survey = answered_pulse(community, [9, 10, 10, 7, 8, 0, 5, 6, None, None])
    results = pulse_results(survey)
    assert (results.invited, results.answered) == (10, 8)
    assert (results.promoters, results.passives, results.detractors) == (3, 2, 3)
    assert results.response_rate == Decimal("0.8000")
    assert results.nps == Decimal("0.0")
    # p = d = 0.375: var = 0.75 / 8, half width = 1.96 · √0.09375 · 100 = 60.01…
    assert (results.ci_low, results.ci_high) == (Decimal("-60.0"), Decimal("60.0"))
    assert results.distribution == (1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2)
    assert results.small_sample


def test_the_interval_is_clamped_and_empty_pulses_have_no_figures(community):
    assert nps_interval(3, 0, 3) == (Decimal("100.0"), Decimal("100.0"))
    low, high = nps_interval(2, 0, 3)
    assert high == Decimal("100.0")
    assert low < Decimal("66.7")
    empty = answered_pulse(community, [None, None])
    results = pulse_results(empty)
    assert (results.nps, results.ci_low, results.ci_high) == (None, None, None)
    assert results.response_rate == Decimal("0.0000")
    nobody = PulseSurveyFactory(community=community)
    assert pulse_results(nobody).response_rate is None


def test_a_large_sample_is_not_flagged(community):
    survey = answered_pulse(community, [10] * 20 + [0] * 10)
    results = pulse_results(survey)
    assert not results.small_sample
    assert results.nps == Decimal("33.3")


def test_list_rows_match_the_results(community):
    survey = answered_pulse(community, [10, 9, 3, None])
    [row] = [pulse_row(s) for s in community_pulses(community)]
    assert row.survey == survey
    assert (row.invited, row.answered, row.nps) == (4, 3, Decimal("33.3"))
    assert row.response_rate == Decimal("0.7500")


def test_comments_come_without_names_by_day(community):
    survey = answered_pulse(community, [])
    today = timezone.now()
    PulseInvitationFactory(
        survey=survey, score=9, comment="Old", answered_at=today - timedelta(days=3)
    )
    PulseInvitationFactory(survey=survey, score=3, comment="New", answered_at=today)
    PulseInvitationFactory(survey=survey, score=5, comment="", answered_at=today)
    comments = pulse_comments(survey)
    assert [c.text for c in comments] == ["New", "Old"]
    assert [c.score for c in comments] == [3, 9]
    assert not hasattr(comments[0], "person")


def test_nps_over_pools_the_pulses_sent_in_the_period(community):
    other = CommunityFactory()
    first = answered_pulse(community, [10, 10, 0, None])
    second = answered_pulse(other, [8, 9])
    elsewhere = answered_pulse(CommunityFactory(), [0, 0, 0])
    old = answered_pulse(community, [0])
    old.sent_at = timezone.now() - timedelta(days=400)
    old.save()
    today = timezone.localdate()
    figures = nps_over([community.pk, other.pk], today - timedelta(days=30), today)
    assert (figures.invited, figures.answered) == (6, 5)
    assert (figures.promoters, figures.passives, figures.detractors) == (3, 1, 1)
    assert figures.nps == Decimal("40.0")
    assert figures.distribution == (1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2)
    assert figures.response_rate == Decimal("0.8333")
    assert figures.small_sample
    assert figures.ci_low is not None
    assert figures.ci_high is not None
    assert {p.survey_id for p in figures.per_pulse} == {first.pk, second.pk}
    by_id = {p.survey_id: p for p in figures.per_pulse}
    assert by_id[first.pk] == (first.pk, today, 4, 3, Decimal("33.3"))
    assert elsewhere.pk not in by_id


def test_nps_over_counts_only_answers_given_by_the_period_end(community):
    survey = answered_pulse(community, [])
    sent_on = date(2025, 3, 16)
    survey.sent_at = timezone.make_aware(
        timezone.datetime(2025, 3, 16, 9), timezone.get_default_timezone()
    )
    survey.save()
    PulseInvitationFactory(survey=survey, score=10, answered_at=survey.sent_at + timedelta(hours=1))
    PulseInvitationFactory(survey=survey, score=0, answered_at=survey.sent_at + timedelta(days=5))
    figures = nps_over([community.pk], date(2025, 3, 1), sent_on)
    assert (figures.invited, figures.answered, figures.nps) == (2, 1, Decimal("100.0"))
    later = nps_over([community.pk], date(2025, 3, 1), date(2025, 3, 31))
    assert (later.answered, later.nps) == (2, Decimal("0.0"))


def test_nps_over_an_empty_period_has_no_figures(community):
    figures = nps_over([community.pk], date(2020, 1, 1), date(2020, 12, 31))
    assert (figures.invited, figures.answered, figures.nps) == (0, 0, None)
    assert figures.response_rate is None
    assert figures.distribution == (0,) * 11
    assert figures.per_pulse == ()
