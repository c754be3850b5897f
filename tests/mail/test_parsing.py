"""parse_message over the hand-written corpus (tests/mail/corpus), generated hostile input and
fuzzing: it returns a ParsedMessage or raises MessageRejected, and nothing else."""

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practica.mail.parsing import (
    MAX_MIME_DEPTH,
    MessageRejected,
    ParsedMessage,
    decode_header_value,
    is_loop,
    normalize_subject,
    parse_message,
    parse_message_ids,
)

pytestmark = pytest.mark.unit

CORPUS = Path(__file__).parent / "corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.eml"))

# Every corpus file parses, except these, which are refused with this SMTP reply code.
REJECTED = {
    "empty.eml": (550, "5.6.0"),
    "not_mail_binary.eml": (550, "5.6.0"),
    "no_from.eml": (550, "5.6.0"),
    "nothing_at_all.eml": (550, "5.6.0"),
    "two_from_addresses.eml": (550, "5.1.7"),
    "two_from_headers.eml": (550, "5.1.7"),
    "unparseable_from.eml": (550, "5.1.7"),
}


def parsed(name: str) -> ParsedMessage:
    return parse_message((CORPUS / name).read_bytes())


def message(*headers: str, body: str = "Hello.", charset: str = "utf-8") -> bytes:
    head = "\r\n".join(("From: Sender <sender@example.com>", *headers))
    return f"{head}\r\n\r\n{body}".encode(charset)


def test_the_corpus_is_large_enough_to_mean_something():
    assert len(CORPUS_FILES) >= 40


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda path: path.name)
def test_every_corpus_message_parses_or_is_refused_with_its_code(path):
    raw = path.read_bytes()
    if path.name in REJECTED:
        with pytest.raises(MessageRejected) as refused:
            parse_message(raw)
        assert (refused.value.code, refused.value.enhanced) == REJECTED[path.name]
        assert str(refused.value).startswith(f"{refused.value.code} {refused.value.enhanced} ")
        return
    result = parse_message(raw)
    strings = [result.subject, result.from_name, result.text, result.html, result.reply_text]
    strings += list(result.headers.values())
    for value in strings:
        assert "\x00" not in value
        value.encode("utf-8")  # no lone surrogates: every database can store it
    for value in [result.subject, result.from_name, *result.headers.values()]:
        assert "\r" not in value
        assert "\n" not in value
    if result.text.strip():
        assert result.reply_text.strip()
    assert result.date is None or result.date.tzinfo is UTC


# --- Ordinary replies ------------------------------------------------------------------------


def test_gmail_top_posted_reply():
    mail = parsed("gmail_top_posted_reply.eml")
    assert mail.message_id == "<CAF9abc+XyZ=q@mail.gmail.com>"
    assert mail.in_reply_to == ["<CAF5678@mail.gmail.com>"]
    assert mail.references == ["<CAF1234@mail.gmail.com>", "<CAF5678@mail.gmail.com>"]
    assert mail.subject == "Re: [ml] Re: GPU quota for the reading group"
    assert mail.subject_normalized == "GPU quota for the reading group"
    assert (mail.from_name, mail.from_address) == ("Alice Chen", "alice.chen@gmail.com")
    assert mail.to == ["ml@lists.example.com"]
    assert mail.cc == ["bob@example.org"]
    assert mail.date == datetime(2024, 3, 5, 2, 21, 7, tzinfo=UTC)
    assert "> Ask the platform team" in mail.text
    assert 'class="gmail_quote"' in mail.html
    assert mail.reply_text == "Thanks Bob, that worked. I now have 4 A100s for the group.\n\nAlice"
    assert mail.auto_submitted_reason == ""
    assert mail.headers["delivered-to"] == "ml@lists.example.com"
    assert mail.defects == []


def test_gmail_inline_reply_keeps_the_answers_and_drops_quotes_and_signature():
    assert parsed("gmail_inline_reply.eml").reply_text == (
        "Thursdays work for me.\n\nYes, but only with the speaker's consent."
    )


def test_a_forward_keeps_the_forwarded_text():
    mail = parsed("gmail_forward_inline.eml")
    assert mail.subject_normalized == "Call for reviewers"
    assert "We are looking for 20 more reviewers" in mail.reply_text


