"""The MyST notebook writer and the generated table of contents."""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

from converter.document import (
    CodeBlock, Document, Heading, Image, ListBlock, Meta, Paragraph, Quote, Rule, Table,
)
from converter.stamp import is_hand_edited
from converter.errors import WriterError
from converter.writers import notebook
from converter.writers.notebook import SKIP_TAGS, highlight_language, to_myst, to_notebook
from converter.writers.toc import landing_page, read_entries, toc_yaml

META = Meta(
    "Async *Basics*", "sources/feed.xml", url="https://example.com/a", author="Ada", date="2025-12-01",
    tags=("python",), slug="async-basics", chapter="Python",
)


def _doc(*blocks, meta: Meta = META) -> Document:
    return Document(meta, tuple(blocks))


def test_first_cell_is_the_title_and_metadata_says_where_it_came_from() -> None:
    nb = to_notebook(_doc(Paragraph("Hi.")))
    assert nb.cells[0].source == "# Async \\*Basics\\*"
    assert "https://example.com/a" in nb.cells[1].source and "Ada" in nb.cells[1].source
    course = nb.metadata["course"]
    assert course["source"] == {"file": "sources/feed.xml", "url": "https://example.com/a"}
    assert (course["author"], course["date"], course["tags"]) == ("Ada", "2025-12-01", ["python"])
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_running_python_is_a_plain_code_cell() -> None:
    nb = to_notebook(_doc(CodeBlock("print(1)", "python", status="runs")))
    cell = nb.cells[-1]
    assert cell.cell_type == "code" and cell.source == "print(1)"
    assert "tags" not in cell.metadata and cell.metadata["runnable"]["status"] == "runs"


def test_skipped_python_is_tagged_and_explained() -> None:
    nb = to_notebook(_doc(CodeBlock("import flask", "python", status="skipped", reason="needs flask")))
    note, cell = nb.cells[-2:]
    assert cell.metadata["tags"] == SKIP_TAGS
    assert cell.metadata["runnable"] == {"status": "skipped", "reason": "needs flask"}
    assert "Not run here: needs flask" in note.source


def test_other_languages_are_fenced_with_their_language_and_reason() -> None:
    nb = to_notebook(_doc(CodeBlock('package main\n\nfunc main() {}', "go", status="skipped", reason="Go code")))
    cell = nb.cells[-1]
    assert cell.cell_type == "markdown"
    assert "```go\npackage main" in cell.source and "Not run here: Go code" in cell.source
    assert cell.metadata["runnable"]["language"] == "go"


def test_fence_outgrows_backticks_inside_code() -> None:
    nb = to_notebook(_doc(CodeBlock("echo ```x```", "shell", status="skipped", reason="r")))
    assert "````shell\n" in nb.cells[-1].source


@pytest.mark.parametrize(
    ("code", "language", "expected"),
    [('{"a": 1}', "json", "json"), ("{'a': 1, // no\n}", "json", "text"), ("x", "no-such-lexer", "text")],
)
def test_fence_language_must_lex_cleanly_for_sphinx(code: str, language: str, expected: str) -> None:
    assert highlight_language(code, language) == expected


def test_headings_never_skip_levels() -> None:
    nb = to_notebook(_doc(Heading(3, "A"), Heading(5, "B"), Heading(3, "C"), Heading(4, "D")))
    headings = [c.source.split(" ")[0] for c in nb.cells[2:]]
    assert headings == ["##", "###", "##", "###"]


def test_every_prose_block_renders() -> None:
    nb = to_notebook(_doc(
        Paragraph("p"), ListBlock(("one", "two\nmore"), ordered=True, start=3), Table(("a", "b"), (("1", "2"),)),
        Image("https://x/y.png", "alt"), Quote("q1\n\nq2"), Rule(),
    ))
    text = nb.cells[-1].source
    for piece in ["p", "3. one\n4. two\n   more", "| a | b |\n| --- | --- |\n| 1 | 2 |", "![alt](https://x/y.png)", "> q1\n>\n> q2"]:
        assert piece in text


