"""The HTML page reader and the shared fragment walker (converter.readers.html_blocks)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from converter.document import (
    Block,
    CodeBlock,
    Document,
    Heading,
    Image,
    ListBlock,
    Paragraph,
    Quote,
    Rule,
    Table,
)
from converter.errors import SourceError
from converter.readers import html
from converter.readers.html_blocks import blocks_from_html, iso_date

CASES = Path(__file__).parent / "cases" / "html"


def read_case(name: str) -> Document:
    text = (CASES / name).read_text(encoding="utf-8")
    (doc,) = html.read(text, source=f"html/{name}")
    return doc


def fragment(markup: str, base_url: str = "") -> list[Block]:
    blocks, _ = blocks_from_html(markup, base_url=base_url)
    return blocks


def texts(blocks: tuple[Block, ...] | list[Block]) -> list[str]:
    """All CommonMark/plain strings of the blocks (not code)."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, (Paragraph, Heading, Quote)):
            out.append(b.text)
        elif isinstance(b, ListBlock):
            out += b.items
        elif isinstance(b, Table):
            out += list(b.header) + [c for row in b.rows for c in row]
        elif isinstance(b, Image):
            out += [b.src, b.alt]
    return out


def assert_no_markup(blocks: tuple[Block, ...] | list[Block]) -> None:
    for text in texts(blocks):
        prose = re.sub(r"(`+).*?\1", "", text, flags=re.S)  # code spans are literal
        assert not re.search(r"(?<!\\)<[A-Za-z/!]", prose), text
        assert not re.search(r"&#?\w+;", prose), text


# ----------------------------------------------------------------- code blocks


def test_pre_with_br_lines_and_entities() -> None:
    doc = read_case("pre-with-br.html")
    code = doc.code_blocks
    assert code[0].code == "def add(a, b):\n    return a < b && a + b\n\nprint(add(1, 2))"
    assert code[0].declared == "" and code[0].language == ""
    assert code[1].code == "x = 1\ny = 2"  # bare <code> with <br>, no <pre>
    assert doc.blocks[0] == Paragraph("Old blog engines emit one `<br>` per code line.")


def test_prism_and_highlightjs_spans_are_flattened() -> None:
    doc = read_case("prism-spans.html")
    assert doc.code_blocks == (
        CodeBlock('def greet(name):\n    # say hi\n    return f"Hi {name}"', declared="python"),
        CodeBlock("const x = 1;\n// done", declared="javascript"),
    )
    assert not any("Copy" in t for t in texts(doc.blocks))


def test_chroma_and_pygments_line_numbers_are_dropped() -> None:
    doc = read_case("chroma-line-numbers.html")
    assert doc.code_blocks == (
        CodeBlock("package main\nfunc main() {}", declared="go"),
        CodeBlock("x = 1\nprint(x)", declared="python"),
    )


def test_every_language_class_form() -> None:
    doc = read_case("language-classes.html")
    assert [c.declared for c in doc.code_blocks] == [
        "python",  # language-x
        "ruby",  # lang-x
        "shell",  # highlight x (dev.to)
        "sql",  # highlight-x (Sphinx)
        "php",  # brush: x; (SyntaxHighlighter)
        "r",  # sourceCode x (pandoc)
        "yaml",  # data-lang
        "bash",  # x hljs
        "ruby",  # Rouge: language-x two divs up
        "python",  # GitHub highlight-source-x
        "",
    ]
    assert all(c.language == "" for c in doc.code_blocks)


def test_code_lines_without_newlines_are_joined() -> None:
    blocks = fragment('<pre><div class="cm-line">a = 1</div><div class="cm-line">b = 2</div></pre>')
    assert blocks == [CodeBlock("a = 1\nb = 2")]


def test_code_nbsp_and_blank_edges_are_cleaned() -> None:
    blocks = fragment("<pre>\n\n  x&nbsp;=&nbsp;1\n\n\n</pre>")
    assert blocks == [CodeBlock("  x = 1")]