def test_outlook_reply_with_separator_header_block_and_mobile_footer():
    mail = parsed("outlook_reply.eml")
    assert mail.from_name == "Wang, Li"
    assert mail.to == ["ml@lists.example.com"]
    assert mail.subject_normalized == "Conference CFP deadline"
    assert mail.reply_text == "Is the deadline in Pacific time or UTC?"


def test_outlook_original_message_in_windows_1252():
    mail = parsed("outlook_original_message.eml")
    assert mail.reply_text == "Count me in – I can present the café demo.\n\nMaría"
    assert mail.headers["x-mailer"] == "Microsoft Outlook 16.0"


def test_outlook_chinese_header_block():
    mail = parsed("outlook_chinese_reply.eml")
    assert mail.subject == "答复: [ml] 会议室预订"
    assert mail.subject_normalized == "会议室预订"
    assert mail.from_name == "李娜"
    assert mail.reply_text == "好的，我来预订会议室。"


def test_apple_mail_reply_drops_footer_and_quoted_attribution():
    mail = parsed("apple_mail_reply.eml")
    assert mail.message_id == "<6D1F5A3C-1B2E-4C3D-9E8F-0A1B2C3D4E5F@example.com>"
    assert mail.reply_text == "Sounds great, see you there!"
    assert "\ufeff" not in mail.text


def test_apple_mail_text_around_an_inline_image():
    mail = parsed("apple_mail_inline_image.eml")
    assert mail.text == "Here is the chart:\n\nAs you can see, latency dropped."
    [image] = mail.attachments
    assert (image.filename, image.content_type, image.inline) == ("chart.png", "image/png", True)
    assert image.content_id == "chart-1@example.com"
    assert image.content.startswith(b"\x89PNG")
    assert image.size == len(image.content)


def test_thunderbird_format_flowed_top_posted_with_signature():
    mail = parsed("thunderbird_top_posted.eml")
    assert mail.reply_text == (
        "I'd suggest we move the session to the larger room, since 60 people have "
        "registered so far."
    )


def test_thunderbird_inline_reply_with_delsp():
    assert parsed("thunderbird_inline_reply.eml").reply_text == (
        "Yes, I'll bring two spare ones.\n\nI believe the budget covers sandwiches."
    )


def test_german_reply():
    mail = parsed("german_reply.eml")
    assert mail.subject == "AW: [ml] Schulung für neue Kollegen"
    assert mail.subject_normalized == "Schulung für neue Kollegen"
    assert mail.from_name == "Jürgen Müller"
    assert mail.reply_text == "Gerne übernehme ich die Einführung.\n\nGrüße\nJürgen"


def test_french_reply_with_wrapped_attribution():
    mail = parsed("french_reply.eml")
    assert mail.from_name == "Amélie Durand"
    assert mail.subject_normalized == "Question sur le budget"
    assert mail.reply_text == "Le budget de mars est déjà validé."


# --- Chinese mail ------------------------------------------------------------------------------


def test_gb2312_subject_sender_and_body():
    mail = parsed("chinese_gb2312_reply.eml")
    assert mail.subject == "回复: [ml] 新员工欢迎会"
    assert mail.subject_normalized == "新员工欢迎会"
    assert mail.from_name == "张伟"
    assert mail.reply_text == "我可以在欢迎会上介绍一下我们的社区。"


def test_gbk_raw_subject_is_read_with_the_body_charset():
    mail = parsed("chinese_gbk_foxmail.eml")
    assert mail.subject == "回复：[ml] 预算申请"
    assert mail.subject_normalized == "预算申请"
    assert mail.from_name == "张喆"  # 喆 is in GBK, not in GB2312
    assert mail.reply_text == "收到，谢谢！张喆会准备材料。"


def test_big5_reply():
    mail = parsed("chinese_big5_reply.eml")
    assert mail.subject == "回覆: [ml] 讀書會時間"
    assert mail.subject_normalized == "讀書會時間"
    assert mail.from_name == "林志明"
    assert mail.reply_text == "我們改到週四晚上七點吧。"


def test_utf8_subject_split_inside_a_character_across_encoded_words():
    mail = parsed("chinese_utf8_split_words.eml")
    assert mail.subject == "转发: 新员工入职指南"
    assert mail.subject_normalized == "新员工入职指南"
    assert mail.reply_text == "大家可以先看看这份指南。"