def test_myst_round_trip_is_stable_and_stamped() -> None:
    text = to_myst(_doc(Heading(2, "H"), Paragraph("p"), CodeBlock("print(1)", "python", status="runs")))
    assert jupytext.writes(jupytext.reads(text, fmt="md:myst"), fmt="md:myst") == text
    assert not is_hand_edited(text)
    assert is_hand_edited(text.replace("print(1)", "print(2)"))


def test_read_back_catches_a_page_that_reads_as_other_cells() -> None:
    doc = _doc(Heading(2, "H"), Paragraph("p"), CodeBlock("print(1)", "python", status="runs"))
    nb = to_notebook(doc)
    text = jupytext.writes(nb, fmt="md:myst")
    notebook._check_reads_back(nb, text, doc)  # the page as written reads back
    with pytest.raises(WriterError, match="would not read back as written"):
        notebook._check_reads_back(nb, text.replace("```{code-cell}", "```python"), doc)
    with pytest.raises(WriterError, match="would not read back as written"):
        notebook._check_reads_back(nb, text.replace("print(1)", "print(2)"), doc)
    broken = text.replace("```{code-cell}", "```{code-cell}\n---\ntags: [a\n---", 1)
    with pytest.raises(WriterError, match="would not read back"):
        notebook._check_reads_back(nb, broken, doc)


def test_nbformat_validates_cells_again_after_the_writer() -> None:
    import nbformat
    from nbformat.v4 import nbbase

    to_myst(_doc(Paragraph("p"), CodeBlock("print(1)", "python", status="runs")))
    assert nbbase.validate is not notebook._no_validation
    import jupytext.myst
    import yaml
    assert jupytext.myst.yaml is yaml
    with pytest.raises(nbformat.ValidationError):
        nbformat.v4.new_code_cell(source=1)


def test_toc_and_landing_page_come_from_the_notebooks(tmp_path: Path) -> None:
    for slug, chapter, title in [("b", "Databases", "Joins"), ("a", "Python", "Asyncio"), ("c", "Custom", "Zed")]:
        meta = Meta(title, "s.txt", slug=slug, chapter=chapter)
        path = tmp_path / "book" / chapter.lower() / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(to_myst(_doc(Paragraph(f"About {title}. More."), meta=meta)))
    (tmp_path / "book" / "index.md").write_text("# hand-written page\n")
    entries = read_entries(tmp_path / "book", tmp_path)
    toc = toc_yaml(entries, order=["Python", "Databases"])  # the configured chapters' order
    assert toc.index("caption: Python") < toc.index("caption: Databases") < toc.index("caption: Custom")
    by_default = toc_yaml(entries)  # the chapters by language first; others after, by title
    assert by_default.index("caption: Python") < by_default.index("caption: Custom") < by_default.index("caption: Databases")
    assert "file: book/python/a" in toc and "index" not in toc.split("root:")[0]
    page = landing_page(entries, title="My course")
    assert "[Asyncio](python/a.md): About Asyncio." in page and page.count("### ") == 3


