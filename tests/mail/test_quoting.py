"""strip_quoted_text, html_to_text and unflow_text: what a person wrote, out of a mail body."""

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practica.mail.quoting import (
    MAX_RENDERED_HTML_CHARS,
    html_to_text,
    strip_quoted_text,
    unflow_text,
)

pytestmark = pytest.mark.unit

REPLY = "Thanks, that answers it."


@pytest.mark.parametrize(
    "history",
    [
        "> quoted line\n> another",
        "On Mon, Mar 4, 2024 at 5:00 PM Alice <alice@example.com> wrote:\n> quoted",
        "On Mon, Mar 4, 2024 at 5:00 PM Alice Chen <alice@\nexample.com> wrote:\n\n> quoted",
        "On Mar 4, 2024, at 17:00, Alice <alice@example.com> wrote:\n\n> quoted",
        "On 3/4/24 17:00, Alice wrote:\n> quoted",
        "Am 04.03.2024 um 17:00 schrieb Alice <alice@example.com>:\n> zitiert",
        "Le lun. 4 mars 2024 à 17:00, Alice <alice@example.com> a écrit :\n> cité",
        "Le lun. 4 mars 2024 à 17:00, Alice <alice@example.com> a\nécrit :\n> cité",
        "El lun, 4 mar 2024 a las 17:00, Alice (<alice@example.com>) escribió:\n> citado",
        "在 2024年3月4日 17:00，李娜 写道：\n> 引用",
        "李娜 <li.na@example.com> 于2024年3月4日周一 17:00写道：\n\n> 引用",
        "陳美玲 <chen@example.com.tw> 於 2024年3月4日 週一 下午5:00寫道：\n> 引用",
        "On Monday, Alice wrote:\nunquoted history from a client that does not quote",
        "-----Original Message-----\nFrom: Alice\nSent: Monday\nTo: ml\nSubject: Q\n\nold",
        "----- Original Message -----\nFrom: Alice\n\nold",
        "-----Ursprüngliche Nachricht-----\nVon: Alice\nGesendet: Montag\n\nalt",
        "------------------ 原始邮件 ------------------\n发件人: 李娜\n\n旧内容",
        "From: Alice <alice@example.com>\nSent: Monday, March 4, 2024 5:00 PM\n"
        "To: ml@lists.example.com\nSubject: Question\n\nold text",
        "**From:** Alice <alice@example.com>\n**Sent:** Monday\n**To:** ml\n**Subject:** Q\n\nold",
        "________________________________\nFrom: Alice <alice@example.com>\n"
        "Sent: Monday\nTo: ml\nSubject: Q\n\nold",
        "________________________________\n发件人: 李娜 <li.na@example.com>\n"
        "发送时间: 2024年3月4日 17:00\n收件人: ml\n主题: 问题\n\n旧内容",
        "发件人： 李娜\n发送时间： 2024年3月4日\n收件人： ml\n主题： 问题\n\n旧内容",
        "Von: Alice\nGesendet: Montag, 4. März 2024 17:00\nAn: ml\nBetreff: Frage\n\nalt",
        "-- \nAlice Chen\nStaff Engineer",
        "--\nAlice Chen",
        "Sent from my iPhone",
        "Sent from my iPad\n\n> On Mar 4, 2024, at 17:00, Alice wrote:\n> quoted",
        "Get Outlook for iOS<https://aka.ms/o0ukef>",
        "Get Outlook for Android",
        "Sent from Mail for Windows 10",
        "发自我的iPhone",
        "Von meinem iPhone gesendet",
    ],
)
def test_history_and_signatures_after_a_reply_are_removed(history):
    assert strip_quoted_text(f"{REPLY}\n\n{history}\n") == REPLY


def test_inline_reply_keeps_every_answer_and_drops_the_quotes():
    text = (
        "On Tue, Alice wrote:\n"
        "> First question?\n"
        "\n"
        "First answer.\n"
        "\n"
        "> Second question,\n"
        "> over two lines?\n"
        "Second answer.\n"
        "\n"
        "> A closing remark nobody answers.\n"
        "\n"
        "-- \n"
        "Bob\n"
    )
    assert strip_quoted_text(text) == "First answer.\n\nSecond answer."


def test_bottom_posted_reply_under_a_quote():
    assert strip_quoted_text("> Is it Friday?\n\nYes, Friday at 3.") == "Yes, Friday at 3."


def test_text_above_inline_quotes_is_kept():
    text = "Hi all,\n\n> Should we meet?\n\nYes.\n"
    assert strip_quoted_text(text) == "Hi all,\n\nYes."


def test_code_fences_are_never_quotes_or_signatures():
    text = (
        "Run this:\n\n"
        "```\n> echo hello\n-- \nOn Mon, Alice wrote:\n```\n\n"
        "On Mon, Mar 4, 2024 at 5:00 PM Alice <alice@example.com> wrote:\n> old"
    )
    assert strip_quoted_text(text) == (
        "Run this:\n\n```\n> echo hello\n-- \nOn Mon, Alice wrote:\n```"
    )


def test_a_forwarded_messages_header_block_is_content():
    text = (
        "FYI.\n\n---------- Forwarded message ---------\nFrom: PC <pc@example.com>\n"
        "Date: Tue, Mar 5, 2024\nSubject: Reviewers\nTo: <a@example.com>\n\nWe need reviewers."
    )
    assert strip_quoted_text(text) == text
    apple = "FYI.\n\nBegin forwarded message:\n\nFrom: PC\nSubject: Reviewers\nDate: Tue\n\nBody"
    assert strip_quoted_text(apple) == apple