def test_raw_utf8_headers_and_chinese_mobile_footer():
    mail = parsed("chinese_raw_utf8_headers.eml")
    assert (mail.from_name, mail.subject) == ("王芳", "回复：周五的分享会")
    assert mail.subject_normalized == "周五的分享会"
    assert mail.reply_text == "我会准时参加。"


def test_raw_8bit_display_names_use_the_body_charset():
    raw = (
        "From: 张喆 <zhang.zhe@example.com>\r\nSubject: x\r\n"
        "Content-Type: text/plain; charset=gbk\r\n\r\n你好"
    ).encode("gbk")
    mail = parse_message(raw)
    assert (mail.from_name, mail.text) == ("张喆", "你好")


# --- HTML, attachments, structure ------------------------------------------------------------


def test_html_only_mail_becomes_readable_text():
    mail = parsed("html_only.eml")
    assert mail.html.startswith("<!DOCTYPE html>")
    assert "- Request a GPU account\n- Join the #ml-help channel" in mail.text
    assert "Read the guide <https://wiki.example.com/guide> & ask questions." in mail.text
    assert "> What should new hires do first?" in mail.text
    for hidden in ("Ignore this title", "font-family", "alert("):
        assert hidden not in mail.text
    assert mail.reply_text.endswith("Cheers, Dana")
    assert "Eve Adams" not in mail.reply_text


