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


# --- chrome-looking ids on the article's own sections ------------------------------------------

LONG = ("Each entry of this menu opens, saves or prints the code in the window you are working in, "
        "and most have a keyboard shortcut shown beside them. ")


def _docs_page(sections: str) -> str:
    """A Sphinx page as docs.python.org serves it: sections with ids made from their titles."""
    return f"""<!DOCTYPE html><html><head><title>IDLE — Python 3.12 documentation</title></head><body>
<div class="related" role="navigation"><h3>Navigation</h3><ul><li><a href="/index.html">index</a></li></ul></div>
<div class="document"><div class="documentwrapper"><div class="bodywrapper"><div class="body" role="main">
<section id="idle"><h1>IDLE<a class="headerlink" href="#idle">¶</a></h1>
<p>IDLE is Python’s Integrated Development and Learning Environment, written in Python with tkinter.</p>
{sections}
</section></div></div></div>
<div class="sphinxsidebar" role="navigation"><h3>Table of Contents</h3><ul><li><a href="#idle">IDLE</a></li></ul></div>
</div><div class="footer">© Copyright 2001-2024, Python Software Foundation.</div></body></html>"""


def _section(ident: str, title: str, body: str, level: int = 3) -> str:
    return (f'<section id="{ident}"><h{level}>{title}<a class="headerlink" href="#{ident}">¶</a></h{level}>'
            f"{body}</section>")


def test_sections_named_after_their_titles_are_kept_whatever_their_words() -> None:
    menus = _section("menus", "Menus", "<p>IDLE has two main window types, the Shell window and the Editor window.</p>"
                     + _section("file-menu-shell-and-editor", "File menu (Shell and Editor)",
                                "<dl><dt>New File</dt><dd><p>Create a new file editing window.</p></dd>"
                                "<dt>Open…</dt><dd><p>Open an existing file with an Open dialog.</p></dd></dl>")
                     + _section("context-menus", "Context menus", f"<p>{LONG}</p>"), level=2)
    editing = _section("editing-and-navigation", "Editing and Navigation",
                       "<p>In this section, ‘C’ refers to the Control key.</p><pre>print('hi')</pre>", level=2)
    (doc,) = html.read(_docs_page(menus + editing), source="idle.html")
    headings = [b.text for b in doc.blocks if isinstance(b, Heading)]
    assert headings == ["Menus", "File menu (Shell and Editor)", "Context menus", "Editing and Navigation"]
    text = " ".join(texts(doc.blocks))
    assert "Create a new file editing window." in text and "Open an existing file" in text
    assert not any("chrome" in n for n in doc.notes)
    assert "Table of Contents" not in text and "Copyright" not in text and "index" not in headings


def test_a_section_with_a_chrome_looking_id_and_heading_and_code_is_kept() -> None:
    page = _docs_page(_section("share-state-between-requests", "Keep state in a menu",
                               "<p>Store it in the session.</p><pre>session['menu'] = 1</pre>", level=2))
    (doc,) = html.read(page, source="p.html")
    assert Heading(2, "Keep state in a menu") in doc.blocks
    assert doc.code_blocks[0].code == "session['menu'] = 1"


def test_a_chrome_looking_box_with_a_heading_and_a_long_explanation_is_kept() -> None:
    box = f'<div class="sidebar-note"><h3>Why a menu per window</h3><p>{LONG * 3}</p></div>'
    (doc,) = html.read(_docs_page(f"<p>{LONG * 4}</p>{box}<p>{LONG * 4}</p>"), source="p.html")
    assert "Why a menu per window" in texts(doc.blocks) and not doc.notes


ARTICLE_WITH_CHROME = """<!DOCTYPE html><html><head><title>Reading files</title></head><body>
<nav class="site-nav"><a href="/">Home</a> <a href="/blog">Blog</a></nav>
<article><h1>Reading files</h1>
<nav class="toc"><h2>Contents</h2><ul><li><a href="#read">Read</a></li></ul></nav>
<p>Python reads a whole file with one call. This tutorial shows how, step by step, with code.</p>
<pre><code class="language-python">print(open("a.txt").read())</code></pre>
<div class="cookie-consent"><p>We use cookies to improve your experience. By using this site you accept them.</p><button>OK</button></div>
<div id="newsletter"><h3>Newsletter</h3><p>Get new posts by email.</p><form><input name="email"></form></div>
<div class="author-bio"><h4>About the author</h4><p>Jane writes about Python and data, and teaches at a school in Lyon.</p></div>
<div id="related"><h3>Related</h3>
  <div><h4><a href="/writing-files">Writing files</a></h4><p>{excerpt}</p></div>
  <div><h4><a href="/csv">Reading CSV</a></h4><p>{excerpt}</p></div></div>
<div id="comments"><h2>Comments</h2><p>{excerpt}</p><pre>print("my version")</pre></div>
<aside class="sidebar"><h3>About me</h3><p>I write code.</p></aside>
<footer><p>© 2024 Example</p></footer>
</article></body></html>""".replace("{excerpt}", LONG * 2)


