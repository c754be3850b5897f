"""Reading mbox archives and threading them: mbox flavours, gzip, Pipermail's obfuscation,
Message-ID / In-Reply-To / References threading (out of order, missing parents, duplicates,
cycles), the subject fallback, and messages without a Message-ID."""

import gzip
from datetime import UTC, datetime

import pytest

from practica.mail.archive import (
    SYNTHETIC_ID_DOMAIN,
    headers_an_import_reads,
    is_reply_subject,
    read_archive,
    subject_key,
    thread_title,
)
from practica.mail.mbox import NotAnMbox, deobfuscate_pipermail_headers, read_mbox
from practica.mail.mime import normalize_message_id


def mail(
    message_id: str | None = "<a@example.com>",
    *,
    subject: str = "Learning rate warmup?",
    sender: str = "Ana Lima <ana@example.com>",
    date: str | None = "Mon, 03 Mar 2014 09:00:00 +0000",
    in_reply_to: str | None = None,
    references: str | None = None,
    body: str = "How long should the warmup be?",
    headers: str = "",
    postmark: str = "ana@example.com Mon Mar  3 09:00:00 2014",
) -> str:
    lines = [f"From {postmark}", f"From: {sender}", f"Subject: {subject}"]
    if date is not None:
        lines.append(f"Date: {date}")
    if message_id is not None:
        lines.append(f"Message-ID: {message_id}")
    if in_reply_to:
        lines.append(f"In-Reply-To: {in_reply_to}")
    if references:
        lines.append(f"References: {references}")
    if headers:
        lines.append(headers)
    return "\n".join([*lines, "", body, "", ""])


def write(tmp_path, *messages: str, name: str = "list.mbox") -> str:
    path = tmp_path / name
    path.write_bytes("".join(messages).encode())
    return str(path)


def read(tmp_path, *messages: str):
    return read_archive([write(tmp_path, *messages)], workers=1)


def shape(reading):
    """Each conversation as (root id, [reply ids in date order])."""
    return [(c.root.key, [m.key for m in c.replies]) for c in reading.conversations]


def test_a_reply_chain_by_references_is_one_conversation_in_date_order(tmp_path):
    reading = read(
        tmp_path,
        mail("<a@x>"),
        mail(
            "<b@x>",
            subject="Re: Learning rate warmup?",
            date="Mon, 03 Mar 2014 10:00:00 +0000",
            in_reply_to="<a@x>",
            references="<a@x>",
        ),
        mail(
            "<c@x>",
            subject="Re: Learning rate warmup?",
            date="Mon, 03 Mar 2014 11:00:00 +0000",
            references="<a@x> <b@x>",
        ),
    )
    assert shape(reading) == [("<a@x>", ["<b@x>", "<c@x>"])]
    replies = reading.conversations[0].replies
    assert [m.parent_key for m in replies] == ["<a@x>", "<b@x>"]
    assert [m.nearest_parent_key for m in replies] == ["<a@x>", "<b@x>"]
    assert reading.messages_read == 3


def test_in_reply_to_alone_threads(tmp_path):
    reading = read(
        tmp_path,
        mail("<a@x>"),
        mail("<b@x>", date="Mon, 03 Mar 2014 10:00:00 +0000", in_reply_to="<a@x>"),
    )
    assert shape(reading) == [("<a@x>", ["<b@x>"])]


def test_replies_before_their_parent_in_the_file_still_thread(tmp_path):
    reading = read(
        tmp_path,
        mail("<c@x>", date="Wed, 05 Mar 2014 09:00:00 +0000", references="<a@x> <b@x>"),
        mail("<b@x>", date="Tue, 04 Mar 2014 09:00:00 +0000", references="<a@x>"),
        mail("<a@x>", date="Mon, 03 Mar 2014 09:00:00 +0000"),
    )
    assert shape(reading) == [("<a@x>", ["<b@x>", "<c@x>"])]
    assert reading.conversations[0].replies[1].parent_key == "<b@x>"


def test_references_naming_ids_out_of_order_keep_the_first_links(tmp_path):
    reading = read(
        tmp_path,
        mail("<a@x>"),
        mail("<b@x>", date="Mon, 03 Mar 2014 10:00:00 +0000", references="<a@x>"),
        # Names its ancestors in the wrong order: the link a → b already made stands.
        mail("<c@x>", date="Mon, 03 Mar 2014 11:00:00 +0000", references="<b@x> <a@x>"),
    )
    assert shape(reading) == [("<a@x>", ["<b@x>", "<c@x>"])]
    assert reading.conversations[0].replies[1].parent_key == "<a@x>"


