"""Bounces: recorded per failed recipient, hard ones counted, dead mailboxes suspended and the
member told on the site, where they can resume delivery."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from practica.core.models import AuditLogEntry
from practica.mail.addresses import bounce_address
from practica.mail.models import Bounce, BounceKind, InboundStatus, InboundVia, MailboxHealth
from practica.mail.services.bounces import (
    BOUNCE_STALE_AFTER,
    is_mail_suspended,
    resume_mail_delivery,
)
from practica.mail.services.inbound import receive_message
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import DEFAULT_PASSWORD, UserFactory
from tests.mail.inbound_doubles import RecordingListHandler, list_to, make_dsn, registered_handler

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def handler():
    with registered_handler(RecordingListHandler()) as recording:
        yield recording


@pytest.fixture
def ada(db):
    community = CommunityFactory(slug="ml")
    return MembershipFactory(community=community, person__email="ada@example.org").person


def bounce(person, *, status="5.1.1", failed=None, action="failed"):
    """A DSN for mail to `person`, returned to their VERP address."""
    return receive_message(
        raw=make_dsn(failed=failed or person.email, status=status, action=action),
        envelope_from="",
        recipient=bounce_address(person_id=person.pk),
        via=InboundVia.LMTP,
    )


def health(person) -> MailboxHealth:
    return MailboxHealth.objects.get(person=person)


def test_a_hard_bounce_is_recorded_for_the_member_the_verp_address_names(ada, handler):
    # The report names an old forwarding address: the VERP key still says whose mail it was.
    outcome = bounce(ada, failed="ada.old@forward.example.net")

    assert (outcome.status, outcome.smtp_code) == (InboundStatus.BOUNCE, 250)
    [row] = Bounce.objects.all()
    assert (row.person, row.address, row.kind, row.status_code) == (
        ada,
        "ada.old@forward.example.net",
        BounceKind.HARD,
        "5.1.1",
    )
    assert "User unknown" in row.diagnostic
    assert row.inbound_id == outcome.inbound_id
    assert health(ada).hard_bounces == 1
    assert health(ada).suspended_at is None
    assert handler.calls == []


def test_three_hard_bounces_in_a_row_suspend_delivery(ada, settings):
    settings.MAIL_HARD_BOUNCES_BEFORE_SUSPENDING = 3

    bounce(ada)
    bounce(ada)
    assert not is_mail_suspended(ada)
    bounce(ada)

    assert health(ada).hard_bounces == 3
    assert health(ada).suspended_at is not None
    assert is_mail_suspended(ada)
    entry = AuditLogEntry.objects.get(action="mail.delivery_suspended")
    assert (entry.actor, entry.target_id) == (None, ada.pk)
    bounce(ada)  # a fourth one suspends nothing more
    assert AuditLogEntry.objects.filter(action="mail.delivery_suspended").count() == 1


def test_soft_bounces_never_suspend(ada):
    for _ in range(5):
        outcome = bounce(ada, status="4.2.2", action="delayed")
        assert outcome.status == InboundStatus.BOUNCE

    assert set(Bounce.objects.values_list("kind", flat=True)) == {BounceKind.SOFT}
    assert health(ada).hard_bounces == 0
    assert not is_mail_suspended(ada)


def test_hard_bounces_far_apart_start_a_new_count(ada):
    bounce(ada)
    bounce(ada)
    MailboxHealth.objects.filter(person=ada).update(
        last_bounce_at=timezone.now() - BOUNCE_STALE_AFTER - timedelta(hours=1)
    )

    bounce(ada)

    assert health(ada).hard_bounces == 1
    assert not is_mail_suspended(ada)


def test_a_bounce_sent_to_the_list_address_is_matched_by_address(ada):
    outcome = receive_message(
        raw=make_dsn(failed="ADA@example.org"),
        envelope_from="",
        recipient=list_to("ml"),
        via=InboundVia.SMTP,
    )

    assert outcome.status == InboundStatus.BOUNCE
    assert Bounce.objects.get().person == ada
    assert health(ada).hard_bounces == 1


def test_a_bounce_for_an_address_nobody_has_is_kept_without_a_person(ada):
    receive_message(
        raw=make_dsn(failed="nobody@example.net"),
        envelope_from="",
        recipient=list_to("ml"),
        via=InboundVia.SMTP,
    )

    assert Bounce.objects.get().person is None
    assert not MailboxHealth.objects.exists()


def test_a_bounce_to_a_forged_key_attributes_nobody(ada):
    genuine = bounce_address(person_id=ada.pk)
    local, domain = genuine.split("@")
    forged = f"{local[:-4]}beef@{domain}"

    outcome = receive_message(
        raw=make_dsn(failed=ada.email), envelope_from="", recipient=forged, via=InboundVia.SMTP
    )

    assert (outcome.status, outcome.smtp_code) == (InboundStatus.REJECTED, 550)
    assert not Bounce.objects.exists()
    assert not MailboxHealth.objects.exists()


def test_the_same_report_delivered_twice_counts_once(ada):
    raw = make_dsn(failed=ada.email)
    to = bounce_address(person_id=ada.pk)

    first = receive_message(raw=raw, envelope_from="", recipient=to, via=InboundVia.SMTP)
    second = receive_message(raw=raw, envelope_from="", recipient=to, via=InboundVia.SMTP)

    assert (first.status, second.status) == (InboundStatus.BOUNCE, InboundStatus.DUPLICATE)
    assert health(ada).hard_bounces == 1


def test_mail_to_the_bounce_address_that_reports_nothing_is_ignored(ada):
    raw = (
        b"From: ada@example.org\r\nTo: someone\r\nSubject: hello\r\n"
        b"Message-ID: <x1@mail.example.org>\r\n\r\nJust a note.\r\n"
    )

    outcome = receive_message(
        raw=raw, envelope_from="", recipient=bounce_address(person_id=ada.pk), via=InboundVia.SMTP
    )

    assert (outcome.status, outcome.smtp_code) == (InboundStatus.BOUNCE, 250)
    assert not Bounce.objects.exists()


# --- Resuming ----------------------------------------------------------------------------------


@pytest.fixture
def suspended(ada, settings):
    settings.MAIL_HARD_BOUNCES_BEFORE_SUSPENDING = 1
    bounce(ada)
    assert is_mail_suspended(ada)
    return ada


def test_the_member_resumes_delivery(suspended):
    resumed = resume_mail_delivery(person=suspended, actor=suspended)

    assert resumed is not None
    assert (resumed.hard_bounces, resumed.suspended_at) == (0, None)
    assert not is_mail_suspended(suspended)
    assert AuditLogEntry.objects.get(action="mail.delivery_resumed").actor == suspended


def test_only_the_member_or_staff_may_resume(suspended):
    with pytest.raises(PermissionDenied):
        resume_mail_delivery(person=suspended, actor=UserFactory())
    assert is_mail_suspended(suspended)

    resume_mail_delivery(person=suspended, actor=UserFactory(is_staff=True))
    assert not is_mail_suspended(suspended)


def test_resuming_without_bounces_changes_nothing(ada):
    assert resume_mail_delivery(person=ada, actor=ada) is None
    assert not AuditLogEntry.objects.exists()


def test_the_home_page_warns_a_suspended_member_and_the_button_resumes(client, suspended):
    client.login(email=suspended.email, password=DEFAULT_PASSWORD)

    page = client.get(reverse("home"))

    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="mailbox-suspended"' in html
    assert reverse("mail:resume_delivery") in html

    response = client.post(reverse("mail:resume_delivery"), {"next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not is_mail_suspended(suspended)
    assert 'id="mailbox-suspended"' not in client.get(reverse("home")).content.decode()


def test_the_home_page_says_nothing_when_mail_is_delivered(client, ada):
    client.login(email=ada.email, password=DEFAULT_PASSWORD)

    assert 'id="mailbox-suspended"' not in client.get(reverse("home")).content.decode()


def test_the_resume_button_needs_a_signed_in_post(client, suspended):
    assert client.get(reverse("mail:resume_delivery")).status_code in (302, 405)
    assert client.post(reverse("mail:resume_delivery")).status_code == 302  # to sign in
    assert is_mail_suspended(suspended)


CORPUS = Path(__file__).parent / "corpus"
MTA_REPORTS = sorted(
    path.name for path in CORPUS.glob("bounce_*.eml") if "success" not in path.name
)


@pytest.mark.parametrize("name", MTA_REPORTS)
def test_reports_of_several_mtas_are_recorded_for_the_verp_member(name):
    raw = (CORPUS / name).read_bytes()
    person = UserFactory()
    delayed = "delayed" in name

    outcome = receive_message(
        raw=raw,
        envelope_from="",
        recipient=bounce_address(person_id=person.pk),
        via=InboundVia.SMTP,
    )

    assert (outcome.status, outcome.smtp_code) == (InboundStatus.BOUNCE, 250)
    [row] = Bounce.objects.all()
    assert row.person == person
    assert "@" in row.address
    assert row.kind == (BounceKind.SOFT if delayed else BounceKind.HARD)
    assert row.status_code[:1] == ("4" if delayed else "5")
    assert health(person).hard_bounces == (0 if delayed else 1)


def test_a_success_notice_records_no_bounce(ada):
    outcome = receive_message(
        raw=(CORPUS / "bounce_success_dsn.eml").read_bytes(),
        envelope_from="",
        recipient=bounce_address(person_id=ada.pk),
        via=InboundVia.SMTP,
    )

    assert outcome.status == InboundStatus.BOUNCE
    assert not Bounce.objects.exists()
    assert not MailboxHealth.objects.exists()
