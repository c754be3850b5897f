"""Members' Markdown, rendered to safe HTML: markdown-it-py, Pygments, then nh3.

Safety rests on the last step: whatever markdown-it produces (raw HTML is allowed through so
that harmless tags such as <kbd> work), nh3 keeps only an allowlist of tags and attributes,
only http(s)/mailto (and relative) URLs, no `style`, no event handlers, no comments, and it
drops <script>/<style> with their content. Classes survive only where Pygments and mentions
put them, from a fixed set, so posted HTML cannot borrow the site's component classes.

Images are not rendered as <img>: a remote image in a post is fetched by every reader's
browser, which turns a post into a tracking pixel and into a GET request against any intranet
address the poster names. An image is shown as a link to its address instead.

@mentions: `extract_mentions` finds "@handle" tokens outside code and links (a handle is an
email local part, e.g. @lukas.becker); `render_markdown(text, mentions={handle: url})` turns
the ones the caller resolved to members into links. The core knows nothing of members.
"""

import re
from collections.abc import Mapping
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

HIGHLIGHT_CLASS = "highlight"
MENTION_CLASS = "mention"
MAX_MENTIONS = 20

# A handle is an email local part; it must not be glued to a word before it (so a@b.com is
# an address, not a mention) and it does not end in punctuation ("thanks @ana." → "ana").
MENTION_RE = re.compile(r"(?<![\w@.+-])@([A-Za-z0-9](?:[A-Za-z0-9._+-]*[A-Za-z0-9])?)")

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
PYGMENTS_CLASSES = {name for name in STANDARD_TYPES.values() if name}
ALLOWED_CLASSES = {
    "a": {MENTION_CLASS},
    "pre": {HIGHLIGHT_CLASS},
    "span": PYGMENTS_CLASSES,
}
LINK_REL = "nofollow noopener"


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        allowed_classes=ALLOWED_CLASSES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def sanitize_html(html: str) -> str:
    """Keep only the allowlisted tags, attributes, classes and URL schemes."""
    return _cleaner().clean(html)


def _highlight_code(code: str, lang: str, _attrs: str) -> str:
    """Pygments HTML (CSS classes, no inline styles) for a known language; "" lets markdown-it
    print the block plainly."""
    words = (lang or "").split()
    if not words:
        return ""
    name = words[0]
    try:
        lexer = get_lexer_by_name(name.lower())
    except ClassNotFound:
        return ""
    spans = highlight(code, lexer, HtmlFormatter(nowrap=True))
    # Starting with "<pre" tells markdown-it to use the block as it is.
    return f'<pre class="{HIGHLIGHT_CLASS}"><code>{spans}</code></pre>\n'


def highlight_css() -> str:
    """The stylesheet for highlighted code blocks (`.highlight` scoped), for a static file."""
    return HtmlFormatter(cssclass=HIGHLIGHT_CLASS).get_style_defs(f".{HIGHLIGHT_CLASS}")


def _render_image_as_link(
    self: RendererHTML, tokens: list[Token], idx: int, options: object, env: object
) -> str:
    token = tokens[idx]
    src = escapeHtml(str(token.attrGet("src") or ""))
    alt = escapeHtml(self.renderInlineAsText(token.children or [], options, env))  # type: ignore[arg-type]
    return f'<a href="{src}">{alt or src}</a>'


def _mention_positions(text: str) -> list[re.Match[str]]:
    return list(MENTION_RE.finditer(text))


