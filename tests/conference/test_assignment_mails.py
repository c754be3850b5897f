"""The mail telling reviewers what they were given: one per reviewer per applied run, only the
proposals new to them, titles only (never a speaker), the deadline on the reviewer's clock and
the edition's, sent once the assignment is committed and never twice."""

import re
from collections import defaultdict

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from practica.conference.mails.assignment import mail_manual_assignment, mail_run_assignments
from practica.conference.models import AssignmentRun, PinKind, ReviewAssignment
from practica.conference.services.assignment import (
    AssignmentRefused,
    add_manual_assignment,
    apply_assignment_run,
    set_pair_pin,
)
from practica.people.models import User
from tests.conference.reviewing_setup import move_past_review, outbox, outbox_backend
from tests.conference.test_assignment_services import Scene, start_and_run

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures(outbox_backend.__name__),
]

SPEAKER_NAMES = ["Sven Speaker", "Wanda Speaker", "Xia Speaker", "Yusuf Speaker"]


@pytest.fixture
def scene(edition):
    edition.reviewers_per_proposal = 2
    edition.reviewer_max_load = 3
    edition.save()
    scene = Scene(edition)
    for speaker, name in zip(scene.speakers, SPEAKER_NAMES, strict=True):
        User.objects.filter(pk=speaker.pk).update(display_name=name)
    return scene


@pytest.fixture
def run(scene, chair, django_capture_on_commit_callbacks):
    return start_and_run(scene, chair, django_capture_on_commit_callbacks)


def apply(run, actor, capture):
    with capture(execute=True):
        return apply_assignment_run(run=run, actor=actor)


def pairs_of(run):
    return {(int(p), int(r)) for p, r, *_rest in run.pairs}


def titles_by_reviewer(scene, pairs):
    titles = {talk.pk: talk.title for talk in scene.proposals}
    found = defaultdict(set)
    for proposal_id, person_id in pairs:
        found[person_id].add(titles[proposal_id])
    return found


def listed_titles(text):
    return set(re.findall(r"^- (.+)$", text, flags=re.MULTILINE))


def review_link(proposal_id):
    return f"{settings.SITE_URL}{reverse('conference:review', args=[proposal_id])}"


# --- Applying a run ----------------------------------------------------------------------------


def test_applying_a_run_mails_each_reviewer_once_with_their_proposals(
    scene, run, chair, django_capture_on_commit_callbacks
):
    apply(run, chair, django_capture_on_commit_callbacks)

    expected = titles_by_reviewer(scene, pairs_of(run))
    mails = outbox()
    assert len(mails) == len(expected)
    people = {user.pk: user for user in scene.reviewers}
    for mail in mails:
        person_id = int(mail.idempotency_key.rsplit("-", 1)[1])
        assert mail.idempotency_key == f"assignment-run-{run.pk}-reviewer-{person_id}"
        assert mail.to_email == people[person_id].email
        assert listed_titles(mail.body_text) == expected[person_id]
        for proposal_id, reviewer_id in pairs_of(run):
            if reviewer_id == person_id:
                assert review_link(proposal_id) in mail.body_text
        assert f"{settings.SITE_URL}{reverse('conference:my_reviews')}" in mail.body_text
        assert mail.body_text.startswith(f"Hello {people[person_id].get_short_name()},")
        count = len(expected[person_id])
        if count == 1:
            assert mail.subject == f"{scene.edition.name}: a proposal for you to review"
        else:
            assert mail.subject == f"{scene.edition.name}: {count} proposals for you to review"
    reviewers_with_pairs = {reviewer_id for _p, reviewer_id in pairs_of(run)}
    idle = [user for user in scene.reviewers if user.pk not in reviewers_with_pairs]
    assert not {mail.to_email for mail in mails} & {user.email for user in idle}


@pytest.mark.parametrize("double_blind", [True, False])
def test_the_mail_names_titles_only_never_a_speaker(
    scene, run, chair, django_capture_on_commit_callbacks, double_blind
):
    scene.edition.double_blind = double_blind
    scene.edition.save(update_fields=["double_blind"])

    apply(run, chair, django_capture_on_commit_callbacks)

    mails = outbox()
    assert mails
    speaker_emails = {speaker.email for speaker in scene.speakers}
    for mail in mails:
        assert mail.to_email not in speaker_emails
        for name in SPEAKER_NAMES:
            assert name not in mail.body_text
            assert name not in mail.subject
        for email in speaker_emails:
            assert email not in mail.body_text