def test_prose_that_mentions_writing_is_kept():
    text = "On Monday Alice wrote: we should move the meetup.\nI agree with her."
    assert strip_quoted_text(text) == text


def test_a_separator_line_alone_is_kept():
    text = "Agenda\n____________________\n1. Welcome\n2. Talks"
    assert strip_quoted_text(text) == text


def test_a_message_that_is_all_quote_comes_back_whole():
    assert strip_quoted_text("> only a quote\n> nothing else\n") == "> only a quote\n> nothing else"
    assert strip_quoted_text("-- \nJust a signature") == "-- \nJust a signature"


def test_blank_input_stays_blank():
    assert strip_quoted_text("") == ""
    assert strip_quoted_text(" \n\r\n ") == ""


def test_windows_line_endings():
    assert strip_quoted_text("Yes.\r\n\r\n> Question?\r\n") == "Yes."


def test_a_long_text_is_stripped_in_linear_time():
    text = "A line of a long answer, no quotes here.\n" * 100_000 + "\nOn Mon, A wrote:\n> q\n"
    started = time.perf_counter()
    stripped = strip_quoted_text(text)
    assert time.perf_counter() - started < 10
    assert stripped.endswith("no quotes here.")


# --- HTML -------------------------------------------------------------------------------------


def test_html_structure_becomes_text_structure():
    html = (
        "<h1>Title</h1><p>First&nbsp;paragraph with <b>bold</b> and "
        "<a href='https://example.com/a'>a link</a>.</p>"
        "<ol><li>one</li><li>two</li></ol>"
        "<p>line<br>break</p><pre>  keep   spacing\n  here</pre>"
        "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>"
        "<p><a href='mailto:x@example.com'>x@example.com</a> <img alt='😀' src='cid:e'></p>"
    )
    assert html_to_text(html) == (
        "Title\n\n"
        "First paragraph with bold and a link <https://example.com/a>.\n\n"
        "- one\n- two\n\n"
        "line\nbreak\n\n"
        "  keep   spacing\n  here\n\n"
        "a b\nc d\n\n"
        "x@example.com 😀"
    )


def test_html_blockquotes_become_quote_marks_at_their_depth():
    html = (
        "<p>Reply</p><blockquote><p>Outer</p><blockquote>Inner</blockquote></blockquote>"
        "<p>After</p>"
    )
    assert html_to_text(html) == "Reply\n\n> Outer\n>\n> > Inner\n>\nAfter"


def test_html_scripts_styles_titles_and_comments_are_not_text():
    html = (
        "<html><head><title>T</title><style>p{}</style></head><body>"
        "<script>alert(1)</script><!-- note --><noscript>n</noscript>Visible</body></html>"
    )
    assert html_to_text(html) == "Visible"


@pytest.mark.parametrize(
    "html",
    [
        "<![if !supportLists]>1.<![endif]>Item",
        "<!--[if gte mso 9]><xml><o:OfficeDocumentSettings/></xml><![endif]-->Text",
        "<p>unclosed <b>tags <i>everywhere",
        "<<<>>>&&&;;;<a href=>",
        "<![CDATA[x]]>after",
        "</p></div></blockquote></pre>stray closers",
    ],
)
def test_malformed_html_never_raises(html):
    assert isinstance(html_to_text(html), str)


def test_huge_html_is_rendered_quickly_without_structure():
    html = "<div><p>para <b>bold</b></p><script>hidden()</script></div>\n" * (
        MAX_RENDERED_HTML_CHARS // 40
    )
    started = time.perf_counter()
    text = html_to_text(html)
    assert time.perf_counter() - started < 10
    assert text.startswith("para bold\n")
    assert "hidden" not in text


# --- format=flowed -----------------------------------------------------------------------------


def test_unflow_joins_soft_breaks_and_keeps_hard_ones():
    text = "A long line that \ncontinues here.\nA new line.\n\n> quoted that \n> continues\n"
    assert unflow_text(text) == (
        "A long line that continues here.\nA new line.\n\n> quoted that continues\n"
    )


def test_unflow_with_delsp_and_space_stuffing():
    assert unflow_text("Hyphen-\nated  \nwords\n From here", delete_space=True) == (
        "Hyphen-\nated words\nFrom here"
    )


def test_unflow_never_joins_the_signature_delimiter():
    assert unflow_text("Bye\n-- \nAlice") == "Bye\n-- \nAlice"


def test_unflow_ends_a_paragraph_when_the_quote_depth_changes():
    assert unflow_text("> a \n>> b\nc") == "> a \n>> b\nc"


# --- Fuzzing ------------------------------------------------------------------------------------

fuzz = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
mail_lines = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.sampled_from(
            [
                "> quoted",
                "",
                "-- ",
                "```",
                "On Mon, Alice wrote:",
                "From: a",
                "Sent: b",
                "Subject: c",
                "________________________________",
                "-----Original Message-----",
                "Sent from my iPhone",
                "在 昨天 写道：",
            ]
        ),
    ),
    max_size=30,
).map("\n".join)


@fuzz
@given(mail_lines)
def test_stripping_never_raises_and_never_empties_a_message(text):
    stripped = strip_quoted_text(text)
    if text.strip():
        assert stripped.strip()
    else:
        assert stripped == ""


@fuzz
@given(st.text(max_size=2_000))
def test_any_text_renders_as_html_without_raising(html):
    assert isinstance(html_to_text(html), str)


@fuzz
@given(st.text(max_size=500), st.booleans())
def test_unflow_never_raises(text, delete_space):
    assert isinstance(unflow_text(text, delete_space=delete_space), str)