def test_a_missing_parent_is_remembered_as_an_outside_reference(tmp_path):
    reading = read(
        tmp_path,
        mail("<b@x>", date="Mon, 03 Mar 2014 10:00:00 +0000", references="<gone@x>"),
        mail("<c@x>", date="Mon, 03 Mar 2014 11:00:00 +0000", references="<gone@x>"),
    )
    [conversation] = reading.conversations
    assert conversation.root.key == "<b@x>"
    assert [m.key for m in conversation.replies] == ["<c@x>"]
    assert conversation.outside_references == ("<gone@x>",)
    # Both answer the missing message; neither answers the other.
    assert conversation.replies[0].parent_key == "<gone@x>"
    assert conversation.replies[0].nearest_parent_key == ""


def test_the_same_message_twice_is_read_once(tmp_path):
    reading = read(tmp_path, mail("<a@x>"), mail("<a@x>"))
    assert shape(reading) == [("<a@x>", [])]
    assert reading.duplicates == 1
    assert reading.messages_read == 2


def test_another_message_under_a_used_id_is_kept_under_its_own(tmp_path):
    reading = read(
        tmp_path,
        mail("<a@x>"),
        mail("<a@x>", body="Something else entirely", date="Tue, 04 Mar 2014 09:00:00 +0000"),
    )
    keys = [c.root.key for c in reading.conversations]
    assert keys[0] == "<a@x>"
    assert keys[1].endswith(f"@{SYNTHETIC_ID_DOMAIN}>")
    assert reading.duplicates == 0


def test_reference_cycles_do_not_loop(tmp_path):
    reading = read(
        tmp_path,
        mail("<a@x>", references="<b@x>"),
        mail("<b@x>", date="Mon, 03 Mar 2014 10:00:00 +0000", references="<a@x>"),
        mail("<c@x>", date="Mon, 03 Mar 2014 11:00:00 +0000", references="<c@x> <c@x>"),
    )
    # a names b as its parent, then b names a: the second link would close a loop, so b
    # stays on top. A message naming itself stands alone.
    assert shape(reading) == [("<b@x>", ["<a@x>"]), ("<c@x>", [])]


def test_subject_fallback_joins_a_reply_without_references(tmp_path):
    reading = read(
        tmp_path,
        mail("<a@x>", subject="[ml] GPU quota for interns?"),
        mail(
            "<b@x>",
            subject="RE: [ml] GPU  quota for interns?",
            date="Mon, 10 Mar 2014 09:00:00 +0000",
        ),
        mail(
            "<c@x>",
            subject="回复：GPU quota for interns?",
            date="Tue, 11 Mar 2014 09:00:00 +0000",
        ),
    )
    assert shape(reading) == [("<a@x>", ["<b@x>", "<c@x>"])]


def test_subject_fallback_needs_a_reply_marker_and_the_window(tmp_path):
    reading = read(
        tmp_path,
        mail("<a@x>", subject="GPU quota for interns?"),
        # The same subject without "Re:": someone else asking the same thing.
        mail("<b@x>", subject="GPU quota for interns?", date="Tue, 04 Mar 2014 09:00:00 +0000"),
        # A reply 60 days after the last message: too late to be a reply to it.
        mail("<c@x>", subject="Re: GPU quota for interns?", date="Mon, 05 May 2014 09:00:00 +0000"),
    )
    assert shape(reading) == [("<a@x>", []), ("<b@x>", []), ("<c@x>", [])]
    assert reading.conversations[2].answers_by_subject_only


def test_a_message_without_message_id_gets_a_stable_synthetic_one(tmp_path):
    first = read(tmp_path, mail(None, body="No id here"))
    again = read(tmp_path, mail(None, body="No id here"))
    other = read(tmp_path, mail(None, body="Another text"))
    key = first.conversations[0].root.key
    assert key.startswith("<")
    assert key.endswith(f"@{SYNTHETIC_ID_DOMAIN}>")
    assert again.conversations[0].root.key == key
    assert other.conversations[0].root.key != key
    assert not first.conversations[0].root.has_message_id


def test_a_message_without_date_takes_its_postmark_date(tmp_path):
    reading = read(tmp_path, mail("<a@x>", date=None, postmark="ana@x Tue Mar  4 10:01:02 2014"))
    assert reading.conversations[0].root.date == datetime(2014, 3, 4, 10, 1, 2, tzinfo=UTC)


