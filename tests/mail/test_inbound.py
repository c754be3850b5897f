"""Mail in: what `receive_message` stores, how it classifies, where it routes, moderation, replay.

Routing tests use a recording list handler in place of discussions' (see inbound_doubles);
the end-to-end tests at the bottom use the real one and check the threads and posts made.
"""

import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from practica.communities.models import MembershipRole
from practica.core.models import AuditLogEntry
from practica.mail.addresses import loop_marker, reply_address
from practica.mail.hooks import MailRefused
from practica.mail.models import (
    InboundMessage,
    InboundStatus,
    InboundVia,
    ListSettings,
    OutboundMessage,
)
from practica.mail.services.inbound import (
    approve_held_message,
    discard_held_message,
    receive_for_recipients,
    receive_message,
    replay_inbound_message,
)
from practica.people.models import User
from tests.concurrency import postgres_only, run_concurrently
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory
from tests.mail.inbound_doubles import (
    RecordingListHandler,
    list_to,
    make_message,
    new_message_id,
    registered_handler,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler():
    with registered_handler(RecordingListHandler()) as recording:
        yield recording


@pytest.fixture
def community(db):
    return CommunityFactory(slug="ml", name="Machine Learning")


@pytest.fixture
def ada(community):
    return MembershipFactory(community=community, person__email="ada@example.org").person


def receive(raw: bytes, to: str | None = None, *, sender: str = "ada@example.org"):
    return receive_message(
        raw=raw, envelope_from=sender, recipient=to or list_to("ml"), via=InboundVia.SMTP
    )


# --- Storing ---------------------------------------------------------------------------------


def test_list_mail_from_a_member_starts_a_thread_and_is_stored_raw(handler, community, ada):
    raw = make_message(sender="Ada <ADA@example.org>", subject="Which optimizer?")

    outcome = receive(raw, to=f"<ML@{list_to('ml').split('@')[1]}>")

    assert (outcome.status, outcome.smtp_code, outcome.smtp_text) == (
        InboundStatus.POSTED,
        250,
        "2.0.0 Posted",
    )
    row = InboundMessage.objects.get(pk=outcome.inbound_id)
    assert bytes(row.raw) == raw
    assert row.size == len(raw)
    assert row.via == InboundVia.SMTP
    assert row.envelope_from == "ada@example.org"
    assert row.recipients == [list_to("ml")]
    assert row.subject == "Which optimizer?"
    assert row.from_address.lower() == "ada@example.org"
    assert row.message_id.startswith("<")
    assert row.message_id.endswith("@mail.example.org>")
    assert (row.person, row.community, row.status) == (ada, community, InboundStatus.POSTED)
    assert row.result_ref == "post:1"
    assert outcome.result_url == row.result_url == "http://testserver/posts/1"
    assert handler.calls == [("start", community.pk, ada.pk, row.message_id)]
    assert handler.seen_inbound[0].pk == row.pk


def test_list_mail_that_answers_a_known_thread_is_a_reply(handler, community, ada):
    handler.replied_thread = 42

    outcome = receive(make_message(sender="ada@example.org", subject="Re: Which optimizer?"))

    assert outcome.status == InboundStatus.POSTED
    assert handler.calls[0][:3] == ("reply", 42, ada.pk)


def test_oversized_message_keeps_only_its_headers(handler, community, ada, settings):
    settings.MAIL_MAX_MESSAGE_BYTES = 2_000
    raw = make_message(sender="ada@example.org", body="x" * 5_000)

    outcome = receive(raw)

    assert (outcome.status, outcome.smtp_code) == (InboundStatus.REJECTED, 552)
    assert outcome.smtp_text.startswith("5.3.4 ")
    row = InboundMessage.objects.get(pk=outcome.inbound_id)
    assert row.size == len(raw)
    assert bytes(row.raw).startswith(b"Subject:") or b"From:" in bytes(row.raw)
    assert b"xxxx" not in bytes(row.raw)
    assert handler.calls == []


@pytest.mark.parametrize(
    ("raw", "code", "enhanced"),
    [
        (b"", 550, "5.6.0"),
        (b"this is not an email at all", 550, "5.6.0"),
        (b"From: a@example.org, b@example.org\r\nSubject: two\r\n\r\nbody\r\n", 550, "5.1.7"),
    ],
)
def test_what_the_parser_refuses_gets_its_code_and_is_kept(handler, community, raw, code, enhanced):
    outcome = receive(raw)

    assert (outcome.status, outcome.smtp_code) == (InboundStatus.REJECTED, code)
    assert outcome.smtp_text.startswith(enhanced)
    assert bytes(InboundMessage.objects.get(pk=outcome.inbound_id).raw) == raw
    assert handler.calls == []


# --- Recipients ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "recipient",
    [
        "nosuchlist@{domain}",
        "reply+1-2-0123456789abcdef@{domain}",
        "bounce+1-0123456789abcdef@{domain}",
        "ml@elsewhere.example.org",
    ],
)
def test_unknown_lists_and_bad_keys_are_refused_with_5_1_1(handler, community, ada, recipient):
    domain = list_to("ml").split("@")[1]

    outcome = receive(make_message(sender="ada@example.org"), to=recipient.format(domain=domain))

    assert (outcome.status, outcome.smtp_code) == (InboundStatus.REJECTED, 550)
    assert outcome.smtp_text.startswith("5.1.1 ")
    assert InboundMessage.objects.get(pk=outcome.inbound_id).status == InboundStatus.REJECTED
    assert handler.calls == []


