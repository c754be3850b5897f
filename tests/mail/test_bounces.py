"""read_bounce over the corpus's delivery notices (RFC 3464 reports and the plain-text notices
of Exim, qmail, sendmail and legacy Exchange), and over everything that is not a bounce."""

from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practica.mail.bounces import BounceReport
from practica.mail.bounces import read_bounce as read_bounce_from_bounces
from practica.mail.parsing import MessageRejected, parse_message, read_bounce

pytestmark = pytest.mark.unit

CORPUS = Path(__file__).parent / "corpus"


def report_of(name: str, envelope_recipients: Sequence[str] = ()) -> BounceReport | None:
    parsed = parse_message((CORPUS / name).read_bytes())
    return read_bounce(parsed, envelope_recipients=envelope_recipients)


BOUNCES = {
    "bounce_postfix.eml": BounceReport(
        recipients=["bob@example.org"],
        status="5.1.1",
        action="failed",
        is_hard=True,
        diagnostic=(
            "550 5.1.1 <bob@example.org>: Recipient address rejected: "
            "User unknown in virtual mailbox table"
        ),
        original_message_id="<outbox-17@lists.example.com>",
        original_envelope_to="ml@lists.example.com",
        verp_token="1f-3a9c0d2e4b5f6a7b",
    ),
    "bounce_exim.eml": BounceReport(
        recipients=["carol@example.net"],
        status="5.1.1",
        action="failed",
        is_hard=True,
        diagnostic="550 5.1.1 <carol@example.net>: Recipient address rejected: User unknown",
        original_message_id="<outbox-21@lists.example.com>",
        original_envelope_to="ml@lists.example.com",
        verp_token="2a-0011223344556677",
    ),
    "bounce_qmail.eml": BounceReport(
        recipients=["dave@example.com"],
        status="5.1.1",
        action="failed",
        is_hard=True,
        diagnostic="Remote host said: 550 5.1.1 <dave@example.com>... User unknown",
        original_message_id="<outbox-33@lists.example.com>",
        original_envelope_to="dave@example.com",
        verp_token="3b-8899aabbccddeeff",
    ),
    "bounce_exchange_o365.eml": BounceReport(
        recipients=["erin@contoso.com"],
        status="5.1.10",
        action="failed",
        is_hard=True,
        # The report has no Diagnostic-Code; Exchange's own words fill in.
        diagnostic="550 5.1.1 RESOLVER.ADR.RecipNotFound; not found",
        original_message_id="<outbox-40@lists.example.com>",
        original_envelope_to="erin@contoso.com",
        verp_token="4c-0123456789abcdef",
    ),
    "bounce_exchange_legacy_text.eml": BounceReport(
        recipients=["dave.miller@example.net"],
        status="5.1.1",
        action="failed",
        is_hard=True,
        diagnostic="550 5.1.1 RESOLVER.ADR.RecipNotFound; not found",
        original_message_id="<outbox-41@lists.example.com>",
        original_envelope_to="ml@lists.example.com",
        verp_token="5d-fedcba9876543210",
    ),
    "bounce_delayed.eml": BounceReport(
        recipients=["gina@slow.example.com"],
        status="4.4.1",
        action="delayed",
        is_hard=False,
        diagnostic="connect to mx.slow.example.com[203.0.113.9]:25: Connection timed out",
        original_message_id="<outbox-60@lists.example.com>",
        original_envelope_to="gina@slow.example.com",
        verp_token="7f-0f1e2d3c4b5a6978",
    ),
    "bounce_sendmail_text.eml": BounceReport(
        recipients=["ivy@old.example.edu"],
        status="5.1.1",
        action="failed",
        is_hard=True,
        diagnostic="(reason: 550 5.1.1 <ivy@old.example.edu>... User unknown)",
        original_message_id="<outbox-70@lists.example.com>",
        original_envelope_to="ivy@old.example.edu",
        verp_token="9b-5555666677778888",
    ),
}


@pytest.mark.parametrize("name", sorted(BOUNCES))
def test_each_bounce_format_is_read(name):
    assert report_of(name) == BOUNCES[name]


@pytest.mark.parametrize("name", sorted(BOUNCES))
def test_raw_bytes_read_the_same_as_a_parsed_message(name):
    assert read_bounce((CORPUS / name).read_bytes()) == BOUNCES[name]


def test_the_parsing_module_offers_the_same_function():
    raw = (CORPUS / "bounce_qmail.eml").read_bytes()
    assert read_bounce(raw) == read_bounce_from_bounces(raw)


def test_gmail_failure_notice():
    report = report_of("bounce_gmail.eml")
    assert report is not None
    assert report.recipients == ["frank.nobody@gmail.com"]
    assert (report.status, report.action, report.is_hard) == ("5.1.1", "failed", True)
    assert report.diagnostic.startswith("550-5.1.1 The email account that you tried to reach")
    assert report.diagnostic.endswith("- gsmtp")  # a folded Diagnostic-Code is unfolded
    assert report.original_message_id == "<outbox-50@lists.example.com>"
    assert report.original_envelope_to == "frank.nobody@gmail.com"
    assert report.verp_token == "6e-a1b2c3d4e5f60718"


def not_bounces() -> list[str]:
    names = []
    for path in sorted(CORPUS.glob("*.eml")):
        if path.name.startswith("bounce_") and path.name != "bounce_success_dsn.eml":
            continue
        try:
            parse_message(path.read_bytes())
        except MessageRejected:
            continue
        names.append(path.name)
    return names


