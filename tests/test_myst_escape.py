"""converter.myst_escape: one escaping function per context, each checked with MyST's own parser.

Inline text, code spans, link targets, code fences and YAML front matter: text
from a source, however hostile, must come back as exactly that text and never
as a directive, role, target, block break, HTML or a reference to a local file.
"""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from converter.document import Document, Exercise, Meta, Paragraph
from converter.myst_escape import code_fence, code_span, escape, link_target, text_with_code

TEXTS = [
    "Use SELECT * FROM users to fetch everything.",
    "Wrap *important* words and __dunder__ names like __init__.py.",
    "snake_case_names stay readable: AUTH_USER_MODEL, url_for, _private, trailing_",
    "A tag <div class=\"x\"> and a comparison a < b > c.",
    "# not a heading",
    "1. not a list item",
    "12) not a list item either",
    "- not a bullet",
    "+ not a bullet",
    "> not a quote",
    "% not a MyST comment",
    "(target)= not a MyST target",
    ":::{note} not a directive",
    "Entities stay literal: &amp; &lt; &#38; and a lone & ampersand.",
    "Roles stay literal: {doc}`x` and {{ substitution }}.",
    "Prices $5 and $10 are not math.",
    "Backslash \\ and `backticks` and [brackets](not-a-link) and pipes | here.",
    "Line one\nline two starts with # hash\n3. and a number",
    "C:\\Users\\me\\venv\\Scripts\\activate",
    "Emoji ✓ and “curly quotes” and em—dashes.",
]


def _render(markdown: str) -> str:
    rendered = MarkdownIt("commonmark").render(markdown)
    text = re.sub(r"<br />\n|\n", "\n", re.sub(r"</?p>", "", rendered)).strip()
    assert "<" not in text.replace("&lt;", ""), rendered  # no element survived
    return html.unescape(text)


@pytest.mark.parametrize("text", TEXTS)
def test_escaped_text_renders_literally(text: str) -> None:
    assert _render(escape(text)) == text


def test_snake_case_is_left_readable() -> None:
    assert escape("AUTH_USER_MODEL") == "AUTH_USER_MODEL"


@pytest.mark.parametrize("code", ["x", "a `b` c", "`edge`", "``double``"])
def test_code_span_holds_backticks(code: str) -> None:
    rendered = MarkdownIt("commonmark").render(code_span(code))
    assert html.unescape(re.sub(r"</?(p|code)>", "", rendered)).strip() == code


# ----------------------------------------------------- with MyST's parser


def _myst():
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    # The extensions the book enables in _config.yml (parse: myst_enable_extensions).
    return create_md_parser(MdParserConfig(enable_extensions={"colon_fence", "deflist"}), RendererHTML)


MYST = _myst()

HOSTILE = [
    "```{raw} html\n<script>alert(1)</script>\n```",
    "~~~{raw} html\n<b>x</b>\n~~~",
    "```{eval-rst}\n.. raw:: html\n\n   <script>alert(1)</script>\n```",
    ".. raw:: html",
    "{download}`passwd </etc/passwd>` and {raw}`<b>x</b>` and {eval-rst}`x`",
    "(label)=",
    "  (indented-label)=",
    '+++ {"tags": ["remove-cell"]}',
    "---\ntitle: injected\n---",
    "***\n___",
    ":::{note}\ncolon fence\n:::",
    "Term\n: definition",
    "% comment",
    "$$\nx^2\n$$ and $x$",
    "{{ substitution }}",
    "<img src=x onerror=alert(1)> <script>alert(1)</script> <!-- c --> <?php ?>",
    "<https://example.com/autolink> https://example.com/bare",
    "[link](javascript:alert(1)) ![img](/etc/passwd) [ref][r]\n\n[r]: /etc/passwd",
    "[^note] and [^note]: footnote",
    "| a | b |\n|---|---|\n| c | d |",
    "Setext\n===",
    "Line one\n> quote\n- item\n1. item\n# heading",
    "&lt;script&gt; &#60;b&#62; &amp;",
    "\\{download}`x` a backslash before a role",
]
_PLAIN_TOKENS = {"paragraph_open", "paragraph_close", "inline", "text", "softbreak", "hardbreak", "text_special"}


