"""The text a person wrote in a mail body.

- `html_to_text` renders an HTML body as readable plain text; blockquotes become `> ` quotes,
  so an HTML-only reply goes through the same quote stripping as a plain one.
- `unflow_text` undoes RFC 3676 format=flowed soft line breaks (Apple Mail, Thunderbird).
- `strip_quoted_text` removes the quoted history and signature of a reply and keeps the
  person's own words, including inline answers written between quotes.

Pure functions of their input, linear in its length; none of them raises on any text.
"""

import html as html_entities
import re
from html.parser import HTMLParser

import nh3

# Tags kept when an HTML body is sanitized before rendering; everything else is unwrapped.
_RENDERED_TAGS = {
    "a", "abbr", "address", "article", "aside", "b", "blockquote", "br", "caption", "center",
    "code", "dd", "div", "dl", "dt", "em", "figcaption", "figure", "font", "footer", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "li", "main", "nav", "ol", "p", "pre",
    "section", "span", "strong", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
# Tags whose content is not text a reader sees.
_INVISIBLE_TAGS = {"script", "style", "title", "head", "noscript", "template"}
# Tags that start and end a line of their own.
_BLOCK_TAGS = {
    "address", "article", "aside", "caption", "center", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "header", "li", "main", "nav", "section", "table", "tbody", "tfoot",
    "thead", "tr",
}  # fmt: skip
# Block tags that are also set off from their neighbours by a blank line.
_PARAGRAPH_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "pre", "blockquote"}
_LINK_SCHEMES = ("http://", "https://", "mailto:")
# Past this size HTML is rendered without structure: the stdlib parser takes ~2 s per MB.
MAX_RENDERED_HTML_CHARS = 1_000_000
_INVISIBLE_OPENING = re.compile(r"<(script|style|title|head|noscript|template)\b", re.IGNORECASE)
_INVISIBLE_CLOSING = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _INVISIBLE_TAGS}
_LINE_BREAK_TAG = re.compile(r"<br\b[^<>]*>|</(?:p|div|li|tr|blockquote|h[1-6])\s*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^<>]*>")  # never spans a "<", so an unclosed one costs nothing
_HORIZONTAL_SPACE_RUN = re.compile(r"[^\S\n]+")
_WHITESPACE_RUN = re.compile(r"\s+")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_BLANK_LINE_RUN = re.compile(r"\n{3,}")