def test_small_attachments_with_encoded_and_hostile_filenames():
    mail = parsed("attachments_small.eml")
    assert mail.text == "The report, the data and the agenda are attached."
    names = [(item.filename, item.content_type) for item in mail.attachments]
    assert names == [
        ("报告.pdf", "application/pdf"),
        ("data.csv", "text/csv"),
        ("日程.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("passwd", "application/octet-stream"),
    ]
    assert mail.attachments[0].content.startswith(b"%PDF-1.4")
    assert mail.attachments[1].content == b"model,latency_ms\nsmall,12\nlarge,48\n"
    assert mail.skipped_attachments == []


def test_oversized_attachment_is_skipped_with_a_reason():
    big = base64.encodebytes(b"x" * 300_000).decode()
    raw = message(
        "Subject: big file",
        'Content-Type: multipart/mixed; boundary="b"',
        body=(
            "--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
            "--b\r\nContent-Type: application/zip\r\n"
            'Content-Disposition: attachment; filename="weights.zip"\r\n'
            f"Content-Transfer-Encoding: base64\r\n\r\n{big}\r\n"
            "--b\r\nContent-Type: text/plain\r\n"
            'Content-Disposition: attachment; filename="notes.txt"\r\n\r\nsmall\r\n--b--\r\n'
        ),
    )
    mail = parse_message(raw, max_attachment_bytes=100_000)
    assert [item.filename for item in mail.attachments] == ["notes.txt"]
    [skipped] = mail.skipped_attachments
    assert (skipped.filename, skipped.content_type, skipped.size) == (
        "weights.zip",
        "application/zip",
        300_000,
    )
    assert "100000" in skipped.reason
    assert mail.text == "See attached."


def test_a_message_over_the_size_limit_is_refused_before_parsing():
    with pytest.raises(MessageRejected) as refused:
        parse_message(message("Subject: x", body="y" * 2_000), max_bytes=1_000)
    assert (refused.value.code, refused.value.enhanced) == (552, "5.3.4")


def test_forwarded_message_is_an_attachment_not_body_text():
    mail = parsed("forwarded_rfc822.eml")
    assert mail.text == "See the forwarded message."
    [forwarded] = mail.attachments
    assert forwarded.content_type == "message/rfc822"
    assert forwarded.filename.endswith(".eml")
    inner = parse_message(forwarded.content)
    assert inner.message_id == "<budget-42@example.com>"
    assert inner.text == "Your budget of 12,000 is approved."


def test_a_message_forwarded_twice_is_kept_whole():
    mail = parsed("nested_rfc822_twice.eml")
    assert mail.text == "Forwarding a forward."
    assert b"The original text." in mail.attachments[0].content


def test_code_fences_keep_their_angle_brackets():
    assert parsed("code_fence_reply.eml").reply_text == (
        "It works, check it in a Python shell:\n\n"
        "```\n>>> import torch\n>>> torch.cuda.is_available()\nTrue\n```"
    )


def test_mixed_line_endings():
    assert parsed("mixed_line_endings.eml").text == "line one\nline two\nline three\nline four"


def test_mbox_from_line_is_not_a_header():
    mail = parsed("mbox_from_line.eml")
    assert mail.from_address == "alice@example.com"
    assert mail.date == datetime(2012, 1, 2, 9, tzinfo=UTC)


def test_threading_headers_are_normalized():
    mail = parsed("threading_headers.eml")
    assert mail.message_id == "<abc123@example.org>"
    assert mail.in_reply_to == ["<id-1@example.com>"]  # not the address in the comment
    assert mail.references == ["<root@example.com>", "<id-0@example.com>", "<id-1@example.com>"]
    assert mail.subject_normalized == "Threading test"
    assert mail.to == ["ml@lists.example.com", "alice@example.com"]
    assert mail.cc == []
    assert mail.date == datetime(2024, 3, 4, 18, 2, tzinfo=UTC)  # -0000 is UTC


def test_a_message_with_only_headers_is_accepted_with_empty_text():
    mail = parsed("headers_only_no_body.eml")
    assert (mail.subject, mail.text, mail.reply_text) == ("Lunch at noon? EOM", "", "")
    assert mail.message_id == ""


def test_references_are_capped_keeping_the_root_and_the_latest():
    ids = " ".join(f"<r{number}@example.com>" for number in range(500))
    mail = parse_message(message("Subject: long thread", f"References: {ids}"))
    assert len(mail.references) == 100
    assert mail.references[0] == "<r0@example.com>"
    assert mail.references[-1] == "<r499@example.com>"


def test_a_missing_or_nonsense_date_is_none():
    assert parse_message(message("Subject: x")).date is None
    assert parse_message(message("Subject: x", "Date: the day after tomorrow")).date is None
    assert (
        parse_message(message("Subject: x", "Date: Mon, 32 Foo 99999 99:99:99 +9999")).date is None
    )


# --- Hostile and malformed ---------------------------------------------------------------------


def test_encoded_newlines_cannot_inject_headers_or_recipients():
    mail = parsed("hostile_header_injection.eml")
    assert mail.subject == "Hello Bcc: victim@example.com"
    assert mail.from_address == "attacker@evil.example"  # the encoded word is only a name
    assert mail.from_name == "victim@example.com X-Injected: yes"
    assert mail.to == ["real@example.com"]  # an encoded comma adds no recipient


def test_bcc_header_and_folded_bcc_lines_add_no_recipient():
    mail = parsed("hostile_bcc_injection.eml")
    assert mail.to == ["ml@lists.example.com"]
    assert mail.cc == ["friend@example.com"]
    assert mail.subject == "Meeting Bcc: victim3@example.com"
    assert mail.headers["x-practica-thread"] == "42 Bcc: victim4@example.com"
    assert not hasattr(mail, "bcc")


def test_nul_bytes_are_removed_and_noted():
    mail = parsed("hostile_nul_bytes.eml")
    assert mail.subject == "nulin the subject"
    assert mail.text == "beforeafter\n\nend"
    assert "NUL bytes were removed" in mail.defects


def test_a_boundary_that_never_appears_leaves_the_body_as_text():
    mail = parsed("malformed_bad_boundary.eml")
    assert "The text of the message." in mail.text
    assert "StartBoundaryNotFoundDefect" in mail.defects


def test_a_multipart_without_boundary_is_read_as_text():
    mail = parsed("malformed_missing_boundary.eml")
    assert mail.text == "Plain words where parts should be."
    assert "NoBoundaryInMultipartDefect" in mail.defects


def test_unknown_charsets_fall_back_to_utf8_then_latin1():
    mail = parsed("malformed_unknown_charset.eml")
    assert mail.subject == "Grüße aus ÿ Berlin"
    assert mail.text == (
        "Grüße aus Berlin\n\ncafé in Latin-1\n\ndeclared as a codec that is not a charset"
    )
    assert "unknown charset 'x-unknown'; decoded as UTF-8 or Latin-1" in mail.defects
    assert "unknown charset 'idna'; decoded as UTF-8 or Latin-1" in mail.defects


def test_broken_base64_and_quoted_printable_decode_what_they_can():
    mail = parsed("malformed_broken_base64.eml")
    assert mail.subject == "Broken base6 encoded"
    assert mail.text == "Hello world\n\nSoftbreak and a bad escape =ZZ here"
    assert mail.attachments[0].filename == "truncated.pdf"


def test_ten_thousand_headers():
    headers = [f"X-Filler-{number}: value {number}" for number in range(10_000)]
    mail = parse_message(message("Subject: crowded", *headers))
    assert (mail.subject, mail.text) == ("crowded", "Hello.")
    assert "10002 header fields" in mail.defects


def nested_multiparts(levels: int) -> bytes:
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="level{level}"\r\n\r\n--level{level}\r\n'
        for level in range(levels)
    )
    closing = "".join(f"--level{level}--\r\n" for level in reversed(range(levels)))
    return (
        "From: Deep <deep@example.com>\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
        f"{opening}Content-Type: text/plain\r\n\r\nat the bottom\r\n{closing}"
    ).encode()