def _tokens(markdown: str) -> list:
    found = []
    for token in MYST.parse(markdown):
        found.append(token)
        found += token.children or []
    return found


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_is_only_text_to_myst(text: str) -> None:
    escaped = escape(text)
    assert {t.type for t in _tokens(escaped)} <= _PLAIN_TOKENS
    back = html.unescape(re.sub(r"</?p>|<br />", "", MYST.render(escaped)))
    # Markdown drops the indentation and blank lines between paragraphs; the words stay.
    assert [line.strip() for line in back.split("\n") if line.strip()] == [
        line.strip() for line in text.split("\n") if line.strip()
    ]


@pytest.mark.parametrize("text", ["`", "a ``b`` c", "x\n```{raw} html\n<script>", "{download}`/etc/passwd`", "\n(l)=\n+++"])
def test_code_span_is_one_span_on_one_line(text: str) -> None:
    tokens = _tokens(code_span(text))
    spans = [t for t in tokens if t.type == "code_inline"]
    assert len(spans) == 1 and {t.type for t in tokens} <= _PLAIN_TOKENS | {"code_inline"}
    assert spans[0].content == " ".join(text.split("\n"))


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("https://example.com/a_b?x=1&y=2#top", "", "https://example.com/a_b?x=1&y=2#top"),
        ("HTTP://example.com/", "", "HTTP://example.com/"),
        ("https://example.com/x) <img src=x onerror=alert(1)> {download}`p <../../etc/passwd>` (", "",
         "https://example.com/x%29%20%3Cimg%20src=x%20onerror=alert%281%29%3E%20%7Bdownload%7D%60p%20%3C../../etc/passwd%3E%60%20%28"),
        ("https://example.com/a\nb\tc\\d\"e|f", "", "https://example.com/a%0Ab%09c%5Cd%22e%7Cf"),
        ("https://example.com/café", "", "https://example.com/café"),
        ("https://example.com/\u2028x", "", "https://example.com/%E2%80%A8x"),
        # urljoin drops the newlines (WHATWG) and resolves the dots: still a web address.
        ("d.png\n\n```{literalinclude} ../../etc/passwd\n```", "https://e.com/p/", "https://e.com/p/etc/passwd%60%60%60"),
        ("../img.png", "https://e.com/p/post", "https://e.com/img.png"),
        ("#section", "https://e.com/p/post", "https://e.com/p/post#section"),
        # Not on the web: the link or image is dropped.
        ("../../../../etc/passwd", "", ""),
        ("/etc/passwd", "", ""),
        ("file:///etc/passwd", "", ""),
        ("passwd", "file:///etc/", ""),
        ("javascript:alert(1)", "", ""),
        (" JaVaScRiPt:alert(1)", "", ""),
        ("java\tscript:alert(1)", "", ""),
        ("\x01javascript:alert(1)", "", ""),
        ("data:text/html,<script>alert(1)</script>", "", ""),
        ("relative.html", "javascript:alert(1)", ""),
        ("mailto:a@example.com", "", ""),
        ("https:///no-host", "", ""),
        ("http://[broken", "", ""),
        ("#top", "", ""),
    ],
)
def test_link_target_keeps_web_addresses_only(url: str, base: str, expected: str) -> None:
    assert link_target(url, base=base) == expected


@pytest.mark.parametrize("url", ["https://example.com/x) <b>y</b> {raw}`z` (", "https://e.com/a\n\n```{raw} html\n```"])
def test_link_target_stays_one_link(url: str) -> None:
    tokens = _tokens(f"[text]({link_target(url)})")
    assert [t.type for t in tokens if t.type not in _PLAIN_TOKENS] == ["link_open", "link_close"]
    assert next(t for t in tokens if t.type == "link_open").attrs["href"] == link_target(url)


FENCED = [
    ("print(1)", "python", "python"),
    ("```\n````\n`````", "text", "text"),
    ('banner = """\n````\n<img src=x onerror=alert(1)>\n````\n"""', "python", "python"),
    ("~~~\n~~~~\n+++\n---\n(label)=\n:::{note}\n:::", "text", "text"),
    ("   ```\nindented closing fence", "text", "text"),
    ("x = 1", "{raw} html", "text"),
    ("x = 1", "py`x`", "text"),
    ("x = 1", "", "text"),
]


@pytest.mark.parametrize(("code", "info", "expected_info"), FENCED)
def test_code_fence_holds_its_code(code: str, info: str, expected_info: str) -> None:
    tokens = MYST.parse(code_fence(code, info) + "\n\nafter")
    assert [t.type for t in tokens][:1] == ["fence"]
    assert tokens[0].content == code + "\n" and tokens[0].info == expected_info
    assert [t.content for t in tokens if t.type == "inline"] == ["after"]