def test_a_list_that_takes_no_mail_rejects(handler, community, ada):
    ListSettings.objects.create(community=community, accepts_mail=False)

    outcome = receive(make_message(sender="ada@example.org"))

    assert (outcome.status, outcome.smtp_code) == (InboundStatus.REJECTED, 550)
    assert outcome.smtp_text.startswith("5.7.1 ")
    assert handler.calls == []


def test_a_reply_key_posts_as_its_member_whoever_the_from_header_names(handler, community, ada):
    grace = MembershipFactory(community=community, person__email="grace@example.org").person
    to = reply_address(person_id=ada.pk, thread_id=7)

    outcome = receive(make_message(sender="grace@example.org", to=to), to=to)

    assert outcome.status == InboundStatus.POSTED
    assert handler.calls[0][:3] == ("reply", 7, ada.pk)
    row = InboundMessage.objects.get(pk=outcome.inbound_id)
    assert row.person == ada
    assert "grace@example.org" in row.reason
    assert f"#{grace.pk}" in row.reason


def test_a_reply_key_of_a_member_who_is_gone_is_refused(handler, community):
    to = reply_address(person_id=999_999, thread_id=7)

    outcome = receive(make_message(to=to), to=to)

    assert (outcome.smtp_code, outcome.smtp_text[:5]) == (550, "5.1.1")


def test_reply_all_to_the_key_and_the_list_posts_once_as_the_key_member(handler, community, ada):
    to = reply_address(person_id=ada.pk, thread_id=7)
    handler.replied_thread = 7
    raw = make_message(sender="ada-private@example.net", to=f"{to}, {list_to('ml')}")

    list_outcome, key_outcome = receive_for_recipients(
        raw=raw,
        envelope_from="ada-private@example.net",
        recipients=[list_to("ml"), to],
        via=InboundVia.LMTP,
    )

    assert key_outcome.status == InboundStatus.POSTED
    assert list_outcome.status == InboundStatus.DUPLICATE
    assert [call[:3] for call in handler.calls] == [("reply", 7, ada.pk)]


# --- Who may post ----------------------------------------------------------------------------


def test_mail_from_a_non_member_is_held_with_the_person_known(handler, community):
    outsider = UserFactory(email="bob@example.org")

    outcome = receive(make_message(sender="bob@example.org"))

    assert (outcome.status, outcome.smtp_code) == (InboundStatus.HELD, 250)
    row = InboundMessage.objects.get(pk=outcome.inbound_id)
    assert (row.person, row.community) == (outsider, community)
    assert handler.calls == []