# ------------------------------------------------------------------ structure


def test_devto_anchors_and_fullscreen_panel_vanish() -> None:
    doc = read_case("devto-article.html")
    assert doc.meta.title == "Async in Python"
    assert doc.meta.url == "https://dev.to/ann/async-in-python-1abc"
    assert doc.blocks == (
        Heading(2, "Why async?"),
        Paragraph("Because waiting is cheap."),
        CodeBlock("import asyncio\nawait asyncio.sleep(1)", declared="python"),
        Heading(3, "The `event` loop"),
        Paragraph("It runs one task at a time."),
    )


def test_nested_lists_and_hoisted_code() -> None:
    doc = read_case("nested-lists.html")
    assert doc.blocks == (
        Paragraph("Steps to follow:"),
        ListBlock(
            (
                "Install the package:",
                "Pick one:\n- a **session**\n  - with retries\n- a plain call",
                "First paragraph.\n\nSecond paragraph.",
            ),
            ordered=True,
            start=3,
        ),
        CodeBlock("pip install requests", declared="bash"),
        ListBlock(("parent\n- child of a broken list",)),
    )


def test_inline_formatting() -> None:
    doc = read_case("inline-formatting.html")
    blocks = doc.blocks
    assert blocks[0] == Paragraph(
        "Text with **bold** , *emphasis*, **nested bold**, `x < y`, "
        "a [relative link](https://example.org/blog/other/), "
        "an [in-page link](https://example.org/blog/post/#top) and a "
        "[url with spaces](https://x.org/a%20%28b%29)."
    )
    assert blocks[1] == Paragraph("Line one\\\nLine two")
    assert blocks[2] == Paragraph("New paragraph after two breaks")
    assert blocks[3] == Paragraph(
        "Snake_case stays, but \\*stars\\* and \\[brackets\\] and \\<div\\> "
        "are escaped & safe — ok done."
    )
    assert blocks[4] == Paragraph("Unknown tags keep their text.")
    assert blocks[5] == Paragraph(
        "Inline image ![icon](https://example.org/img/icon.png) in text."
    )
    assert blocks[6] == Image("https://example.org/blog/post/figure.png", "A lazy figure")
    assert blocks[7] == Image("https://example.org/blog/post/small.png", "Linked")
    assert blocks[8] == Paragraph("The caption")
    # Real line starts are escaped, so text never turns into a list or heading.
    assert blocks[9] == Paragraph("1\\. Not a list\\\n\\- not a bullet\\\n\\# not a heading")
    assert blocks[10:] == (Rule(), Paragraph("The end."))
    assert "dropped embedded iframe (https://www.youtube.com/embed/abc)" in doc.notes
    assert_no_markup(blocks)


def test_mid_line_text_is_not_escaped_as_a_line_start() -> None:
    assert fragment("<p><code>-U</code>: user - name # 1. x</p>") == [
        Paragraph("`-U`: user - name # 1. x")
    ]


def test_tables_and_quotes() -> None:
    doc = read_case("table-and-quote.html")
    assert doc.blocks == (
        Paragraph("A comparison table:"),
        Table(
            ("Tool", "Command"),
            (
                ("**npm**", "`npm install <pkg>`"),
                ("pipe", "`a \\| b` or a\\|b"),
                ("spans both", ""),
            ),
        ),
        Quote("First quoted paragraph.\n\nSecond with *emphasis*."),
        CodeBlock("quoted_code()"),
        Table(("no", "header"), (("1", "2"),)),
    )


def test_heading_levels_are_normalised_and_title_dropped() -> None:
    doc = read_case("heading-levels.html")
    assert doc.meta.title == "Heading levels"
    headings = [b for b in doc.blocks if isinstance(b, Heading)]
    assert headings == [Heading(2, "Section"), Heading(3, "Subsection")]