def test_the_deadline_is_on_the_reviewers_clock_with_the_editions_noted(
    scene, run, chair, django_capture_on_commit_callbacks
):
    some_reviewer = next(iter(pairs_of(run)))[1]
    User.objects.filter(pk=some_reviewer).update(time_zone="Asia/Shanghai")
    others = {reviewer_id for _p, reviewer_id in pairs_of(run)} - {some_reviewer}

    apply(run, chair, django_capture_on_commit_callbacks)

    by_key = {mail.idempotency_key: mail.body_text for mail in outbox()}
    shanghai = by_key[f"assignment-run-{run.pk}-reviewer-{some_reviewer}"]
    assert re.search(r"Reviews are due on .+ \(Asia/Shanghai\)\.", shanghai)
    assert re.search(r"That is .+ \(Europe/Berlin\) in the edition's time zone", shanghai)
    # The call is still open: reviewing has not started yet.
    assert re.search(r"Reviewing opens on .+ \(Asia/Shanghai\)\.", shanghai)
    berlin = by_key[f"assignment-run-{run.pk}-reviewer-{next(iter(others))}"]
    assert re.search(r"Reviews are due on .+ \(Europe/Berlin\)\.", berlin)
    assert "in the edition's time zone" not in berlin


def test_applying_twice_mails_once(scene, run, chair, django_capture_on_commit_callbacks):
    apply(run, chair, django_capture_on_commit_callbacks)
    first = [(mail.pk, mail.idempotency_key) for mail in outbox()]

    with pytest.raises(AssignmentRefused), django_capture_on_commit_callbacks(execute=True):
        apply_assignment_run(run=run, actor=chair)
    # The mail step itself, run again (a retried callback), adds nothing either.
    assert mail_run_assignments(run_id=run.pk, new_pairs=pairs_of(run)) == len(first)

    assert [(mail.pk, mail.idempotency_key) for mail in outbox()] == first


def test_a_later_run_mails_only_the_pairs_new_to_each_reviewer(
    scene, run, chair, django_capture_on_commit_callbacks
):
    apply(run, chair, django_capture_on_commit_callbacks)
    before = pairs_of(run)
    first_keys = {mail.idempotency_key for mail in outbox()}
    moved_proposal, moved_reviewer = sorted(before)[0]
    set_pair_pin(
        proposal=next(p for p in scene.proposals if p.pk == moved_proposal),
        person_id=moved_reviewer,
        kind=PinKind.FORBID,
        actor=chair,
    )
    second = start_and_run(scene, chair, django_capture_on_commit_callbacks)

    apply(second, chair, django_capture_on_commit_callbacks)

    new = pairs_of(second) - before
    assert any(proposal_id == moved_proposal for proposal_id, _r in new)
    expected = titles_by_reviewer(scene, new)
    later = [mail for mail in outbox() if mail.idempotency_key not in first_keys]
    assert {mail.idempotency_key for mail in later} == {
        f"assignment-run-{second.pk}-reviewer-{person_id}" for person_id in expected
    }
    for mail in later:
        person_id = int(mail.idempotency_key.rsplit("-", 1)[1])
        assert listed_titles(mail.body_text) == expected[person_id]


def test_the_mails_are_rolled_back_with_the_apply(scene, run, chair):
    def apply_then_fail() -> None:
        with transaction.atomic():
            apply_assignment_run(run=run, actor=chair)
            raise RuntimeError(len(outbox()))  # the caller's transaction fails after it

    with pytest.raises(RuntimeError) as failed:
        apply_then_fail()

    assert failed.value.args[0] > 0

    assert outbox() == []
    assert not ReviewAssignment.objects.exists()