def test_mail_from_an_unknown_sender_or_a_former_member_is_held(handler, community):
    former = MembershipFactory(community=community, person__email="old@example.org")
    former.left_at = former.joined_at
    former.save()

    unknown = receive(make_message(sender="stranger@example.net"))
    left = receive(make_message(sender="old@example.org"))

    assert unknown.status == left.status == InboundStatus.HELD
    assert InboundMessage.objects.get(pk=unknown.inbound_id).person is None
    assert InboundMessage.objects.get(pk=left.inbound_id).person == former.person


# --- Machines, loops, duplicates ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "message_id", "status"),
    [
        ({"X-Loop": "<marker>"}, None, InboundStatus.LOOP),
        ({"X-Loop": "elsewhere@example.net, <marker>"}, None, InboundStatus.LOOP),
        ({}, "<post-12@127.0.0.1>", InboundStatus.LOOP),  # our own Message-ID (SITE_URL's host)
        ({"Auto-Submitted": "auto-replied"}, None, InboundStatus.AUTO_REPLY),
        ({"Precedence": "bulk"}, None, InboundStatus.AUTO_REPLY),
        ({"X-Autoreply": "yes"}, None, InboundStatus.AUTO_REPLY),
    ],
)
@pytest.mark.usefixtures("community", "ada")
def test_loops_and_automatic_replies_are_accepted_and_never_posted(
    handler, headers, message_id, status
):
    headers = {name: value.replace("<marker>", loop_marker()) for name, value in headers.items()}
    raw = make_message(sender="ada@example.org", headers=headers, message_id=message_id)

    outcome = receive(raw)

    assert (outcome.status, outcome.smtp_code) == (status, 250)
    assert handler.calls == []


def test_the_same_message_delivered_again_is_a_duplicate(handler, community, ada):
    raw = make_message(sender="ada@example.org")

    first, second = receive(raw), receive(raw)

    assert (first.status, second.status) == (InboundStatus.POSTED, InboundStatus.DUPLICATE)
    assert second.smtp_code == 250
    assert len(handler.calls) == 1
    assert InboundMessage.objects.count() == 2  # every delivery is kept


def test_a_held_message_delivered_again_is_not_held_twice(handler, community):
    raw = make_message(sender="stranger@example.net")

    first, second = receive(raw), receive(raw)

    assert (first.status, second.status) == (InboundStatus.HELD, InboundStatus.DUPLICATE)
    assert InboundMessage.objects.filter(status=InboundStatus.HELD).count() == 1


def test_what_the_handler_already_posted_is_a_duplicate(handler, community, ada):
    message_id = new_message_id()
    handler.posted_ids.add(message_id)

    outcome = receive(make_message(sender="ada@example.org", message_id=message_id))

    assert outcome.status == InboundStatus.DUPLICATE
    assert handler.calls == []


# --- Refusals and failures ---------------------------------------------------------------------


def test_a_refusal_is_explained_to_the_member_by_mail_once(handler, community, ada):
    handler.refuse_with = "This thread is locked."
    raw = make_message(sender="ada@example.org", subject="Late reply")

    outcome = receive(raw)

    assert (outcome.status, outcome.smtp_code) == (InboundStatus.REJECTED, 250)
    row = InboundMessage.objects.get(pk=outcome.inbound_id)
    assert row.reason == "This thread is locked."
    [mail] = OutboundMessage.objects.filter(idempotency_key=f"inbound-refused:{row.pk}")
    assert mail.to_email == ada.email
    assert "Late reply" in mail.subject
    assert "This thread is locked." in mail.body_text
    assert mail.headers["Auto-Submitted"] == "auto-replied"
    assert mail.headers["In-Reply-To"] == row.message_id


