"""The Markdown reader: front matter, titles, code, lists, tables, inline and block HTML."""

from __future__ import annotations

from pathlib import Path

import pytest

from converter.document import (
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
from converter.readers import markdown

CASES = Path(__file__).parent / "cases" / "markdown"


def read_case(name: str) -> Document:
    (doc,) = markdown.read((CASES / name).read_text(encoding="utf-8"), source=name)
    return doc


def test_front_matter_meta_and_repeated_title_heading() -> None:
    doc = read_case("front-matter.md")
    assert doc.meta.title == "Pandas: Group By"
    assert doc.meta.author == "Dee Author"
    assert doc.meta.date == "2024-02-29"
    assert doc.meta.tags == ("pandas", "python")
    assert doc.meta.url == "https://example.com/pandas-groupby"
    assert doc.meta.source == "front-matter.md"
    assert doc.blocks == (
        Paragraph("Group rows by a key and aggregate them."),
        Heading(2, "Counting"),
        Paragraph("Use `size()`."),
    )


def test_first_h1_is_the_title_and_levels_are_normalised() -> None:
    doc = read_case("h1-title.md")
    assert doc.meta.title == "The Real Title"
    assert doc.blocks == (
        Paragraph("Some intro before the title."),
        Heading(2, "Only section"),
        Paragraph("Text under the section."),
    )


def test_fenced_indented_and_myst_code() -> None:
    doc = read_case("fenced-code.md")
    assert doc.code_blocks == (
        CodeBlock("def f():\n    return 1", declared="python"),  # only the first info word
        CodeBlock("plain text block"),
        CodeBlock('indented = "code"\nprint(indented)'),
        CodeBlock("x = 1", declared="ipython3"),  # ```{code-cell} ipython3
    )  # the empty ```js fence yields nothing


def test_nested_lists() -> None:
    doc = read_case("nested-lists.md")
    assert doc.blocks == (
        ListBlock(("parent\n- child\n  - grandchild", "second")),
        ListBlock(("three", "four\n1. four-one"), ordered=True, start=3),
        ListBlock(("loose item\n\nsecond paragraph", "next")),
    )


def test_code_in_a_list_item_is_hoisted() -> None:
    doc = read_case("code-in-list.md")
    assert doc.blocks == (
        ListBlock(("Install:", "Run it."), ordered=True, start=1),
        CodeBlock("pip install httpx", declared="bash"),
    )


def test_table_cells_escape_pipes_and_strip_html() -> None:
    doc = read_case("table.md")
    assert doc.blocks == (
        Table(
            ("Name", "Code", "Note"),
            (("pipe", "`a \\| b`", "**bold**"), ("html", "tag", "x & y")),
        ),
    )


def test_inline_html_is_stripped_and_entities_decoded() -> None:
    doc = read_case("inline-html.md")
    assert doc.blocks == (
        Paragraph(
            "Text with spans, a Ctrl key,\\\na break, an entity © and an autolink "
            "[https://example.com/a_b](https://example.com/a_b)."
        ),
        # A relative image is not on the web: its description stays, the image does not.
        Paragraph("A [link](https://example.com/x) and inline image in text."),
    )


def test_html_blocks_go_through_the_html_walker() -> None:
    doc = read_case("html-block.md")
    assert doc.blocks == (
        Paragraph("An **HTML** paragraph."),
        CodeBlock("x = 1 < 2", declared="python"),
        Table(("A",), (("1",),)),
        Paragraph("After the HTML."),
    )


def test_quotes_and_rules() -> None:
    doc = read_case("quotes-and-rules.md")
    assert doc.blocks == (
        Quote("First paragraph\ncontinues.\n\nSecond paragraph.\n\n> Nested quote."),
        CodeBlock("quoted = True", declared="python"),
        Rule(),
        Rule(),
    )


def test_images_alone_are_image_blocks() -> None:
    doc = read_case("images.md")
    # badge.svg is a local path: Sphinx would copy that file into the site.
    assert doc.blocks == (Image("https://example.com/chart.png", "A chart"),)
    assert "skipped an image that is not on the web (not http or https)" in doc.notes


def test_invalid_front_matter_is_noted_and_skipped() -> None:
    doc = read_case("invalid-front-matter.md")
    assert doc.meta.title == "Heading Title"
    assert doc.blocks == (Paragraph("Body."),)
    assert doc.notes and "front matter" in doc.notes[0]


def test_rule_at_top_is_not_front_matter() -> None:
    (doc,) = markdown.read("---\nJust text\n\n## Part\n", source="r.md")
    assert doc.blocks[:2] == (Rule(), Paragraph("Just text"))
    assert doc.meta.title == "r"  # no title anywhere: the file name
    assert doc.notes


def test_line_starts_stay_literal() -> None:
    (doc,) = markdown.read("# T\n\nSee `-U`: the user\\\n\\- not a list\n", source="x.md")
    assert doc.blocks == (Paragraph("See `-U`: the user\\\n\\- not a list"),)


@pytest.mark.parametrize("name", ["empty.md", "front-matter-only.md"])
def test_nothing_to_read_is_an_error(name: str) -> None:
    with pytest.raises(SourceError) as error:
        read_case(name)
    assert error.value.path == name


@pytest.mark.parametrize("run", [30, 300, 3000])
def test_emphasis_nested_deeper_than_markdown_it_bounds_keeps_its_text(run: int) -> None:
    """A run of asterisks nests emphasis as deep as it is long; building the tree recursed."""
    [doc] = markdown.read(f"# T\n\nSome {'*' * run}deep{'*' * run} text.\n\n```python\nprint(1)\n```\n", source="x.md")
    assert "deep" in doc.blocks[0].text and doc.blocks[1].code == "print(1)"


# --- raw HTML regions that CommonMark would cut at blank lines ----------------------------------

def test_an_html_element_with_blank_lines_is_read_whole() -> None:
    from converter.readers.markdown import gather_html_regions

    body = "Intro.\n\n<table>\n  <tr><td>a</td></tr>\n\n  <tr><td>b</td></tr>\n</table>\n\nAfter.\n"
    gathered, regions = gather_html_regions(body)
    assert list(regions.values()) == ["<table>\n  <tr><td>a</td></tr>\n\n  <tr><td>b</td></tr>\n</table>\n"]
    assert gathered.count("\n") == body.count("\n")  # line numbers kept


@pytest.mark.parametrize("body", [
    "<div class=\"note\">\n\n**Markdown** inside, as CommonMark reads it.\n\n</div>\n",  # a Markdown part
    "<table><tr><td>no blank line</td></tr></table>\n",  # CommonMark reads it whole already
    "```html\n<div>\n\n<p>x</p>\n</div>\n```\n",  # inside a fence
    "<div>\n\n<p>never closed</p>\n",
])
def test_html_regions_leave_commonmark_alone(body: str) -> None:
    from converter.readers.markdown import gather_html_regions

    assert gather_html_regions(body) == (body, {})


# --- issue 13: static site generators' code tags (tests/corpus/readers) ----------------------------


def _read(text: str) -> Document:
    (doc,) = markdown.read(text, source="post.md")
    return doc


def test_liquid_highlight_is_a_code_block_and_raw_tags_are_not_content() -> None:
    doc = _read("# T\n\nIntro text.\n\n{% highlight jinja linenos %}\n{% raw %}\n{{ user.name }}\n{% endraw %}\n"
                "{% endhighlight %}\n\nThe {% raw %}`{{ }}`{% endraw %} tags print.\n")
    assert [(b.code, b.declared) for b in doc.code_blocks] == [("{{ user.name }}", "jinja")]
    assert doc.blocks[-1] == Paragraph("The `{{ }}` tags print.")


def test_hugo_highlight_shortcode_is_a_code_block_and_other_shortcodes_go() -> None:
    doc = _read('# T\n\n{{< highlight go "linenos=table" >}}\nx := 1\n{{< / highlight >}}\n\n'
                "{{< notice warning >}}\nMind the deadline.\n{{< /notice >}}\n")
    assert [(b.code, b.declared) for b in doc.code_blocks] == [("x := 1", "go")]
    assert doc.blocks[-1] == Paragraph("Mind the deadline.")
    assert any("template tag" in n for n in doc.notes)


def test_template_tags_inside_fences_stay_code() -> None:
    doc = _read("# T\n\nA Jekyll layout:\n\n```liquid\n{% include nav.html %}\n{% highlight ruby %}\n```\n")
    assert doc.code_blocks[0].code == "{% include nav.html %}\n{% highlight ruby %}"