def nested_messages(levels: int) -> bytes:
    layers = "".join(
        "Content-Type: message/rfc822\r\n\r\nFrom: inner@example.com\r\n" for _ in range(levels)
    )
    return (
        f"From: Deep <deep@example.com>\r\nSubject: deep\r\n{layers}"
        "Content-Type: text/plain\r\n\r\nat the bottom\r\n"
    ).encode()


@pytest.mark.parametrize("levels", [MAX_MIME_DEPTH - 1, 300, 3_000])
def test_deeply_nested_multiparts_never_recurse_too_far(levels):
    mail = parse_message(nested_multiparts(levels))
    assert mail.subject == "deep"
    if levels < MAX_MIME_DEPTH:
        assert mail.text == "at the bottom"
    else:
        assert f"MIME parts nested deeper than {MAX_MIME_DEPTH} were ignored" in mail.defects


@pytest.mark.parametrize("levels", [5, 300, 3_000])
def test_deeply_nested_messages_never_recurse_too_far(levels):
    mail = parse_message(nested_messages(levels))
    [returned] = mail.attachments
    assert returned.content_type == "message/rfc822"
    assert b"at the bottom" in returned.content


def test_header_decoding_collapses_every_kind_of_line_break():
    decoded = decode_header_value("=?utf-8?B?YQ0KYgpjDWQJZQ==?= f\r\n g\u2028h")
    assert decoded == "a b c d e f g h"


def test_message_ids_without_brackets_and_with_comments():
    assert parse_message_ids("abc@example.com") == ["<abc@example.com>"]
    assert parse_message_ids("<a@x> (from <b@y>) <a@x> <c@z>") == ["<a@x>", "<c@z>"]
    assert parse_message_ids("") == []


@pytest.mark.parametrize(
    ("subject", "normalized"),
    [
        ("Re: Hello", "Hello"),
        ("RE:Re: FW: Fwd: Hello", "Hello"),
        ("AW: WG: SV: VS: Hello", "Hello"),
        ("回复: 答复：转发: Hello", "Hello"),
        ("Re[3]: Re(2): Hello", "Hello"),
        ("[ml] Re: [ml] Hello", "Hello"),
        ("  Re:   Hello   world ", "Hello world"),
        ("Re:", ""),
        ("Regarding the plan", "Regarding the plan"),
        ("R: stats in R", "R: stats in R"),
        ("Hello [ml]", "Hello [ml]"),
    ],
)
def test_subject_normalization(subject, normalized):
    assert normalize_subject(subject) == normalized


# --- Automatic replies and loops ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("auto_reply_rfc3834.eml", "Auto-Submitted: auto-replied"),
        ("auto_reply_outlook_oof.eml", "X-Auto-Response-Suppress: All"),
        ("auto_reply_precedence_bulk.eml", "Precedence: bulk"),
        ("auto_reply_chinese_subject.eml", "subject of an automatic reply"),
        ("auto_reply_german_subject.eml", "subject of an automatic reply"),
        ("auto_reply_lotus_auto.eml", "subject of an automatic reply"),
        ("auto_reply_x_autoreply.eml", "x-autoreply: yes"),
        (
            "auto_reply_exchange_rule.eml",
            "x-ms-exchange-generated-message-source: Mailbox Rules Agent",
        ),
        ("loop_own_list_mail.eml", "Precedence: list"),
        ("bounce_qmail.eml", "sender: mailer-daemon@mail.example.com"),
        ("bounce_exim.eml", "Auto-Submitted: auto-replied"),
    ],
)
def test_automatic_mail_says_why(name, reason):
    assert parsed(name).auto_submitted_reason == reason


