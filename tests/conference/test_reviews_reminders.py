# Fixtures come from reviewing_setup; pytest injects them by name.
# ruff: noqa: F401, F811
"""Reminder mails to reviewers 3 days and 1 day before the review deadline: to whom, once per
round, the beat task and its schedule."""

from datetime import timedelta

import pytest
from django.conf import settings

from practica.conference.models import Edition, ProposalState, ReviewAssignment
from practica.conference.services.reviews import (
    ReminderReport,
    current_reminder_lead,
    save_review,
    send_review_reminders,
)
from practica.conference.tasks import send_review_reminders as reminder_task
from practica.mail.models import OutboundMessage
from tests.conference.reviewing_setup import (
    outbox,
    outbox_backend,
    proposal,
    reviewer,
    reviewer_of,
    reviewing,
    speaker,
    submitted,
)
from tests.factories.conference import ProposalFactory

pytestmark = [
    pytest.mark.unit,
    pytest.mark.django_db,
    pytest.mark.usefixtures(outbox_backend.__name__),
]


@pytest.fixture
def deadline(reviewing):
    return reviewing.review_closes_at


@pytest.fixture
def second(proposal):
    return ProposalFactory(edition=proposal.edition, title="Vector search at scale")


def test_nothing_is_due_five_days_before(proposal, reviewer, deadline):
    assert send_review_reminders(now=deadline - timedelta(days=5)) == ReminderReport()
    assert not OutboundMessage.objects.exists()


def test_three_days_before_each_reviewer_gets_one_mail_listing_what_is_left(
    proposal, second, reviewer, deadline
):
    reviewer_of(second, reviewer)
    save_review(proposal=second, reviewer=reviewer, scores={})  # a draft still counts as due
    finished = reviewer_of(proposal)
    submitted(proposal, finished)
    now = deadline - timedelta(days=2, hours=20)

    report = send_review_reminders(now=now)

    assert report == ReminderReport(editions=1, mails=1, assignments=2)
    [mail] = outbox()
    assert mail.to_email == reviewer.email
    assert mail.subject == f"{proposal.edition.name}: 2 reviews are due soon"
    assert "Shipping LLMs" in mail.body_text
    assert "Vector search at scale (draft saved)" in mail.body_text
    assert "due in 3 days" in mail.body_text
    assert "(Europe/Berlin)" in mail.body_text
    assert f"/conference/proposals/{proposal.pk}/review/" in mail.body_text
    assert mail.idempotency_key.startswith(
        f"edition-{proposal.edition_id}-reviewer-{reviewer.pk}-review-reminder-3d-"
    )
    assert set(
        ReviewAssignment.objects.filter(reviewer=reviewer).values_list("reminded_at", flat=True)
    ) == {now}
    assert Edition.objects.get(pk=proposal.edition_id).review_reminder_sent_at == now

    # Later beat ticks in the same round send nothing.
    assert send_review_reminders(now=now + timedelta(hours=6)) == ReminderReport()
    assert len(outbox()) == 1


def test_the_day_before_comes_once_more(proposal, reviewer, deadline):
    send_review_reminders(now=deadline - timedelta(days=3))
    send_review_reminders(now=deadline - timedelta(hours=30))

    report = send_review_reminders(now=deadline - timedelta(hours=20))

    assert report.mails == 1
    day_mail = outbox()[-1]
    assert "due in 1 day," in day_mail.body_text
    assert "-review-reminder-1d-" in day_mail.idempotency_key
    assert len(outbox()) == 2
    assert send_review_reminders(now=deadline - timedelta(hours=1)) == ReminderReport()


def test_a_reviewer_who_submitted_or_a_withdrawn_proposal_is_not_reminded(
    proposal, second, reviewer, deadline
):
    submitted(proposal, reviewer)
    other = reviewer_of(second)
    second.state = ProposalState.WITHDRAWN
    second.save(update_fields=["state"])

    assert send_review_reminders(now=deadline - timedelta(days=1)) == ReminderReport()
    assert not ReviewAssignment.objects.filter(reviewer=other, reminded_at__isnull=False).exists()


def test_a_moved_deadline_starts_the_rounds_afresh(proposal, reviewer, deadline):
    send_review_reminders(now=deadline - timedelta(days=2))
    edition = proposal.edition
    Edition.objects.filter(pk=edition.pk).update(review_closes_at=deadline + timedelta(days=7))

    assert send_review_reminders(now=deadline - timedelta(days=1)) == ReminderReport()
    report = send_review_reminders(now=deadline + timedelta(days=5))

    assert report.mails == 1
    assert len(outbox()) == 2


def test_nothing_after_the_deadline_or_before_reviewing_opens(proposal, reviewer, deadline):
    assert send_review_reminders(now=deadline + timedelta(minutes=1)) == ReminderReport()
    edition = proposal.edition
    assert current_reminder_lead(edition, edition.review_opens_at - timedelta(days=1)) is None
    assert current_reminder_lead(edition, deadline - timedelta(days=3)) == timedelta(days=3)
    assert current_reminder_lead(edition, deadline - timedelta(days=1)) == timedelta(days=1)


def test_the_beat_task_sends_the_due_round(proposal, reviewer, deadline):
    result = reminder_task.apply().get()

    # Ten days before the deadline: nothing is due yet.
    assert result == {"editions": 0, "mails": 0, "assignments": 0}
    entry = settings.CELERY_BEAT_SCHEDULE["send-review-reminders"]
    assert entry["task"] == "practica.conference.tasks.send_review_reminders"
    assert entry["schedule"] <= 3600