@pytest.mark.parametrize("name", not_bounces())
def test_ordinary_mail_auto_replies_and_success_notices_are_not_bounces(name):
    assert report_of(name) is None


def test_refused_bytes_are_not_a_bounce():
    assert read_bounce(b"") is None
    assert read_bounce(b"\x89PNG\r\n\x1a\n") is None


def test_the_envelope_recipient_names_the_verp_token_first():
    report = report_of(
        "bounce_exim.eml", envelope_recipients=["<BOUNCE+zz9-abc@lists.example.com>"]
    )
    assert report is not None
    assert report.verp_token == "zz9-abc"


def test_a_bounce_without_verp_address_has_no_token():
    raw = (CORPUS / "bounce_qmail.eml").read_bytes()
    raw = raw.replace(b"bounce+3b-8899aabbccddeeff@", b"ml-owner@")
    report = read_bounce(raw)
    assert report is not None
    assert report.verp_token == ""
    assert report.recipients == ["dave@example.com"]


def delivery_report(*recipient_groups: str, text: str = "Delivery report.") -> bytes:
    groups = "\n\n".join(recipient_groups)
    return (
        "From: MAILER-DAEMON@mx.example.org\n"
        "To: bounce+ab-12@lists.example.com\n"
        "Subject: Delivery report\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n"
        f"--r\nContent-Type: text/plain\n\n{text}\n"
        "--r\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; mx.example.org\n\n{groups}\n--r--\n"
    ).encode()


def test_only_failed_recipients_are_reported():
    report = read_bounce(
        delivery_report(
            "Final-Recipient: rfc822; ok@example.org\nAction: delivered\nStatus: 2.0.0",
            "Final-Recipient: rfc822; <Gone@Example.org>\nAction: failed\nStatus: 5.1.1",
            "Final-Recipient: rfc822; full@example.org\nAction: failed\nStatus: 5.2.2",
        )
    )
    assert report is not None
    assert report.recipients == ["gone@example.org", "full@example.org"]
    assert (report.status, report.action, report.is_hard) == ("5.1.1", "failed", True)


def test_a_failure_with_a_temporary_code_is_soft():
    report = read_bounce(
        delivery_report("Final-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 4.2.2")
    )
    assert report is not None
    assert (report.action, report.is_hard) == ("failed", False)


def test_a_failure_with_no_status_is_hard_and_the_status_comes_from_the_diagnostic():
    report = read_bounce(
        delivery_report(
            "Final-Recipient: rfc822; a@example.org\nAction: failed\n"
            "Diagnostic-Code: smtp; 550 5.7.1 Message rejected as spam"
        )
    )
    assert report is not None
    assert (report.status, report.is_hard) == ("5.7.1", True)
    assert report.diagnostic == "550 5.7.1 Message rejected as spam"
    unknown = read_bounce(delivery_report("Final-Recipient: rfc822; a@example.org\nAction: failed"))
    assert unknown is not None
    assert (unknown.status, unknown.is_hard) == ("", True)


def test_an_ip_address_is_not_a_status_code():
    report = read_bounce(
        delivery_report(
            "Final-Recipient: rfc822; a@example.org\nAction: failed\n"
            "Diagnostic-Code: smtp; host 10.5.2.25 refused the connection"
        )
    )
    assert report is not None
    assert report.status == ""


def test_the_diagnostic_is_cut_to_500_characters():
    long_text = "x" * 2_000
    report = read_bounce(
        delivery_report(
            f"Final-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.0.0\n"
            f"Diagnostic-Code: smtp; 550 {long_text}"
        )
    )
    assert report is not None
    assert len(report.diagnostic) == 500


def test_exim_delay_warning_is_soft():
    raw = (
        b"From: Mail Delivery System <Mailer-Daemon@mx.example.net>\n"
        b"To: bounce+2a-1@lists.example.com\n"
        b"Subject: Warning: message 1rhXyZ-000123-AB delayed 24 hours\n"
        b"Auto-Submitted: auto-replied\n\n"
        b"This message was created automatically by mail delivery software.\n"
        b"A message that you sent has not yet been delivered to one or more of its\n"
        b"recipients after more than 24 hours on the queue on mx.example.net.\n\n"
        b"  slow@example.net\n    host mx.example.net [198.51.100.9]\n"
        b"    Delay reason: SMTP error from remote mail server after RCPT TO:<slow@example.net>:\n"
        b"    451 4.3.0 Temporary lookup failure\n\n"
        b"No action is required on your part.\n"
    )
    report = read_bounce(raw)
    assert report is not None
    assert report.recipients == ["slow@example.net"]
    assert (report.action, report.is_hard, report.status) == ("delayed", False, "4.3.0")


def test_a_person_writing_about_undeliverable_mail_is_not_a_bounce():
    raw = (
        b"From: Kim <kim@example.com>\nTo: ml@lists.example.com\n"
        b"Subject: Undeliverable mail from the list?\n\n"
        b"My last message could not be delivered to bob@example.org: user unknown.\n"
    )
    assert read_bounce(raw) is None


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=3_000), st.lists(st.text(max_size=60), max_size=3))
def test_arbitrary_bytes_never_raise(raw, envelope_recipients):
    result = read_bounce(raw, envelope_recipients=envelope_recipients)
    assert result is None or isinstance(result, BounceReport)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=1_500), st.sampled_from(["failed", "delayed", "delivered", "", "x"]))
def test_arbitrary_notice_text_never_raises(text, action):
    raw = delivery_report(f"Final-Recipient: rfc822; a@example.org\nAction: {action}", text=text)
    result = read_bounce(raw)
    assert result is None or isinstance(result, BounceReport)