def test_real_chrome_is_still_removed_each_with_a_note() -> None:
    (doc,) = html.read(ARTICLE_WITH_CHROME, source="p.html")
    assert texts(doc.blocks) == ["Python reads a whole file with one call. This tutorial shows how, step by step, with code."]
    assert [c.code for c in doc.code_blocks] == ['print(open("a.txt").read())']
    removed = [n.split(": ", 1)[1].split(" (")[0] for n in doc.notes if n.startswith("ignored page chrome")]
    assert removed == ["nav.toc", "div.cookie-consent", "div#newsletter", "div.author-bio", "div#related",
                       "div#comments", "aside.sidebar", "footer"]


@pytest.mark.parametrize("heading", [
    '<h1>Getting started<a class="headerlink" href="#getting-started" title="Link to this heading">¶</a></h1>',
    '<h1><a aria-hidden="true" href="#getting-started">#</a>Getting started</h1>',
    '<h1>Getting <em>started</em> <a href="#getting-started">🔗</a></h1>',
])
def test_a_title_has_no_permalink_sign(heading: str) -> None:
    page = f"<html><body><article>{heading}<p>{'Some words of the article. ' * 20}</p></article></body></html>"
    (doc,) = html.read(page, source="page.html")
    assert doc.meta.title == "Getting started"


# --- issue 13: rules found on the reader corpus (tests/corpus/readers) ---------------------------

_FILLER = "<p>" + "Prose of the article that is long enough to count as the article itself. " * 4 + "</p>"


def test_article_with_most_of_the_page_inside_a_chrome_looking_wrapper() -> None:
    # Blogger wraps every post in div.widget.Blog; Substack's article is article.newsletter-post.
    page = (f"<html><body><nav><a href='/'>Home</a></nav><div class='widget Blog'><div class='post-body'>"
            f"{_FILLER}<pre>x = 1</pre></div></div><div class='sidebar'><p>Archive</p></div></body></html>")
    (doc,) = html.read(page, source="t.html")
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "CodeBlock"]


def test_jupyter_cells_declare_their_lexer_and_outputs_are_text() -> None:
    blocks = fragment("<div class='highlight hl-ipython3'><pre>a * b</pre></div>"
                      "<div class='jp-RenderedText jp-OutputArea-output'><pre>array([1, 2])</pre></div>"
                      "<div class='output_subarea output_text'><pre>Traceback (most recent call last):</pre></div>")
    assert [b.declared for b in blocks] == ["ipython3", "output", "output"]


def test_sibling_row_tables_are_one_article() -> None:
    row = "<tr><td class='docs'><p>{}</p></td><td class='code'><pre>{}</pre></td></tr>"
    table = lambda n: "<table>" + "".join(row.format(f"Explanation {n}.{i} " * 8, f"code_{n}_{i}()") for i in (1, 2)) + "</table>"
    page = f"<html><body><div class='example'><h2>Topic</h2>{table(1)}{table(1)}{table(2)}</div></body></html>"
    (doc,) = html.read(page, source="t.html")
    assert [b.code for b in doc.code_blocks][-2:] == ["code_2_1()", "code_2_2()"]


def test_an_element_classed_footer_is_chrome() -> None:
    page = (f"<html><body><article><h1>T</h1>{_FILLER}<pre>x = 1</pre>"
            "<p class='footer'>by <a href='/a'>A</a> | <a href='/src'>source</a></p></article></body></html>")
    (doc,) = html.read(page, source="t.html")
    assert "source" not in " ".join(texts(doc.blocks))


@pytest.mark.parametrize("names", [("pre",), ("pre", "code"), ("br",), ("h2", "table", "article"), ("aside",)])
def test_named_lookups_find_what_beautiful_soup_finds(names: tuple[str, ...]) -> None:
    from bs4 import BeautifulSoup

    from converter.readers.html_blocks import all_named, first_named, parent_named

    page = ("<div><p>Intro <code>x</code><br></p><section><h2>A</h2><div><pre><code>1\n2</code></pre></div>"
            "<table><tr><td><pre>3</pre></td></tr></table></section><article><p>b</p></article></div>")
    soup = BeautifulSoup(page, "lxml")
    for tag in soup.find_all(True):
        assert first_named(tag, frozenset(names)) is tag.find(list(names))
        assert all_named(tag, frozenset(names)) == tag.find_all(list(names))
        assert parent_named(tag, frozenset(names)) is tag.find_parent(list(names))
        if len(names) == 1:  # one name given as a string: the name, not its letters
            assert first_named(tag, names[0]) is tag.find(names[0])
            assert all_named(tag, names[0]) == tag.find_all(names[0])
            assert parent_named(tag, names[0]) is tag.find_parent(names[0])
