"""Text handling for full-text search: what is stored, how user text becomes a safe query.

User text never reaches FTS5 MATCH or tsquery syntax: `parse_query` keeps only letters and
digits, and every term is sent double-quoted (FTS5) or through websearch_to_tsquery
(PostgreSQL, which accepts any string), always as a bound parameter. Operators a member may
type (NEAR, AND, OR, *, :, parentheses, ^) are just punctuation here.

CJK has no spaces between words, so each CJK character is stored as its own token (separated
by U+200B, invisible, removed again from snippets) and a run of CJK characters in a query
becomes a phrase: "模型" finds 模型 and not 模 … 型 apart.
"""

import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CJK_CHARACTERS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
TOKEN_SEPARATOR = "\u200b"  # noqa: S105 - a zero-width space, not a password
MARK_START, MARK_END = "\ue000", "\ue001"
MAX_QUERY_CHARS = 500
MAX_TERMS = 12
# Dropped from AND queries (PostgreSQL's english configuration leaves them out of the index).
STOPWORDS = frozenset(
    (  # noqa: SIM905 - a word list reads better as text
        "a an and are as at be but by can do does for from had has have how i if in into is "
        "it its me my no not of on or our so than that the their then there these they this "
        "to was we were what when where which while who why will with you your "
    ).split()
)

_INVISIBLE = re.compile(f"[{TOKEN_SEPARATOR}{MARK_START}{MARK_END}\x00]")
_CJK_BOUNDARY = re.compile(
    f"(?<=[{CJK_CHARACTERS}])(?=[^\\s{TOKEN_SEPARATOR}])"
    f"|(?<=[^\\s{TOKEN_SEPARATOR}])(?=[{CJK_CHARACTERS}])"
)
_CJK_CHAR = re.compile(f"[{CJK_CHARACTERS}]")
_WORD_PIECE = re.compile(f"[{CJK_CHARACTERS}]|[^\\W_{CJK_CHARACTERS}]+")
_QUOTED = re.compile(r'"([^"]*)"?')


@dataclass(frozen=True)
class ParsedQuery:
    """Terms (each a phrase: a tuple of tokens) that must appear, and terms that must not."""

    terms: tuple[tuple[str, ...], ...]
    excluded: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms)


def searchable_text(text: str) -> str:
    """Text as stored in the index: normalised, markers removed, CJK characters split apart."""
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text or ""))
    return _CJK_BOUNDARY.sub(TOKEN_SEPARATOR, text)


def tag_token(tag: str) -> str:
    """The index token of a filter tag such as "community:7": letters and digits only."""
    return "t" + hashlib.blake2b(tag.encode(), digest_size=8).hexdigest()


def tag_tokens(tags: Iterable[str]) -> str:
    return " ".join(dict.fromkeys(tag_token(tag) for tag in tags))


def _tokens(chunk: str) -> tuple[str, ...]:
    normal = unicodedata.normalize("NFC", chunk)
    return tuple(piece.lower() for piece in _WORD_PIECE.findall(normal))


def parse_query(text: str) -> ParsedQuery:
    """The terms of what a member typed: "quoted phrases", words, and -excluded words."""
    text = _INVISIBLE.sub("", (text or "")[:MAX_QUERY_CHARS])
    terms: list[tuple[str, ...]] = []
    excluded: list[tuple[str, ...]] = []
    for match in _QUOTED.finditer(text):
        phrase = _tokens(match.group(1))
        if phrase:
            terms.append(phrase)
    words: list[tuple[str, ...]] = []
    for chunk in _QUOTED.sub(" ", text).split():
        negative = chunk.startswith("-") and len(chunk) > 1
        tokens = _tokens(chunk)
        if tokens:
            (excluded if negative else words).append(tokens)
    significant = [w for w in words if not (len(w) == 1 and w[0] in STOPWORDS)]
    terms.extend(significant if significant or terms else words)
    return ParsedQuery(
        terms=tuple(dict.fromkeys(terms))[:MAX_TERMS],
        excluded=tuple(dict.fromkeys(excluded))[:MAX_TERMS],
    )


def significant_terms(text: str, *, limit: int = 8) -> ParsedQuery:
    """The words of a draft worth matching on: no stopwords, no one- or two-letter words;
    CJK characters paired into overlapping bigrams, the usual length of a Chinese word."""
    words: list[str] = []
    for term in parse_query((text or "").replace('"', " ")).terms:
        for token in term:
            if _CJK_CHAR.fullmatch(token) or (len(token) > 2 and token not in STOPWORDS):
                words.append(token)
    terms: list[tuple[str, ...]] = []
    previous = ""
    for word in words:
        if _CJK_CHAR.fullmatch(word):
            if previous and _CJK_CHAR.fullmatch(previous):
                if terms and terms[-1] == (previous,):
                    terms[-1] = (previous, word)
                else:
                    terms.append((previous, word))
            else:
                terms.append((word,))
        else:
            terms.append((word,))
        previous = word
    return ParsedQuery(terms=tuple(dict.fromkeys(terms))[:limit])


def fts5_phrase(tokens: Sequence[str]) -> str:
    # Tokens are letters and digits only, so nothing can break out of the double quotes.
    return '"' + " ".join(tokens) + '"'


def fts5_expression(query: ParsedQuery, *, any_term: bool = False) -> str:
    joined = (" OR " if any_term else " AND ").join(fts5_phrase(t) for t in query.terms)
    if query.excluded:
        excluded = " OR ".join(fts5_phrase(t) for t in query.excluded)
        return f"({joined}) NOT ({excluded})"
    return f"({joined})"


def websearch_expression(query: ParsedQuery, *, any_term: bool = False) -> str:
    """Input for websearch_to_tsquery, which accepts any string without raising."""
    joined = (" or " if any_term else " ").join(fts5_phrase(t) for t in query.terms)
    excluded = " ".join("-" + fts5_phrase(t) for t in query.excluded)
    return f"{joined} {excluded}".strip()


def marked_html(text: str) -> str:
    """Escape engine output as HTML, turning its highlight markers into <mark> elements."""
    escaped = html.escape(text.replace(TOKEN_SEPARATOR, ""), quote=True)
    # A marker left open by a cut fragment is closed, so the markup stays balanced.
    opened = escaped.count(MARK_START) - escaped.count(MARK_END)
    escaped = escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return escaped + "</mark>" * max(0, opened)