def _walk_mentionable(tokens: list[Token]):  # type: ignore[no-untyped-def]
    """Yield (inline token, child index, child) for text outside links, code and raw HTML."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        link_depth = 0
        for index, child in enumerate(token.children):
            if child.type == "link_open":
                link_depth += 1
            elif child.type == "link_close":
                link_depth -= 1
            elif child.type == "text" and link_depth == 0:
                yield token, index, child


def _link_mentions(state: StateCore) -> None:
    """A core rule: split text tokens around resolved @mentions and wrap those in links."""
    mentions: Mapping[str, str] = state.env.get("mentions") or {}
    if not mentions:
        return
    for inline, _index, child in list(_walk_mentionable(state.tokens)):
        matches = [m for m in _mention_positions(child.content) if m.group(1).lower() in mentions]
        if not matches:
            continue
        pieces: list[Token] = []
        cursor = 0
        for match in matches:
            if match.start() > cursor:
                pieces.append(_text_token(child.content[cursor : match.start()], child.level))
            link = Token("link_open", "a", 1, level=child.level)
            link.attrSet("href", mentions[match.group(1).lower()])
            link.attrSet("class", MENTION_CLASS)
            pieces += [
                link,
                _text_token(match.group(0), child.level + 1),
                Token("link_close", "a", -1, level=child.level),
            ]
            cursor = match.end()
        if cursor < len(child.content):
            pieces.append(_text_token(child.content[cursor:], child.level))
        children = inline.children or []
        position = children.index(child)
        inline.children = children[:position] + pieces + children[position + 1 :]


def _text_token(content: str, level: int) -> Token:
    token = Token("text", "", 0, level=level)
    token.content = content
    return token


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt(
        "commonmark",
        {"html": True, "linkify": False, "typographer": False, "highlight": _highlight_code},
    ).enable(["table", "strikethrough"])
    parser.add_render_rule("image", _render_image_as_link)
    parser.core.ruler.push("link_mentions", _link_mentions)
    return parser


def render_markdown(text: str, *, mentions: Mapping[str, str] | None = None) -> str:
    """Markdown → sanitized HTML. `mentions` maps lower-case handles to profile URLs; those
    @handles become links (class "mention"); others stay plain text."""
    env = {"mentions": {key.lower(): value for key, value in (mentions or {}).items()}}
    html = _parser().render(text or "", env)
    return sanitize_html(html)


def extract_mentions(text: str) -> list[str]:
    """The distinct @handles in the text, lower-cased, in order of first appearance, ignoring
    code spans, code blocks, link texts and raw HTML; at most MAX_MENTIONS."""
    tokens = _parser().parse(text or "", {})
    handles: list[str] = []
    for _inline, _index, child in _walk_mentionable(tokens):
        for match in _mention_positions(child.content):
            handle = match.group(1).lower()
            if handle not in handles:
                handles.append(handle)
            if len(handles) >= MAX_MENTIONS:
                return handles
    return handles


_BLOCK_MARKER = re.compile(r"^([#>=+|]|[-*_]{3,}\s*$|[-*+](?:\s|$))")
_ORDERED_MARKER = re.compile(r"^(\d{1,9})([.)](?:\s|$))")
_ENTITY = re.compile(r"&(?=#?\w+;)")


def _escape_block_start(line: str) -> str:
    """Escape what would make a line a heading, quote, list item or rule."""
    if _ORDERED_MARKER.match(line):
        return _ORDERED_MARKER.sub(r"\1\\\2", line, count=1)
    if _BLOCK_MARKER.match(line):
        return f"\\{line}"
    return line


def plain_text_as_markdown(text: str) -> str:
    """Mail's plain text as Markdown that renders the way the sender saw it.

    Line breaks are kept (a hard break at each line end, since mail wraps by hand), leading
    indentation is dropped (it would make a code block), and a line that Markdown would read as
    a heading, quote, list or rule is escaped, so "# of users" or "1. not a list" stay text.
    Fenced code blocks (```) pass through untouched, as code.
    """
    out: list[tuple[str, bool]] = []  # (line, is prose)
    in_fence = False
    for raw_line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw_line.rstrip()
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            out.append((line, False))
        elif in_fence:
            out.append((raw_line, False))
        else:
            # "&amp;" in mail is what the sender typed, not an entity to decode.
            prose = _ENTITY.sub(r"\\&", _escape_block_start(line.lstrip()))
            out.append((prose, bool(line.strip())))
    lines = []
    for index, (line, is_prose) in enumerate(out):
        next_is_prose = index + 1 < len(out) and out[index + 1][1]
        lines.append(f"{line}\\" if is_prose and next_is_prose else line)
    return "\n".join(lines).strip("\n")