def test_heading_repeating_the_title_is_dropped() -> None:
    page = (
        '<html><head><meta property="og:title" content="Same Title"></head>'
        "<body><article><h2>Same Title</h2><p>Enough text to make this an article body.</p>"
        "<h3>Part</h3><p>More.</p></article></body></html>"
    )
    (doc,) = html.read(page, source="t.html")
    assert doc.blocks[0] == Paragraph("Enough text to make this an article body.")
    assert doc.blocks[1] == Heading(2, "Part")


# -------------------------------------------------------------- page chrome


def test_sidebar_comments_footer_are_ignored() -> None:
    doc = read_case("sidebar-comments-footer.html")
    assert doc.meta.title == "Reading CSV Files in Python"
    assert doc.meta.author == "Jane Doe"
    assert doc.meta.date == "2023-04-09"
    assert doc.meta.url == "https://blog.example.com/posts/read-csv/"
    assert doc.meta.tags == ("python", "csv")
    assert doc.blocks == (
        Paragraph(
            "The `csv` module reads comma separated files. "
            "See the [docs](https://blog.example.com/docs/csv)."
        ),
        Heading(2, "Reading rows"),
        CodeBlock(
            'import csv\nwith open("data.csv") as f:\n    rows = list(csv.reader(f))',
            declared="python",
        ),
        Paragraph("Each row is a list of strings."),
    )
    assert any("share-buttons" in n for n in doc.notes)


def test_densest_text_without_semantic_markup() -> None:
    doc = read_case("densest-text.html")
    assert doc.meta.title == "Dense Text Wins"  # "<title> — My Site" suffix stripped
    assert [type(b) for b in doc.blocks] == [Paragraph, Paragraph, CodeBlock]
    assert doc.code_blocks[0].code == 'print("code counts too")'


@pytest.mark.parametrize("name", ["empty.html", "no-article.html"])
def test_pages_without_an_article_are_errors(name: str) -> None:
    with pytest.raises(SourceError) as error:
        read_case(name)
    assert error.value.path == f"html/{name}"


def test_no_markup_survives_in_any_case() -> None:
    for path in sorted(CASES.glob("*.html")):
        if path.name in ("empty.html", "no-article.html"):
            continue
        assert_no_markup(read_case(path.name).blocks)


# -------------------------------------------------------------- fragments


def test_widgets_scripts_and_empty_paragraphs_are_dropped() -> None:
    blocks = fragment(
        "<p>Keep</p><p> </p><p>&nbsp;</p><button>Copy</button><script>x()</script>"
        '<div class="copy-button">Copy code</div><p>Enter fullscreen mode Exit fullscreen mode</p>'
    )
    assert blocks == [Paragraph("Keep")]


def test_anchor_links_with_symbols_vanish() -> None:
    blocks = fragment('<h2 id="s">Setup<a class="headerlink" href="#s">¶</a></h2>')
    assert blocks == [Heading(2, "Setup")]


def test_emphasis_spaces_move_outside_the_markers() -> None:
    assert fragment("<p>a<strong> b </strong>c <em></em>d</p>") == [Paragraph("a **b** c d")]


def test_iso_dates() -> None:
    assert iso_date("Wed, 07 Jan 2026 09:11:37 +0000") == "2026-01-07"
    assert iso_date("2023-04-09T08:30:00+02:00") == "2023-04-09"
    assert iso_date("April 9, 2023") == "2023-04-09"
    assert iso_date("someday") == ""


def test_layout_wrapper_named_sidebar_is_not_chrome() -> None:
    # Genesis themes wrap the article in div#content-sidebar-wrap.
    doc = read_case("layout-wrapper-named-sidebar.html")
    assert doc.meta.title == "Genesis Post"
    assert doc.blocks == (
        Paragraph("Real content of the article that is long enough to pass the minimum."),
        Heading(2, "Part one"),  # kept although it sits in a <header>
        Paragraph("Section text."),
    )