def test_a_refusal_is_worded_in_the_members_language(handler, community, ada):
    ada.preferred_language = "zh-hans"
    ada.save()
    languages: list[str] = []
    handler.fail_with = None

    def refuse(**kwargs):
        languages.append(translation.get_language())
        raise MailRefused("这个话题已锁定。")

    handler.start_thread = refuse
    outcome = receive(make_message(sender="ada@example.org", subject="晚到的回复"))

    [mail] = OutboundMessage.objects.filter(idempotency_key=f"inbound-refused:{outcome.inbound_id}")
    assert languages == ["zh-hans"]
    assert mail.subject == "你的邮件未能发布：晚到的回复"
    assert "原因：这个话题已锁定。" in mail.body_text


def test_a_refusal_for_an_inactive_key_member_is_an_smtp_refusal(handler, community, ada):
    ada.is_active = False
    ada.save()
    to = reply_address(person_id=ada.pk, thread_id=3)

    outcome = receive(make_message(to=to), to=to)

    assert (outcome.status, outcome.smtp_code) == (InboundStatus.REJECTED, 550)
    assert not OutboundMessage.objects.exists()


def test_a_handler_failure_is_temporary_keeps_the_raw_message_and_can_be_replayed(
    handler, community, ada, staff, caplog
):
    handler.fail_with = RuntimeError("database hiccup")
    raw = make_message(sender="ada@example.org")

    with caplog.at_level(logging.ERROR, logger="practica.mail.services.inbound"):
        outcome = receive(raw)

    assert (outcome.status, outcome.smtp_code) == (InboundStatus.FAILED, 451)
    assert outcome.smtp_text.startswith("4.3.0 ")
    assert "database hiccup" in caplog.text
    row = InboundMessage.objects.get(pk=outcome.inbound_id)
    assert (row.status, bytes(row.raw)) == (InboundStatus.FAILED, raw)
    assert "RuntimeError: database hiccup" in row.reason

    with pytest.raises(PermissionDenied):
        replay_inbound_message(inbound=row, actor=ada)
    handler.fail_with = None
    replayed = replay_inbound_message(inbound=row, actor=staff)

    assert (replayed.status, replayed.inbound_id) == (InboundStatus.POSTED, row.pk)
    row.refresh_from_db()
    assert row.status == InboundStatus.POSTED
    assert AuditLogEntry.objects.filter(action="mail.inbound.replayed", target_id=row.pk).exists()
    with pytest.raises(ValidationError):
        replay_inbound_message(inbound=row, actor=staff)


# --- Moderation ----------------------------------------------------------------------------------


@pytest.fixture
def held(handler, community):
    outsider = UserFactory(email="bob@example.org")
    outcome = receive(make_message(sender="Bob <bob@example.org>", subject="Hi all"))
    row = InboundMessage.objects.get(pk=outcome.inbound_id)
    assert (row.status, row.person) == (InboundStatus.HELD, outsider)
    return row


@pytest.fixture
def organizer(community):
    return MembershipFactory(community=community, role=MembershipRole.ORGANIZER).person


def test_a_moderator_approves_a_held_message_as_its_sender(handler, community, held, organizer):
    approved = approve_held_message(inbound=held, actor=organizer)

    assert approved.status == InboundStatus.APPROVED
    assert (approved.moderated_by, approved.person) == (organizer, held.person)
    assert approved.moderated_at is not None
    assert approved.result_ref == "post:1"
    assert handler.calls[0][:3] == ("start", community.pk, held.person.pk)
    assert handler.seen_inbound[0].moderated_by == organizer  # the handler can tell
    entry = AuditLogEntry.objects.get(action="mail.inbound.approved")
    assert (entry.actor, entry.target_id, entry.community_id) == (organizer, held.pk, community.pk)
    with pytest.raises(ValidationError, match="approved"):
        approve_held_message(inbound=held, actor=organizer)


def test_approving_mail_from_an_unknown_address_makes_a_placeholder(handler, community, organizer):
    outcome = receive(make_message(sender="Lin Wei <lin.wei@example.net>"))
    row = InboundMessage.objects.get(pk=outcome.inbound_id)

    approve_held_message(inbound=row, actor=organizer)

    author = User.objects.get(email="lin.wei@example.net")
    assert author.is_placeholder
    assert author.display_name == "Lin Wei"
    assert not author.has_usable_password()
    assert handler.calls[0][2] == author.pk