class _TextRenderer(HTMLParser):
    """Renders sanitized HTML as lines of text, each with the blockquote depth it sits at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.pre_depth = 0
        self.links: list[tuple[str, list[str]]] = []

    def end_line(self) -> None:
        self.lines.append((self.quote_depth, "".join(self.current).rstrip()))
        self.current = []

    def end_paragraph(self) -> None:
        if self.current:
            self.end_line()
        if self.lines and self.lines[-1][1]:
            self.lines.append((self.quote_depth, ""))

    def write(self, text: str) -> None:
        if not self.current:
            text = text.lstrip(" ")
        if text:
            self.current.append(text)
            for _href, link_text in self.links:
                link_text.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in _PARAGRAPH_TAGS:
            self.end_paragraph()
        elif tag in _BLOCK_TAGS and self.current:
            self.end_line()
        if tag == "blockquote":
            self.quote_depth += 1
        elif tag == "pre":
            self.pre_depth += 1
        elif tag == "br":
            self.end_line()
        elif tag == "hr":
            if self.current:
                self.end_line()
            self.lines.append((self.quote_depth, "---"))
        elif tag == "li":
            self.write("- ")
        elif tag == "img" and values.get("alt"):
            self.write(_WHITESPACE_RUN.sub(" ", values["alt"]))
        elif tag == "a":
            self.links.append((values.get("href", ""), []))
        elif tag in ("td", "th") and self.current:
            self.write(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            href, link_text = self.links.pop()
            shown = "".join(link_text).strip()
            # A link whose text is not its address would lose the address in plain text.
            if href.startswith(_LINK_SCHEMES) and shown not in (href, href.removeprefix("mailto:")):
                self.write(f" <{href}>")
        elif tag == "blockquote":
            if self.current:
                self.end_line()
            self.quote_depth = max(0, self.quote_depth - 1)
            self.end_paragraph()
        elif tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)
            self.end_paragraph()
        elif tag in _PARAGRAPH_TAGS:
            self.end_paragraph()
        elif tag in _BLOCK_TAGS and self.current:
            self.end_line()

    def handle_data(self, data: str) -> None:
        if self.pre_depth:
            first, *rest = data.split("\n")
            self.current.append(first)
            for line in rest:
                self.end_line()
                self.current.append(line)
        else:
            self.write(_WHITESPACE_RUN.sub(" ", data))

    def text(self) -> str:
        if self.current:
            self.end_line()
        while self.lines and not self.lines[-1][1]:
            self.lines.pop()
        rendered = []
        for depth, line in self.lines:
            prefix = "> " * depth
            rendered.append(f"{prefix}{line}" if line else prefix.rstrip())
        return _BLANK_LINE_RUN.sub("\n\n", "\n".join(rendered)).strip()


def html_to_text(html: str) -> str:
    """The readable text of an HTML body: paragraphs and line breaks kept, lists as `- `
    items, blockquotes as `> ` quotes, link addresses after their text, scripts and styles
    dropped, entities decoded. Past `MAX_RENDERED_HTML_CHARS`, only line breaks are kept.
    Never raises."""
    # Rust strings cannot hold lone surrogates, and NUL is never text.
    html = _SURROGATES.sub("\ufffd", html.replace("\x00", ""))
    if len(html) > MAX_RENDERED_HTML_CHARS:
        return _bare_text_of_html(html)
    # ammonia turns any tag soup into well-formed markup, so the stdlib parser below only
    # sees input it handles in linear time.
    sanitized = nh3.clean(
        html,
        tags=_RENDERED_TAGS,
        clean_content_tags=_INVISIBLE_TAGS,
        attributes={"a": {"href"}, "img": {"alt"}},
        link_rel=None,
    )
    renderer = _TextRenderer()
    try:
        renderer.feed(sanitized)
        renderer.close()
        return renderer.text()
    except (AssertionError, ValueError, IndexError):
        # html.parser still has a few assertion paths for odd declarations; plain text it is.
        return _bare_text_of_html(html)


def _bare_text_of_html(html: str) -> str:
    """Text with a line break at each block's end and no other structure: a few linear
    passes, for HTML too large (or too odd) to render."""
    visible: list[str] = []
    position = 0
    for opening in _INVISIBLE_OPENING.finditer(html):
        if opening.start() < position:
            continue  # inside a block already skipped
        visible.append(html[position : opening.start()])
        closing = _INVISIBLE_CLOSING[opening.group(1).lower()].search(html, opening.end())
        position = closing.end() if closing else len(html)
    visible.append(html[position:])
    broken = _LINE_BREAK_TAG.sub("\n", "".join(visible))
    text = html_entities.unescape(_ANY_TAG.sub("", broken))
    lines = (_HORIZONTAL_SPACE_RUN.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINE_RUN.sub("\n\n", "\n".join(lines)).strip()


def unflow_text(text: str, *, delete_space: bool = False) -> str:
    """Join the soft line breaks of RFC 3676 format=flowed text.

    A line ending in a space continues on the next line of the same quote depth; space
    stuffing is removed; `delete_space` (DelSp=yes) drops the space that marked the break.
    The signature delimiter `-- ` is never joined. Quoted lines come out as `> ` + text.
    """
    output: list[str] = []
    paragraph: list[str] = []
    paragraph_depth = 0

    def finish_paragraph() -> None:
        if paragraph:
            prefix = ">" * paragraph_depth + (" " if paragraph_depth else "")
            output.append(prefix + "".join(paragraph))
            paragraph.clear()

    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        content = content.removeprefix(" ")
        if paragraph and depth != paragraph_depth:
            finish_paragraph()
        flowed = content.endswith(" ") and content != "-- "
        if flowed and delete_space:
            content = content[:-1]
        paragraph.append(content)
        paragraph_depth = depth
        if not flowed:
            finish_paragraph()
    finish_paragraph()
    return "\n".join(output)


# What follows a reply (its history, or nothing a reader needs) and ends the person's text.
_ORIGINAL_MESSAGE_MARKERS = {
    "original message", "原始邮件", "邮件原件", "原始郵件", "原始信件", "ursprüngliche nachricht",
    "message d'origine", "mensaje original", "messaggio originale", "oorspronkelijk bericht",
}  # fmt: skip
_FORWARD_MARKERS = ("forwarded message", "begin forwarded message", "转发的邮件", "轉寄的郵件")
_FROM_LABELS = ("from:", "发件人:", "發件人:", "寄件者:", "von:", "de:", "van:", "da:", "od:")
_DATE_LABELS = (
    "sent:", "date:", "发送时间:", "發送時間:", "时间:", "日期:", "gesendet:", "datum:",
    "envoyé:", "enviado:", "verzonden:", "inviato:", "wysłano:",
)  # fmt: skip
_SUBJECT_LABELS = (
    "subject:", "主题:", "主題:", "主旨:", "betreff:", "objet:", "asunto:", "onderwerp:",
    "oggetto:", "temat:",
)  # fmt: skip
_HEADER_BLOCK_LINES = 8
_MOBILE_FOOTER = re.compile(
    r"(?:sent from my [\w' .-]{1,40}|sent from (?:mail|outlook) for (?:windows|ios|android|mac)"
    r"(?: \d{1,2})?|get outlook for (?:ios|android)|sent from (?:yahoo mail|outlook|gmail|"
    r"protonmail|my mobile device)[\w .]{0,30}|sent with proton mail[\w .]{0,30}|"
    r"发自我的\w{1,20}|从我的\w{1,20}发送|發自我的\w{1,20}|"
    r"von meinem \w{1,30} gesendet|envoyé de mon \w{1,30}|enviado desde mi \w{1,30})[.!]?",
    re.IGNORECASE,
)
_TRAILING_LINK = re.compile(r"\s*<https?://[^<>\s]{1,300}>$")  # "Get Outlook for iOS<https://…>"
_ATTRIBUTION_MAX_CHARS = 400
_SEPARATOR_CHARS = set("-_=*~ ")
_TEXT, _BLANK, _QUOTE, _ATTRIBUTION, _CUT = range(5)


def _label_form(line: str) -> str:
    """A line as compared with header labels: bold markers and full-width colons normalized."""
    return line.strip().lstrip("*").replace("：", ":").replace("*", "").casefold()


def _is_attribution(line: str) -> bool:
    """`On <date>, <name> wrote:` and its translations (one line, possibly re-joined)."""
    text = line.strip()
    if not text or len(text) > _ATTRIBUTION_MAX_CHARS:
        return False
    folded = text.replace("：", ":").casefold()
    if folded.endswith("wrote:"):
        return folded.startswith("on ")
    if folded.startswith("am ") and folded.endswith(":"):
        return " schrieb " in f"{folded[:-1]} "
    if folded.startswith("le ") and folded.endswith(":"):
        return folded.removesuffix(":").rstrip().endswith("a écrit")
    if folded.startswith("el ") and folded.endswith("escribió:"):
        return True
    if folded.startswith("il ") and folded.endswith("ha scritto:"):
        return True
    if folded.startswith("op ") and folded.endswith(":"):
        return " schreef " in f"{folded[:-1]} "
    if folded.endswith(("写道:", "寫道:")):
        return folded.startswith("在") or "于" in folded or "於" in folded
    return False


def _is_original_message_marker(line: str) -> bool:
    text = line.strip()
    if text.count("-") < 2 and text.count("=") < 2:
        return False
    return text.strip("-=_ *").strip().casefold() in _ORIGINAL_MESSAGE_MARKERS


def _is_forward_marker(line: str) -> bool:
    folded = line.strip().strip("-=_ *").casefold()
    return folded.startswith(_FORWARD_MARKERS)


def _starts_header_block(lines: list[str], index: int) -> bool:
    """An Outlook-style `From: / Sent: / To: / Subject:` block of the quoted message starts here."""
    if not _label_form(lines[index]).startswith(_FROM_LABELS):
        return False
    following = [_label_form(line) for line in lines[index + 1 : index + 1 + _HEADER_BLOCK_LINES]]
    has_date = any(line.startswith(_DATE_LABELS) for line in following)
    has_subject = any(line.startswith(_SUBJECT_LABELS) for line in following)
    return has_date and has_subject


def _follows_forward_marker(lines: list[str], index: int) -> bool:
    """A forward's header block is the forwarded content, not history to strip."""
    before = [line for line in lines[max(0, index - 3) : index] if line.strip()]
    return bool(before) and _is_forward_marker(before[-1])