def test_unreadable_messages_are_counted_by_reason(tmp_path):
    reading = read(
        tmp_path,
        mail("<a@x>"),
        mail("<b@x>", sender="nobody"),  # no address in From
        "From x@y Mon Mar  3 09:00:00 2014\nSubject: no sender at all\n\nHi\n\n",
        mail("<c@x>", headers="Auto-Submitted: auto-replied", subject="Out of office"),
        # Mailman's "Precedence: bulk" on list mail is not an auto-reply.
        mail("<d@x>", headers="Precedence: bulk", subject="Tooling news"),
    )
    assert [c.root.key for c in reading.conversations] == ["<a@x>", "<d@x>"]
    assert reading.messages_read == 5
    assert sum(reading.skipped.values()) == 3
    assert reading.skipped["automatic reply"] == 1


def test_reply_text_drops_quotes_signature_and_the_list_footer(tmp_path):
    body = (
        "Use a linear warmup.\n\n"
        "On Mon, Mar 3, 2014 at 9:00 AM, Ana <ana@example.com> wrote:\n"
        "> How long should the warmup be?\n"
        "\n-- \nBen\n"
        "_______________________________________________\n"
        "ML mailing list\nML@lists.example.com\nhttp://lists.example.com/mailman/listinfo/ml\n"
    )
    reading = read(tmp_path, mail("<a@x>", body=body))
    assert reading.conversations[0].root.body == "Use a linear warmup."


def test_mboxrd_quoting_is_undone_and_postmark_like_body_lines_do_not_split(tmp_path):
    body = ">From the logs it diverges.\n>>From here it is quoted twice.\nFrom my experience, no."
    path = write(tmp_path, mail("<a@x>", body=body), mail("<b@x>", subject="Other"))
    first, second = read_mbox(path)
    assert b"\nFrom the logs it diverges.\n>From here it is quoted twice.\nFrom my" in first.raw
    assert b"Subject: Other" in second.raw
    reading = read_archive([path], workers=1)
    assert len(reading.conversations) == 2
    assert "From my experience, no." in reading.conversations[0].root.body


def test_mboxcl2_content_length_keeps_an_unquoted_from_line_inside(tmp_path):
    body = "Before\n\nFrom ana@x Mon Mar  3 09:00:00 2014 looks like a postmark\nAfter\n"
    head = (
        "From ana@x Mon Mar  3 09:00:00 2014\nFrom: Ana <ana@x.org>\nSubject: cl2\n"
        f"Message-ID: <cl@x>\nContent-Length: {len(body)}\n\n"
    )
    path = write(tmp_path, head + body + "\n", mail("<b@x>", subject="Next"))
    reading = read_archive([path], workers=1)
    assert [c.root.key for c in reading.conversations] == ["<cl@x>", "<b@x>"]
    assert "looks like a postmark\nAfter" in reading.conversations[0].root.body


def test_a_stale_content_length_falls_back_to_postmarks(tmp_path):
    head = (
        "From ana@x Mon Mar  3 09:00:00 2014\nFrom: Ana <ana@x.org>\nSubject: stale\n"
        "Message-ID: <s@x>\nContent-Length: 99999\n\nShort body.\n\n"
    )
    path = write(tmp_path, head, mail("<b@x>", subject="Next"))
    reading = read_archive([path], workers=1)
    assert [c.root.key for c in reading.conversations] == ["<s@x>", "<b@x>"]


def test_gzip_archives_are_read(tmp_path):
    path = tmp_path / "2014-March.txt.gz"
    path.write_bytes(gzip.compress((mail("<a@x>") + mail("<b@x>", in_reply_to="<a@x>")).encode()))
    reading = read_archive([str(path)], workers=1)
    assert shape(reading) == [("<a@x>", ["<b@x>"])]
    progress = []
    list(read_mbox(path, progress=progress.append))
    assert sum(progress) == path.stat().st_size