@pytest.mark.parametrize(("code", "info"), [(code, info) for code, info, _ in FENCED[1:3]])
def test_exercise_prompt_fences_hold_their_code(code: str, info: str) -> None:
    from converter.exercises.predict import fenced

    tokens = MYST.parse(fenced(code, info) + "\n\nafter")
    assert tokens[0].type == "fence" and tokens[0].content == code + "\n"
    assert [t.content for t in tokens if t.type == "inline"] == ["after"]


# ------------------------------------------------- front matter (YAML)


HOSTILE_META = "a\n---\nb: {c}\n+++\n...\n# d &x <script>alert(1)</script> {download}`/etc/passwd`"


def test_front_matter_keeps_hostile_metadata_as_data(tmp_path) -> None:
    import jupytext

    from converter.writers.notebook import to_myst
    from converter.writers.toc import front_matter

    meta = Meta(title=HOSTILE_META, source="s.md", url="javascript:" + HOSTILE_META, author=HOSTILE_META,
                tags=(HOSTILE_META, "---"), slug="s", chapter="Python")
    text = to_myst(Document(meta, (Paragraph("Body."),)))
    notebook = jupytext.reads(text, fmt="md:myst")
    course = notebook.metadata["course"]
    assert (course["title"], course["author"], course["tags"]) == (HOSTILE_META, HOSTILE_META, [HOSTILE_META, "---"])
    assert course["source"]["url"] == "javascript:" + HOSTILE_META
    # The landing page reads the front matter on its own: it must end where jupytext's does.
    (tmp_path / "s.md").write_text(text, encoding="utf-8")
    assert front_matter(tmp_path / "s.md")["course"]["title"] == HOSTILE_META
    # The javascript: URL is not a link in the page.
    assert "](javascript" not in text and "](" not in notebook.cells[1].source


def test_exercise_title_is_one_line_of_text() -> None:
    from converter.writers.notebook import to_notebook

    ex = Exercise(kind="query", title="Write the query: <img src=x onerror=alert(1)>\n:label: x\n```{raw} html",
                  prompt="Do it.", starter="", solution="", check="", label="ex-s-1")
    doc = Document(Meta(title="T", source="s.md", slug="s", chapter="Python"), (Paragraph("Body."), ex))
    start = next(c.source for c in to_notebook(doc).cells if "{exercise-start}" in c.source)
    fence = MYST.parse(start)[0]
    assert fence.type == "fence" and fence.info.startswith("{exercise-start} ")
    argument = fence.info.removeprefix("{exercise-start} ")
    assert "\n" not in argument and fence.content == ":label: ex-s-1\n"
    assert {t.type for t in _tokens(argument)} <= _PLAIN_TOKENS


@pytest.mark.parametrize("reason, spans", [
    ("imports `os.path` from `pkg_x`: run it", ["os.path", "pkg_x"]),
    ("Python 2 code (````{eval-rst}`x``): Python 3 does not run it", ["{eval-rst}"]),  # found by fuzzing
    ("needs `a`\n```{raw} html\n<script>x</script>\n```", ["a"]),
    ("`{download}`x </etc/passwd>`` and *stars* and _under_", ["{download}"]),
])
def test_text_with_code_leaves_only_text_and_code_spans(reason: str, spans: list[str]) -> None:
    """Reasons quote the tutorial's code between backticks; code that holds backticks of its
    own can't end a span early and leave a role or a directive live."""
    markdown = text_with_code(reason)
    tokens = _tokens(markdown)
    assert {t.type for t in tokens} <= _PLAIN_TOKENS | {"code_inline"}
    assert [t.content for t in tokens if t.type == "code_inline"] == spans
    rendered = html.unescape(re.sub(r"<[^>]+>", "", MYST.render(markdown)))
    shown = re.sub(r"`([^`\n]+)`", r"\1", reason)  # every character still there, but the spans' own backticks
    assert " ".join(rendered.split()) == " ".join(shown.split())


@pytest.mark.parametrize("text", ["(label\x0cx)=", "(two words)=", " (x y) = z )=", "a\x0c# heading", "x\u2029:::{note}", "b\x0b```{raw} html"])
def test_line_breaks_of_any_kind_are_escaped_as_line_breaks(text: str) -> None:
    """A form feed or U+2029 that became a line break after escaping started a line unescaped
    (a MyST target, found by the campaign); escape treats them as line breaks itself."""
    assert {t.type for t in _tokens(escape(text))} <= _PLAIN_TOKENS
    assert {t.type for t in _tokens(code_span(text))} <= _PLAIN_TOKENS | {"code_inline"}