def _is_underscore_separator(line: str) -> bool:
    text = line.strip()
    return len(text) >= 10 and set(text) == {"_"}


def _code_fence_lines(lines: list[str]) -> set[int]:
    """Indexes of lines inside (and of) ``` or ~~~ fenced blocks, which are never quotes."""
    inside: set[int] = set()
    fence = ""
    for index, line in enumerate(lines):
        text = line.strip()
        if fence:
            inside.add(index)
            if text.startswith(fence):
                fence = ""
        elif text.startswith(("```", "~~~")):
            fence = text[:3]
            inside.add(index)
    return inside


def _next_nonblank(lines: list[str], start: int) -> int:
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _attribution_end(lines: list[str], kinds: list[int], index: int) -> int:
    """The last line of an attribution starting at `index` (one line, or two when wrapped),
    or -1."""
    line = lines[index]
    if line.rstrip().endswith((":", "：")) and _is_attribution(line):
        return index
    if index + 1 < len(lines) and kinds[index + 1] == _TEXT:
        following = lines[index + 1].strip()
        if following.endswith((":", "：")) and _is_attribution(f"{line.strip()} {following}"):
            return index + 1
    return -1


def _is_cut_marker(lines: list[str], index: int) -> bool:
    """A signature delimiter, a mobile footer, an original-message marker, or the header
    block of the message replied to. The cheap tests come first: this runs on every line."""
    line = lines[index]
    stripped = line.strip()
    if stripped == "--" or line == "-- ":
        return True
    if len(stripped) > _ATTRIBUTION_MAX_CHARS:
        return False
    if stripped.endswith(">"):
        stripped = _TRAILING_LINK.sub("", stripped)
    if len(stripped) <= 80 and _MOBILE_FOOTER.fullmatch(stripped):
        return True
    if ("--" in stripped or "==" in stripped) and _is_original_message_marker(stripped):
        return True
    if stripped.startswith("_") and _is_underscore_separator(stripped):
        after = _next_nonblank(lines, index + 1)
        return after < len(lines) and _starts_header_block(lines, after)
    head = stripped[:12]
    return (
        (":" in head or "：" in head)
        and _starts_header_block(lines, index)
        and not _follows_forward_marker(lines, index)
    )