def test_pipermail_obfuscated_addresses_and_ids_are_restored(tmp_path):
    pipermail = (
        "From jdoe at example.com  Mon Mar  3 09:00:00 2014\n"
        "From: jdoe at example.com (John Doe)\n"
        "Date: Mon, 03 Mar 2014 09:00:00 +0000\n"
        "Subject: [ML] Tokenizer for Chinese?\n"
        "Message-ID: <5313 at mail.example.com>\n\n"
        "Which tokenizer do you use?\n"
        "-------------- next part --------------\n"
        "An HTML attachment was scrubbed...\n"
        "URL: <http://lists.example.com/pipermail/ml/attachments/a.html>\n\n"
        "From mei at example.org  Mon Mar  3 12:00:00 2014\n"
        "From: mei at example.org (Mei Chen)\n"
        "Date: Mon, 03 Mar 2014 12:00:00 +0000\n"
        "Subject: [ML] Tokenizer for Chinese?\n"
        "In-Reply-To: <5313 at mail.example.com>\n"
        "References: <5313 at mail.example.com>\n"
        "Message-ID: <5314 at mail.example.org>\n\n"
        "jieba works.\n\n"
    )
    path = tmp_path / "2014-March.txt"
    path.write_text(pipermail)
    reading = read_archive([str(path)], workers=1)
    [conversation] = reading.conversations
    root, reply = conversation.root, conversation.replies[0]
    assert (root.key, root.from_address, root.from_name) == (
        "<5313@mail.example.com>",
        "jdoe@example.com",
        "John Doe",
    )
    assert root.body == "Which tokenizer do you use?"
    assert root.title == "Tokenizer for Chinese?"
    assert (reply.key, reply.from_address, reply.parent_key) == (
        "<5314@mail.example.org>",
        "mei@example.org",
        "<5313@mail.example.com>",
    )


def test_deobfuscation_leaves_other_headers_and_the_body_alone():
    raw = b"From: a at b.com\nSubject: meet at noon.today\n\nsee you at home.com\n"
    assert deobfuscate_pipermail_headers(raw) == (
        b"From: a@b.com\nSubject: meet at noon.today\n\nsee you at home.com\n"
    )


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(NotAnMbox, match="no such file"):
        read_archive([str(tmp_path / "nope.mbox")])


def test_a_file_that_is_not_an_mbox_is_refused_before_reading_anything(tmp_path):
    good = write(tmp_path, mail("<a@x>"), name="good.mbox")
    bad = tmp_path / "message.eml"
    bad.write_text("From: a@b.com\nSubject: hi\n\nhello\n")
    with pytest.raises(NotAnMbox, match="not an mbox"):
        read_archive([good, str(bad)])
    empty = tmp_path / "empty.mbox"
    empty.write_bytes(b"")
    with pytest.raises(NotAnMbox, match="empty"):
        read_archive([str(empty)])


def test_threads_span_several_files(tmp_path):
    march = write(tmp_path, mail("<a@x>"), name="march.mbox")
    april = write(
        tmp_path,
        mail("<b@x>", date="Tue, 01 Apr 2014 09:00:00 +0000", references="<a@x>"),
        name="april.mbox",
    )
    reading = read_archive([march, april], workers=1)
    assert shape(reading) == [("<a@x>", ["<b@x>"])]


def test_parsing_in_worker_processes_gives_the_same_conversations(tmp_path):
    messages = [mail("<root@x>")]
    messages += [
        mail(f"<r{n}@x>", date=f"Tue, 04 Mar 2014 09:{n:02d}:00 +0000", references="<root@x>")
        for n in range(30)
    ]
    path = write(tmp_path, *messages)
    alone = read_archive([path], workers=1)
    pooled = read_archive([path], workers=2)
    assert shape(pooled) == shape(alone)
    assert pooled.messages_read == 31


def test_subjects_are_normalized_for_titles_and_matching():
    assert thread_title("Re: AW: [ml-list] Fwd:  Batch   size") == "Batch size"
    assert is_reply_subject("回复：问题")
    assert not is_reply_subject("Fwd: news")
    assert subject_key("RE: Batch Size") == subject_key("batch size")


def test_only_the_header_fields_an_import_reads_are_parsed():
    raw = (
        b"Received: from a\r\n  by b\r\nFrom: Ana <ana@x.org>\r\nTo: list@x.org,\r\n"
        b" other@x.org\r\nSubject: Hi\r\nDKIM-Signature: v=1;\r\n\tb=abc\r\n\r\nBody\r\n"
    )
    assert headers_an_import_reads(raw) == b"From: Ana <ana@x.org>\r\nSubject: Hi\r\n\r\nBody\r\n"


def test_ids_too_long_to_store_are_hashed_the_same_everywhere(tmp_path):
    long_id = "<" + "x" * 300 + "@example.com>"
    reading = read(
        tmp_path,
        mail(long_id),
        mail("<b@x>", date="Mon, 03 Mar 2014 10:00:00 +0000", references=long_id),
    )
    [conversation] = reading.conversations
    assert len(conversation.root.key) <= 255
    assert conversation.root.key == normalize_message_id(long_id)
    assert conversation.replies[0].parent_key == conversation.root.key