def _random_metadata(rng, depth: int = 0):  # noqa: ANN001, ANN202
    """Cell-metadata-like data: nested dicts and lists of YAML's awkward words and random text."""
    words = ["yes", "no", "null", "~", "true", "1.5", "0x1f", "-", "? x", "- a", ":", "#c", "'", "''", '"', "&a", "*a",
             "!t", "%", "@", "`", "|", ">", "", "  ", "1e3", "2024-01-01", "ON", "ex-python-lists-3fa2b1"]
    printable = [chr(c) for c in range(32, 127)]
    roll = rng.random()
    if depth < 3 and roll < 0.25:
        return {(rng.choice(words) or "k"): _random_metadata(rng, depth + 1) for _ in range(rng.randint(1, 4))}
    if depth < 3 and roll < 0.45:
        return [_random_metadata(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    if roll < 0.55:
        return rng.choice([None, True, False, 0, -3, 2.5, 10**12])
    if roll < 0.75:
        return " ".join(rng.choice(words) for _ in range(rng.randint(1, 30)))
    return "".join(rng.choice(printable) for _ in range(rng.randint(0, rng.choice([10, 80, 300]))))


def test_libyaml_writes_what_jupytext_itself_writes() -> None:
    """The writer has libyaml emit the metadata it can emit alike (printable ASCII); the page
    must stay byte for byte what jupytext writes, or Jupyter saving it unchanged would make
    it look hand-edited."""
    import random

    import yaml

    if notebook._LIBYAML is None:
        pytest.skip("PyYAML built without libyaml: the writer uses PyYAML's own emitter")
    rng = random.Random(13)
    alike = 0
    for _ in range(3000):
        data = {f"k{i}": _random_metadata(rng) for i in range(rng.randint(1, 4))}
        expected = yaml.dump(data, Dumper=jupytext.myst.CompactDumper, sort_keys=False, allow_unicode=True)
        assert notebook._LIBYAML.dump(data, Dumper=jupytext.myst.CompactDumper, sort_keys=False, allow_unicode=True) == expected
        alike += notebook._emitted_alike(data)
    assert alike == 3000  # all of it went through libyaml
    for awkward in ["two\\nlines", "a\\ttab " * 20, "café " * 30, "emoji 😀"]:
        data = {"original": awkward.replace("\\n", "\n").replace("\\t", "\t")}
        assert not notebook._emitted_alike(data)  # PyYAML's own emitter writes these
        expected = yaml.dump(data, Dumper=jupytext.myst.CompactDumper, sort_keys=False, allow_unicode=True)
        assert notebook._LIBYAML.dump(data, Dumper=jupytext.myst.CompactDumper, sort_keys=False, allow_unicode=True) == expected


def test_read_back_catches_metadata_that_comes_back_different() -> None:
    doc = _doc(Heading(2, "H"), CodeBlock("print(1)", "python", status="skipped", reason="needs a server"))
    nb = to_notebook(doc)
    text = jupytext.writes(nb, fmt="md:myst")
    notebook._check_reads_back(nb, text, doc)
    assert "reason: needs a server" in text  # the cell's metadata, besides the prose line
    with pytest.raises(WriterError, match="would not read back as written"):
        notebook._check_reads_back(nb, text.replace("reason: needs a server", "reason: needs a database"), doc)
    assert "author: Ada" in text  # the notebook's own metadata, in the front matter
    with pytest.raises(WriterError, match="metadata would not read back as written"):
        notebook._check_reads_back(nb, text.replace("author: Ada", "author: Bob"), doc)


def test_markdown_it_s_line_tables_come_out_the_same() -> None:
    """The read-back has markdown-it find the page's lines with `str.split`; its own state
    (every field, the line tables among them) must be what markdown-it makes, on text of
    spaces, tabs, line breaks and other characters in any order, and on a whole page."""
    import random

    from markdown_it import MarkdownIt
    from markdown_it.rules_block.state_block import StateBlock

    md = MarkdownIt("commonmark")
    rng = random.Random(7)
    alphabet = [" ", "\t", "\n", "\n", "a", "\u00a0", "\v", "#", "-"]
    page = to_myst(_doc(Heading(2, "H"), Paragraph("Text\twith a tab."), CodeBlock("if x:\n\tpass\n", "python")))
    texts = ["", "\n", " ", "\t\n  ", "a", page] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(5000)]
    for text in texts:
        assert vars(notebook._LinedStateBlock(text, md, {}, [])) == vars(StateBlock(text, md, {}, [])), repr(text)


def test_markdown_it_and_jupytext_are_themselves_again_after_writing() -> None:
    import jupytext.myst
    import markdown_it.parser_block

    original, get_parser = markdown_it.parser_block.StateBlock, jupytext.myst.get_parser
    to_myst(_doc(Heading(2, "H"), Paragraph("Text.")))
    assert (markdown_it.parser_block.StateBlock, jupytext.myst.get_parser) == (original, get_parser)
    assert jupytext.myst.get_parser() is not jupytext.myst.get_parser()  # jupytext's own: one per call
    with notebook._fast_jupytext():
        assert markdown_it.parser_block.StateBlock is notebook._LinedStateBlock
        assert jupytext.myst.get_parser() is jupytext.myst.get_parser()  # one parser for every page