def test_an_inactive_reviewer_is_not_mailed(scene, run, chair, django_capture_on_commit_callbacks):
    gone = next(iter(pairs_of(run)))[1]
    User.objects.filter(pk=gone).update(is_active=False)

    apply(run, chair, django_capture_on_commit_callbacks)

    keys = {mail.idempotency_key for mail in outbox()}
    assert f"assignment-run-{run.pk}-reviewer-{gone}" not in keys
    assert len(keys) == len({reviewer_id for _p, reviewer_id in pairs_of(run)}) - 1


def test_only_a_chair_applies_and_a_refused_apply_mails_nobody(
    scene, run, committee_member, django_capture_on_commit_callbacks
):
    reviewer_person = scene.reviewers[0]
    for actor in (committee_member, reviewer_person):
        with pytest.raises(PermissionDenied), django_capture_on_commit_callbacks(execute=True):
            apply_assignment_run(run=run, actor=actor)

    assert outbox() == []
    assert not ReviewAssignment.objects.exists()
    assert AssignmentRun.objects.get(pk=run.pk).applied_at is None


# --- Adding a reviewer by hand -----------------------------------------------------------------


def test_adding_a_reviewer_by_hand_mails_them_once(
    scene, chair, django_capture_on_commit_callbacks
):
    talk = scene.proposals[0]
    added = scene.reviewers[4]

    with django_capture_on_commit_callbacks(execute=True):
        assignment = add_manual_assignment(proposal=talk, person_id=added.pk, actor=chair)

    [mail] = outbox()
    assert mail.idempotency_key == f"review-assignment-{assignment.pk}"
    assert mail.to_email == added.email
    assert mail.subject == f"{scene.edition.name}: a proposal for you to review"
    assert listed_titles(mail.body_text) == {talk.title}
    assert review_link(talk.pk) in mail.body_text
    assert f"{settings.SITE_URL}{reverse('conference:my_reviews')}" in mail.body_text
    assert SPEAKER_NAMES[0] not in mail.body_text

    assert mail_manual_assignment(assignment_id=assignment.pk) is True
    assert len(outbox()) == 1


def test_a_refused_manual_assignment_mails_nobody(
    scene, chair, committee_member, django_capture_on_commit_callbacks
):
    talk = scene.proposals[0]
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(PermissionDenied):
            add_manual_assignment(
                proposal=talk, person_id=scene.reviewers[4].pk, actor=committee_member
            )
        with pytest.raises(ValidationError):  # same team as the speaker: a conflict
            add_manual_assignment(proposal=talk, person_id=scene.reviewers[0].pk, actor=chair)
        add_manual_assignment(proposal=talk, person_id=scene.reviewers[4].pk, actor=chair)
        with pytest.raises(AssignmentRefused):
            add_manual_assignment(proposal=talk, person_id=scene.reviewers[4].pk, actor=chair)

    assert [mail.to_email for mail in outbox()] == [scene.reviewers[4].email]


def test_a_manual_pair_kept_by_a_later_run_is_not_announced_again(
    scene, chair, django_capture_on_commit_callbacks
):
    talk = scene.proposals[0]
    added = scene.reviewers[5]
    with django_capture_on_commit_callbacks(execute=True):
        add_manual_assignment(proposal=talk, person_id=added.pk, actor=chair)
    run = start_and_run(scene, chair, django_capture_on_commit_callbacks)

    assert (talk.pk, added.pk) in pairs_of(run)

    apply(run, chair, django_capture_on_commit_callbacks)

    to_added = [mail for mail in outbox() if mail.to_email == added.email]
    assert to_added[0].idempotency_key.startswith("review-assignment-")
    for mail in to_added[1:]:
        assert mail.idempotency_key == f"assignment-run-{run.pk}-reviewer-{added.pk}"
        assert talk.title not in listed_titles(mail.body_text)


def test_a_reviewer_added_after_the_deadline_is_told_to_ask_the_chair(
    scene, chair, django_capture_on_commit_callbacks
):
    move_past_review(scene.edition)

    with django_capture_on_commit_callbacks(execute=True):
        add_manual_assignment(
            proposal=scene.proposals[0], person_id=scene.reviewers[4].pk, actor=chair
        )

    [mail] = outbox()
    assert re.search(r"The review deadline was .+ \(Europe/Berlin\): ask the chair", mail.body_text)
    assert "Reviews are due" not in mail.body_text
    assert "Reviewing opens" not in mail.body_text
