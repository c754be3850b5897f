# Fixtures come from reviewing_setup; pytest injects them by name.
# ruff: noqa: F401, F811
"""The mail a comment in a proposal's discussion sends: to its other reviewers and the
committee, never to the author or a speaker; the text only to those who may already read the
others' opinions (a reviewer whose own review is not submitted gets the link alone); once per
comment and recipient, after the comment is committed."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from practica.conference.mails.reviews import mail_proposal_comment
from practica.conference.models import ProposalComment, ProposalSpeaker, SpeakerStatus
from practica.conference.services.reviews import add_proposal_comment, save_review
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
from tests.factories.conference import CommitteeMemberFactory, ReviewerVolunteerFactory
from tests.factories.people import UserFactory

pytestmark = [
    pytest.mark.unit,
    pytest.mark.django_db,
    pytest.mark.usefixtures(outbox_backend.__name__),
]

OPINION = "Strong accept from me: the evaluation is thorough."


@pytest.fixture
def pending_reviewer(proposal):
    """A second assigned reviewer, who has not submitted a review."""
    return reviewer_of(proposal, UserFactory(display_name="Paul Pending"))


@pytest.fixture
def discussion(proposal, reviewer, pending_reviewer, committee_member):
    """Rita has submitted her review; Paul has not; one committee member."""
    submitted(proposal, reviewer)
    return proposal


def comment(capture, **kwargs):
    with capture(execute=True):
        return add_proposal_comment(**kwargs)


def mails_by_address():
    return {mail.to_email: mail for mail in outbox()}


def discussion_link(proposal):
    return f"{settings.SITE_URL}{reverse('conference:review', args=[proposal.pk])}#discussion"


def test_a_reviewers_comment_reaches_the_others_with_the_text_only_where_allowed(
    discussion,
    reviewer,
    pending_reviewer,
    committee_member,
    django_capture_on_commit_callbacks,
):
    posted = comment(
        django_capture_on_commit_callbacks, proposal=discussion, author=reviewer, body=OPINION
    )

    mails = mails_by_address()
    assert set(mails) == {committee_member.email, pending_reviewer.email}
    to_committee = mails[committee_member.email]
    assert to_committee.subject == "New comment on “Shipping LLMs”"
    assert OPINION in to_committee.body_text
    assert "Rita Reviewer commented in the discussion of “Shipping LLMs”" in to_committee.body_text
    assert discussion_link(discussion) in to_committee.body_text
    assert to_committee.idempotency_key == (
        f"proposal-comment-{posted.pk}-to-{committee_member.pk}"
    )
    to_pending = mails[pending_reviewer.email]
    assert to_pending.subject == "New comment on “Shipping LLMs”"
    assert "There is a new comment in the discussion of “Shipping LLMs”" in to_pending.body_text
    assert "your own review of this proposal is not submitted yet" in to_pending.body_text
    assert discussion_link(discussion) in to_pending.body_text
    assert OPINION not in to_pending.body_text
    assert "Strong accept" not in to_pending.body_text
    assert "Rita" not in to_pending.body_text
    assert OPINION not in to_pending.body_html
    assert to_pending.idempotency_key == f"proposal-comment-{posted.pk}-to-{pending_reviewer.pk}"
    assert discussion.created_by.email not in mails
    assert reviewer.email not in mails


def test_a_committee_comment_reaches_the_reviewers_by_their_review_state(
    discussion, reviewer, pending_reviewer, committee_member, django_capture_on_commit_callbacks
):
    comment(
        django_capture_on_commit_callbacks,
        proposal=discussion,
        author=committee_member,
        body=OPINION,
    )

    mails = mails_by_address()
    assert set(mails) == {reviewer.email, pending_reviewer.email}
    assert OPINION in mails[reviewer.email].body_text
    assert OPINION not in mails[pending_reviewer.email].body_text


def test_a_draft_is_not_a_submitted_review(
    discussion, reviewer, pending_reviewer, django_capture_on_commit_callbacks
):
    save_review(proposal=discussion, reviewer=pending_reviewer, scores={}, recommendation=2)

    comment(django_capture_on_commit_callbacks, proposal=discussion, author=reviewer, body=OPINION)

    assert OPINION not in mails_by_address()[pending_reviewer.email].body_text


def test_once_submitted_the_reviewer_reads_the_next_comments(
    discussion, reviewer, pending_reviewer, django_capture_on_commit_callbacks
):
    submitted(discussion, pending_reviewer)

    comment(django_capture_on_commit_callbacks, proposal=discussion, author=reviewer, body=OPINION)

    assert OPINION in mails_by_address()[pending_reviewer.email].body_text


def test_a_committee_member_reviewing_it_unsubmitted_gets_the_link_alone(
    discussion, reviewer, committee_member, django_capture_on_commit_callbacks
):
    reviewer_of(discussion, committee_member)

    comment(django_capture_on_commit_callbacks, proposal=discussion, author=reviewer, body=OPINION)

    assert OPINION not in mails_by_address()[committee_member.email].body_text


@pytest.mark.parametrize("status", [SpeakerStatus.ACCEPTED, SpeakerStatus.INVITED])
def test_no_speaker_is_mailed_even_on_the_committee(
    discussion, reviewer, committee_member, status, django_capture_on_commit_callbacks
):
    speaker = discussion.created_by
    CommitteeMemberFactory(edition=discussion.edition, person=speaker)
    co_speaker = UserFactory(display_name="Cora Cospeaker")
    CommitteeMemberFactory(edition=discussion.edition, person=co_speaker)
    ProposalSpeaker.objects.create(
        proposal=discussion, person=co_speaker, email=co_speaker.email, status=status, position=1
    )

    comment(django_capture_on_commit_callbacks, proposal=discussion, author=reviewer, body=OPINION)

    addresses = set(mails_by_address())
    assert committee_member.email in addresses
    assert speaker.email not in addresses
    assert co_speaker.email not in addresses


def test_double_blind_mails_name_no_speaker(
    discussion, reviewer, pending_reviewer, committee_member, django_capture_on_commit_callbacks
):
    discussion.edition.double_blind = True
    discussion.edition.save(update_fields=["double_blind"])

    comment(django_capture_on_commit_callbacks, proposal=discussion, author=reviewer, body=OPINION)

    mails = outbox()
    assert len(mails) == 2
    for mail in mails:
        assert "Sam Speaker" not in mail.body_text
        assert "Sam" not in mail.subject


def test_each_comment_mails_each_recipient_once(
    discussion, reviewer, committee_member, django_capture_on_commit_callbacks
):
    first = comment(
        django_capture_on_commit_callbacks, proposal=discussion, author=reviewer, body=OPINION
    )
    # A double click returns the first comment and mails nothing more.
    again = comment(
        django_capture_on_commit_callbacks, proposal=discussion, author=reviewer, body=OPINION
    )
    assert again.pk == first.pk
    assert mail_proposal_comment(comment_id=first.pk) == 2
    assert len(outbox()) == 2

    later = comment(
        django_capture_on_commit_callbacks,
        proposal=discussion,
        author=reviewer,
        body=OPINION,
        now=first.created_at + timedelta(minutes=10),
    )

    assert later.pk != first.pk
    assert len(outbox()) == 4
    assert len({mail.idempotency_key for mail in outbox()}) == 4


def test_the_notices_are_rolled_back_with_the_comment(discussion, reviewer):
    def comment_then_fail() -> None:
        with transaction.atomic():
            add_proposal_comment(proposal=discussion, author=reviewer, body=OPINION)
            raise RuntimeError(len(outbox()))  # the caller's transaction fails after it

    with pytest.raises(RuntimeError) as failed:
        comment_then_fail()

    assert failed.value.args[0] > 0

    assert outbox() == []
    assert not ProposalComment.objects.exists()


def test_an_inactive_member_is_not_mailed(
    discussion, reviewer, committee_member, pending_reviewer, django_capture_on_commit_callbacks
):
    pending_reviewer.is_active = False
    pending_reviewer.save(update_fields=["is_active"])

    comment(django_capture_on_commit_callbacks, proposal=discussion, author=reviewer, body=OPINION)

    assert set(mails_by_address()) == {committee_member.email}


@pytest.mark.parametrize("who", ["speaker", "member", "pool_reviewer"])
def test_who_may_not_discuss_still_may_not_and_mails_nobody(
    discussion, speaker, who, django_capture_on_commit_callbacks
):
    author = {
        "speaker": speaker,
        "member": UserFactory(),
        "pool_reviewer": ReviewerVolunteerFactory(edition=discussion.edition).person,
    }[who]

    with pytest.raises(PermissionDenied), django_capture_on_commit_callbacks(execute=True):
        add_proposal_comment(proposal=discussion, author=author, body="Hello")

    assert not ProposalComment.objects.exists()
    assert outbox() == []