def test_a_refused_approval_changes_nothing(handler, community, held, organizer):
    handler.refuse_with = "Posting too fast."

    with pytest.raises(ValidationError, match="Posting too fast"):
        approve_held_message(inbound=held, actor=organizer)

    held.refresh_from_db()
    assert (held.status, held.moderated_by) == (InboundStatus.HELD, None)
    assert not AuditLogEntry.objects.filter(action="mail.inbound.approved").exists()


def test_a_moderator_discards_a_held_message(handler, held, organizer):
    discarded = discard_held_message(inbound=held, actor=organizer, reason="  Spam  ")

    assert (discarded.status, discarded.reason, discarded.moderated_by) == (
        InboundStatus.DISCARDED,
        "Spam",
        organizer,
    )
    assert AuditLogEntry.objects.get(action="mail.inbound.discarded").data == {"reason": "Spam"}
    with pytest.raises(ValidationError):
        discard_held_message(inbound=held, actor=organizer)
    with pytest.raises(ValidationError):
        approve_held_message(inbound=held, actor=organizer)
    assert handler.calls == []


@pytest.mark.parametrize("role", [None, MembershipRole.MEMBER, MembershipRole.EXECUTIVE_SPONSOR])
def test_only_moderators_may_decide(handler, community, held, role):
    person = UserFactory()
    if role is not None:
        MembershipFactory(community=community, person=person, role=role)

    with pytest.raises(PermissionDenied):
        approve_held_message(inbound=held, actor=person)
    with pytest.raises(PermissionDenied):
        discard_held_message(inbound=held, actor=person)
    held.refresh_from_db()
    assert held.status == InboundStatus.HELD


@pytest.mark.parametrize("role", [MembershipRole.MANAGER, MembershipRole.LEADER, "staff"])
def test_managers_leaders_and_staff_may_decide(handler, community, held, role):
    if role == "staff":
        actor = UserFactory(is_staff=True)
    else:
        actor = MembershipFactory(community=community, role=role).person

    assert discard_held_message(inbound=held, actor=actor).status == InboundStatus.DISCARDED


def test_moderating_a_message_that_is_not_held_is_refused(handler, community, ada, organizer):
    outcome = receive(make_message(sender="ada@example.org"))
    posted = InboundMessage.objects.get(pk=outcome.inbound_id)

    with pytest.raises(ValidationError, match="Posted"):
        discard_held_message(inbound=posted, actor=organizer)


# --- Concurrency (PostgreSQL) ------------------------------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_message_delivered_by_eight_connections_is_handled_once():
    community = CommunityFactory(slug="ml")
    MembershipFactory(community=community, person__email="ada@example.org")
    stranger_raw = make_message(sender="stranger@example.net")
    member_raw = make_message(sender="ada@example.org")
    recording = RecordingListHandler()

    with registered_handler(recording):
        errors = run_concurrently(
            [lambda raw=raw: receive(raw) for raw in [member_raw] * 8 + [stranger_raw] * 8]
        )

    assert errors == []
    assert len(recording.calls) == 1
    statuses = list(InboundMessage.objects.values_list("status", flat=True))
    assert statuses.count(InboundStatus.POSTED) == 1
    assert statuses.count(InboundStatus.HELD) == 1
    assert statuses.count(InboundStatus.DUPLICATE) == 14
    assert connection.vendor == "postgresql"


def test_mail_from_a_claimed_placeholders_address_is_the_claimants(handler, community, ada):
    from practica.people.services import (
        claim_placeholder,
        find_or_create_placeholder,
        placeholder_claim_token,
    )

    old = find_or_create_placeholder(email="ada@old-company.example", display_name="Ada")
    claim_placeholder(claimant=ada, token=placeholder_claim_token(placeholder=old, claimant=ada))

    outcome = receive(make_message(sender="ada@old-company.example"))

    assert outcome.status == InboundStatus.POSTED
    assert handler.calls[0][2] == ada.pk
