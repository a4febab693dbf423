"""The RSS/Atom feed reader, on hand-written cases and the real dev.to feed."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from converter.document import CodeBlock, Document, Heading, Image, ListBlock, Paragraph, Table, is_loss
from converter.errors import SourceError
from converter.readers import rss

CASES = Path(__file__).parent / "cases"
DEVTO_FEED = Path(__file__).resolve().parents[1] / "sources" / "003_de1538dbbdf76b2e.txt"


def read_case(name: str) -> list[Document]:
    # Raw text, BOM included: the reader must cope without decode()'s help.
    text = (CASES / name).read_bytes().decode("utf-8")
    return rss.read(text, source=name)


def prose(doc: Document) -> list[str]:
    out: list[str] = [doc.meta.title]
    for b in doc.blocks:
        if isinstance(b, (Paragraph, Heading)):
            out.append(b.text)
        elif isinstance(b, ListBlock):
            out += b.items
        elif isinstance(b, Table):
            out += list(b.header) + [c for row in b.rows for c in row]
    return out


def leftovers(doc: Document) -> list[str]:
    """Prose holding an HTML tag or entity (code spans and code blocks excluded)."""
    bad = []
    for text in prose(doc):
        outside_code = re.sub(r"(`+).*?\1", "", text, flags=re.S)
        if re.search(r"(?<!\\)<[A-Za-z/!]|&#?\w+;", outside_code):
            bad.append(text)
    return bad


# ------------------------------------------------------------------ RSS 2.0


def test_rss_items_meta_and_content_encoded() -> None:
    first, second = read_case("rss/basic-rss.xml")
    assert first.meta.title == "First post"
    assert first.meta.source == "rss/basic-rss.xml"
    assert first.meta.url == "https://example.com/first"
    assert first.meta.author == "Ann Author"
    assert first.meta.date == "2024-03-05"  # local date of the RFC 822 stamp
    assert first.meta.tags == ("python", "tutorial")
    assert first.blocks == (
        Paragraph("Full **content** wins over the teaser."),
        CodeBlock('print("hi")', declared="python"),
    )
    # No <link>: the guid is the address; escaped HTML body, relative link resolved.
    assert second.meta.url == "https://example.com/second"
    assert second.blocks == (
        Paragraph("Escaped HTML in the description, with a [relative link](https://example.com/rel)."),
    )


def test_nbsp_entities_bare_ampersand_and_blank_line_before_declaration() -> None:
    (doc,) = read_case("rss/nbsp-entity-feed.xml")
    assert doc.meta.title == "Café & tips — part 1"
    assert doc.meta.url == "https://example.com/cafe?a=1&b=2"
    assert doc.blocks == (Paragraph("Tom & Jerry said hi."),)
    assert any("nbsp" in note for note in doc.source_notes)


def test_bom_and_stale_encoding_declaration() -> None:
    (doc,) = read_case("rss/blank-line-before-xml-decl.xml")
    assert doc.meta.title == "After a BOM"
    assert doc.blocks == (Paragraph("Parsed despite the BOM and the stale encoding."),)


def test_truncated_feed_keeps_complete_items() -> None:
    docs = read_case("rss/truncated-feed.xml")
    assert [d.meta.title for d in docs] == ["One", "Two"]
    assert docs[1].blocks == (Paragraph("Complete item two."),)
    assert docs[0].source_notes == ("dropped item 3 ('Three'): the feed is truncated inside it",)
    assert all(is_loss(note) for note in docs[0].source_notes)


def test_unescaped_html_in_description_and_rss_author() -> None:
    (doc,) = read_case("rss/unescaped-html-description.xml")
    assert doc.meta.author == "Ann Author"  # from "ann@example.com (Ann Author)"
    assert doc.meta.date == "2024-01-01"
    assert doc.blocks == (
        Paragraph("Markup *not* escaped at all."),
        CodeBlock("if (a < b) { go(); }", declared="javascript"),
        Image("https://example.com/raw/pic.png", "Picture"),
    )


def test_devto_item_in_cdata() -> None:
    (doc,) = read_case("rss/devto-cdata-item.xml")
    assert doc.blocks == (
        Heading(2, "Fixtures & `conftest.py`"),
        Paragraph("Fixtures keep tests small."),
        CodeBlock("import pytest\n\n@pytest.fixture\ndef db():\n    return {}", declared="python"),
        Table(("Scope", "Lifetime"), (("`function`", "one test"),)),
    )


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("rss/empty.xml", "empty file"),
        ("rss/not-a-feed.xml", "not an RSS or Atom feed (root element 'html')"),
        ("rss/no-items.xml", "feed has no items"),
    ],
)
def test_unreadable_feeds_are_errors(name: str, problem: str) -> None:
    with pytest.raises(SourceError) as error:
        read_case(name)
    assert error.value.path == name
    assert error.value.problem == problem


def test_plain_text_is_not_a_feed() -> None:
    with pytest.raises(SourceError):
        rss.read("just some words", source="x.txt")


def test_feed_truncated_before_any_complete_item() -> None:
    with pytest.raises(SourceError) as error:
        rss.read("<rss><channel><item><title>Half", source="cut.xml")
    assert "truncated" in error.value.problem


# --------------------------------------------------------------------- Atom


def test_atom_xhtml_content() -> None:
    (doc,) = read_case("atom/xhtml-content.atom")
    assert doc.meta.title == "Using with blocks"  # type="html" title: tags stripped
    assert doc.meta.url == "https://example.com/with-blocks"  # rel=alternate, not self
    assert doc.meta.author == "Bob Writer"
    assert doc.meta.date == "2022-11-30"  # published before updated
    assert doc.meta.tags == ("python", "context-managers")
    assert doc.blocks == (
        Paragraph("Context managers *close* files for you."),
        CodeBlock('with open("f") as f:\n    data = f.read()', declared="python"),
        ListBlock(("one", "two")),
    )


def test_atom_prefixed_xhtml_content() -> None:
    (doc,) = read_case("atom/prefixed-xhtml.atom")
    assert doc.meta.title == "Prefixed XHTML"
    assert doc.blocks == (Heading(2, "Setup"), Paragraph("Prefixed **tags** work."))


def test_atom_html_content_escaped_and_cdata() -> None:
    first, second = read_case("atom/html-content.atom")
    assert first.meta.author == "Cy"
    assert first.meta.date == "2021-02-03"
    assert first.meta.tags == ("sql",)
    assert first.blocks == (
        Heading(2, "Query"),  # the entry's only heading level becomes 2
        Paragraph("Select **everything**:"),
        CodeBlock("SELECT * FROM t;", declared="sql"),  # a bare language class on <pre>
    )
    assert second.blocks == (
        Paragraph("CDATA content with [a relative link](https://example.com/page2)."),
    )


def test_atom_text_summary() -> None:
    (doc,) = read_case("atom/text-summary.atom")
    assert doc.blocks == (
        Paragraph("First paragraph says a \\< b & \\*not bold\\*."),
        Paragraph("Second paragraph."),
    )


# ------------------------------------------------------------ real dev.to feed


@pytest.fixture(scope="module")
def devto() -> list[Document]:
    return rss.read(DEVTO_FEED.read_text(encoding="utf-8"), source="sources/003.txt")


def test_devto_feed_items(devto: list[Document]) -> None:
    assert len(devto) == 12
    assert "Life Update #1" in [d.meta.title for d in devto]  # filtering is not the reader's job
    assert all(d.meta.source == "sources/003.txt" for d in devto)
    assert all(d.meta.author == "Chandrashekhar Kachawa" for d in devto)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d.meta.date) for d in devto)
    assert all(d.meta.url.startswith("https://forem.com/ctrix/") for d in devto)
    assert devto[0].meta.date == "2026-01-07"


def test_devto_feed_code_blocks(devto: list[Document]) -> None:
    code = [c for d in devto for c in d.code_blocks]
    assert len(code) == 52
    assert Counter(c.declared for c in code) == {
        "shell": 20, "python": 17, "javascript": 6, "plaintext": 4,
        "typescript": 2, "toml": 2, "json": 1,
    }
    assert all(c.language == "" and c.code == c.code.strip("\n") for c in code)
    assert not any("fullscreen" in c.code for c in code)


def test_devto_feed_tables_headings_and_clean_prose(devto: list[Document]) -> None:
    with_tables = [d.meta.title for d in devto if any(isinstance(b, Table) for b in d.blocks)]
    assert len(with_tables) == 2
    headings = [b for d in devto for b in d.blocks if isinstance(b, Heading)]
    assert headings and all(h.text and h.text == h.text.strip() for h in headings)
    assert min(h.level for h in headings) == 2
    assert all(leftovers(d) == [] for d in devto)
    assert not any("fullscreen" in t.lower() for d in devto for t in prose(d))


@pytest.mark.parametrize("bad", [
    '<dc:creator>Eve</dc:creator>',  # a prefix never declared
    '<c:x>y</c:x><link>http://[broken</link>',  # an address urljoin refuses
    '<description>&lt;div&gt;&lt;embed src="v.mp4"&gt;&lt;/div&gt;</description>',  # a void element
    '<title>&#x1; &#xD800; &#xFFFF; &#1114112;</title>',  # references to what XML does not allow
])
def test_one_bad_element_costs_nothing_else(bad: str) -> None:
    """The feed's other item, and this item's other content, survive what fuzzing found."""
    feed = (f'<rss version="2.0" xmlns:c="http://e&#xD800;.org/"><channel><item><title>Python</title>{bad}'
            '<description>&lt;p&gt;Python lists.&lt;/p&gt;&lt;pre&gt;print(1)&lt;/pre&gt;</description></item>'
            '<item><title>Second</title><description>&lt;p&gt;More python.&lt;/p&gt;</description></item></channel></rss>')
    docs = rss.read(feed, source="f.xml")
    assert [d.meta.title for d in docs][-1] == "Second"
    assert Paragraph("More python.") in docs[-1].blocks


# ------------------------------------------- malformed feeds feedparser recovers

def _two_items(first: str) -> str:
    return (f"<rss><channel><item>{first}</item>"
            "<item><title>B</title><description>&lt;p&gt;Item b.&lt;/p&gt;</description></item></channel></rss>")


@pytest.mark.parametrize(("first", "title", "blocks"), [
    # raw HTML with a void <br> in <description>: the next item's escaped HTML stays HTML
    ("<title>A</title><description><p>one<br>two</description>", "A", (Paragraph("one\\\ntwo"),)),
    # an unquoted attribute value in raw HTML: the paragraph keeps its text only
    ("<title>A</title><description><p class=x>aa</p></description>", "A", (Paragraph("aa"),)),
    # a bare < in a title
    ("<title>a < b</title><description>&lt;p&gt;a&lt;/p&gt;</description>", "a < b", (Paragraph("a"),)),
])
def test_malformed_item_is_recovered_and_noted(first: str, title: str, blocks: tuple) -> None:
    docs = rss.read(_two_items(first), source="f.xml")
    assert [(d.meta.title, d.blocks) for d in docs] == [(title, blocks), ("B", (Paragraph("Item b."),))]
    assert docs[0].source_notes[0].startswith("feed XML is malformed, recovered (line 1: ")


def test_feed_text_is_never_opened_as_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """feedparser reads a str that names a file from that file: the reader passes the text as data."""
    monkeypatch.chdir(tmp_path)
    text = "<rss></rss>"
    for name in (text, rss._UTF8_DECLARATION + text):  # what the reader may hand on, as a path
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(_two_items("<title>A</title><description>a</description>"))
    with pytest.raises(SourceError) as error:
        rss.read(text, source="f.xml")
    assert error.value.problem == "feed has no items"


def test_huge_character_reference_is_dropped() -> None:
    (doc,) = rss.read("<rss><channel><item><title>a&#" + "9" * 5000 + ";b</title>"
                      "<description>x</description></item></channel></rss>", source="f.xml")
    assert doc.meta.title == "ab"


def test_a_misspelt_end_tag_costs_its_item_and_says_so() -> None:
    """Where feedparser's recovery does worse than lxml's did: `</titel>` never closes the title,
    which swallows the rest of the item. The loss is named; the next item is whole."""
    first, second = rss.read(_two_items("<title>A</titel><description>&lt;p&gt;a&lt;/p&gt;</description>"),
                             source="f.xml")
    assert (first.meta.title, first.blocks) == ("Untitled", ())
    assert first.notes == ("item has no content", "item has no title")
    assert second.blocks == (Paragraph("Item b."),)
