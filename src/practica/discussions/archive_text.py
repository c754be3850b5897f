"""The text of a post from the list archive, and whether its first mail asked a question.

A mail's reply text becomes Markdown with `core.markdown.plain_text_as_markdown` (line breaks
kept, nothing read as Markdown structure) and HTML as `render_markdown` renders it. Most list
mail is plain prose, for which that HTML is simply paragraphs with line breaks: such text is
turned into HTML directly, which is a good deal faster than parsing Markdown and gives the
same result (tests/discussions/test_archive.py checks the two agree); anything else goes
through the Markdown renderer.
"""

import re
from html import escape
from typing import NamedTuple

from django.utils.text import Truncator
from django.utils.translation import gettext as _

from practica.core.markdown import plain_text_as_markdown, render_markdown, sanitize_html
from practica.discussions.models import MAX_POST_LENGTH, Post
from practica.discussions.search import post_plain_text
from practica.discussions.services.posting_rules import MIN_QUESTION_TITLE

QUESTION_MARKS = ("?", "？")
# Anything Markdown could read as inline markup, an escape or an entity.
_INLINE_MARKUP = re.compile(r"[`*_\[\]<|~\\]|&#?[A-Za-z0-9]+;")
# A line start Markdown could read as structure (heading, quote, list, rule, table, fence).
_BLOCK_START = re.compile(r"^(?:[-+=*#>|~`]|\d{1,9}[.)])")


def looks_like_question(title: str, body: str) -> bool:
    """Whether a thread's first mail asks something: a question mark in the subject or the
    first paragraph, with a title long enough for a question's."""
    first_paragraph = body.strip().split("\n\n", 1)[0]
    asks = any(mark in title or mark in first_paragraph for mark in QUESTION_MARKS)
    return asks and len(title) >= MIN_QUESTION_TITLE


class ArchivePostText(NamedTuple):
    """A post's Markdown, its HTML, and its words as the search index reads them
    (`discussions.search.post_plain_text`)."""

    body: str
    html: str
    plain: str


def _paragraphs(markdown: str) -> list[list[str]] | None:
    """The lines of each paragraph of Markdown that is only prose with hard line breaks (as
    plain_text_as_markdown writes it), or None when it holds anything else."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    lines = markdown.split("\n")
    for index, line in enumerate(lines):
        if not line.strip():
            if current:
                paragraphs.append(current)
                current = []
            continue
        text = line.removesuffix("\\")
        # A hard break ("\\" at the end) exactly where a prose line follows.
        continues = index + 1 < len(lines) and bool(lines[index + 1].strip())
        if (text != line) != continues:
            return None
        if _INLINE_MARKUP.search(text) or _BLOCK_START.match(text) or text != text.strip():
            return None
        current.append(text)
    if current:
        paragraphs.append(current)
    return paragraphs


def archive_post_text(text: str) -> ArchivePostText:
    """The post a mail's reply text becomes; a mail with no text says so."""
    body = plain_text_as_markdown(text or "") or _("(This message had no text.)")
    if len(body) > MAX_POST_LENGTH:
        body = Truncator(body).chars(MAX_POST_LENGTH - 1)
    paragraphs = _paragraphs(body)
    if paragraphs is None:
        html = render_markdown(body)
        return ArchivePostText(body, html, post_plain_text(Post(body=body, body_html=html)))
    html = "".join(
        "<p>" + "<br>\n".join(escape(line, quote=False) for line in lines) + "</p>\n"
        for lines in paragraphs
    )
    # What strip_tags leaves of that HTML: the lines, a line break after each paragraph.
    plain = "".join("\n".join(lines) + "\n" for lines in paragraphs)
    return ArchivePostText(body, sanitize_html(html), plain)