@pytest.mark.parametrize(
    "headers",
    [
        ("X-Autorespond: vacation",),
        ("X-Auto-Response-Suppress: DR, OOF, AutoReply",),
        ("Precedence: junk",),
        ("X-Autogenerated: Reply",),
        ("X-MS-Exchange-Inbox-Rules-Loop: someone@example.com",),
        ("Return-Path: < >",),
        ("Subject: Out of Office: back on Monday",),
        ("Subject: Automatic reply: Hello",),
        ("Subject: 自动回复：我在休假",),
    ],
)
def test_more_automatic_mail_signals(headers):
    assert parse_message(message(*headers, "Subject: x")).auto_submitted_reason


def test_postmaster_is_automatic():
    raw = b"From: postmaster@example.com\r\nSubject: x\r\n\r\ny"
    assert parse_message(raw).auto_submitted_reason == "sender: postmaster@example.com"


@pytest.mark.parametrize(
    "headers",
    [
        ("Subject: Re: Out of office policy",),
        ("Auto-Submitted: no",),
        ("X-Autoreply: no",),
        ("X-Auto-Response-Suppress: DR, RN",),
        ("Precedence: first-class",),
    ],
)
def test_people_are_not_automatic(headers):
    assert parse_message(message("Subject: x", *headers)).auto_submitted_reason == ""


def test_our_own_list_mail_is_a_loop():
    mail = parsed("loop_own_list_mail.eml")
    assert is_loop(mail, our_loop_marker="practica@lists.example.com")
    assert is_loop(mail, our_loop_marker="PRACTICA@lists.example.com")
    assert is_loop(mail, our_loop_marker="other@example.com", our_domain="lists.example.com")
    assert is_loop(mail, our_loop_marker="", our_domain="@LISTS.example.com")
    assert not is_loop(mail, our_loop_marker="other@example.com", our_domain="example.com")


def test_another_lists_x_loop_is_not_ours():
    mail = parse_message(message("Subject: x", "X-Loop: html@lists.example.com", "X-Loop: a, b"))
    assert mail.headers["x-loop"] == "html@lists.example.com, a, b"
    assert not is_loop(mail, our_loop_marker="ml@lists.example.com", our_domain="lists.example.com")
    assert is_loop(mail, our_loop_marker="b")


def test_a_person_is_not_a_loop():
    assert not is_loop(
        parsed("gmail_top_posted_reply.eml"),
        our_loop_marker="practica@lists.example.com",
        our_domain="lists.example.com",
    )


# --- Fuzzing --------------------------------------------------------------------------------------

fuzz = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def parse_or_refuse(raw: bytes) -> ParsedMessage | MessageRejected:
    try:
        return parse_message(raw)
    except MessageRejected as refused:
        return refused


@fuzz
@given(st.binary(max_size=3_000))
def test_arbitrary_bytes_parse_or_are_refused(raw):
    result = parse_or_refuse(raw)
    if isinstance(result, MessageRejected):
        assert result.code in (550, 552)


header_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=120).map(
    lambda text: text.replace("\r", " ").replace("\n", " ")
)
transfer_encodings = st.sampled_from(["7bit", "base64", "quoted-printable", "x-uuencode", "bogus"])
header_names = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,20}", fullmatch=True)


@st.composite
def raw_messages(draw: st.DrawFn) -> bytes:
    content_type = draw(
        st.sampled_from(
            [
                "text/plain",
                "text/html",
                "multipart/mixed",
                "multipart/alternative; boundary=x",
                "message/rfc822",
                "image/png",
            ]
        )
    )
    charset = draw(st.sampled_from(["utf-8", "gb2312", "big5", "x-unknown", "utf-7", "idna", ""]))
    lines = [
        f"From: {draw(header_text)} <someone@example.com>",
        f"Subject: {draw(header_text)}",
        *(
            f"{key}: {value}"
            for key, value in draw(st.lists(st.tuples(header_names, header_text), max_size=8))
        ),
        f"Content-Type: {content_type}; charset={charset}",
        f"Content-Transfer-Encoding: {draw(transfer_encodings)}",
    ]
    body = draw(st.text(max_size=500))
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8", "surrogatepass")


@fuzz
@given(raw_messages())
def test_arbitrary_headers_and_bodies_parse_or_are_refused(raw):
    result = parse_or_refuse(raw)
    if isinstance(result, MessageRejected):
        assert result.code in (550, 552)
    else:
        assert "\n" not in result.subject
        assert "\x00" not in result.text