def _classify(lines: list[str], fenced: set[int]) -> list[int]:
    """The kind of each line: text, blank, quote, attribution of a quote, or a cut (the start
    of what follows the person's text: signature, footer, unquoted history)."""
    kinds = [
        _TEXT
        if index in fenced
        else _BLANK
        if not line.strip()
        else _QUOTE
        if line.lstrip().startswith(">")
        else _TEXT
        for index, line in enumerate(lines)
    ]
    for index in range(len(lines)):
        if kinds[index] != _TEXT or index in fenced:
            continue
        attribution_end = _attribution_end(lines, kinds, index)
        if attribution_end >= 0:
            after = _next_nonblank(lines, attribution_end + 1)
            quoted_follows = after < len(lines) and kinds[after] == _QUOTE
            for covered in range(index, attribution_end + 1):
                kinds[covered] = _ATTRIBUTION if quoted_follows else _CUT
        elif _is_cut_marker(lines, index):
            kinds[index] = _CUT
    return kinds


def strip_quoted_text(text: str) -> str:
    """The person's own words of a reply: quoted history and signature removed.

    - A top-posted reply keeps what is above the history: `>` quotes, an attribution line
      (`On … wrote:`, `Am … schrieb …:`, `Le … a écrit :`, `在 … 写道：`, `… 于 … 写道：`, also
      wrapped over two lines), `-----Original Message-----`, an Outlook `From:/Sent:/To:/
      Subject:` block (also `发件人:/发送时间:`), the `____` separator before one.
    - An inline reply (the person's text between quoted blocks) keeps all of the person's
      lines and drops the `>` lines and the attribution that introduced them.
    - Everything from a signature delimiter (`-- `) or a mobile footer ("Sent from my iPhone",
      "Get Outlook for iOS", …) on is dropped.
    - Lines inside ``` or ~~~ fences are the person's, whatever they start with.
    - A forwarded message's header block is content, not history, and is kept.

    If nothing would be left, returns the original text stripped; never "" for a text with
    any non-blank content.
    """
    normalized = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = normalized.split("\n")
    fenced = _code_fence_lines(lines)
    kinds = _classify(lines, fenced)
    end = kinds.index(_CUT) if _CUT in kinds else len(lines)
    kept = list(range(end))
    while kept and kinds[kept[-1]] in (_BLANK, _QUOTE, _ATTRIBUTION):
        kept.pop()  # trailing history of a top-posted reply
    result: list[str] = []
    for index in kept:
        if kinds[index] in (_QUOTE, _ATTRIBUTION):
            continue  # quotes between inline answers
        if kinds[index] == _BLANK and index not in fenced and result and not result[-1].strip():
            continue  # removed quotes leave runs of blank lines behind
        result.append(lines[index].rstrip() if index not in fenced else lines[index])
    while result and (not result[-1].strip() or set(result[-1]) <= _SEPARATOR_CHARS):
        result.pop()  # a `----` or `____` rule left above the removed history
    reply = "\n".join(result).strip("\n")
    return reply if reply.strip() else normalized.strip()
