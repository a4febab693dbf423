"""What readers do to characters and markup no tutorial means (converter/characters.py,
html_blocks.parse_html): the text that is left reads back, parses as YAML, and loses nothing."""

from __future__ import annotations

import pytest
import yaml

from converter.document import CodeBlock, Document, Meta, Paragraph
from converter.characters import clean_code, clean_strings, clean_text
from converter.readers.html_blocks import MAX_DEPTH, blocks_from_html, parse_html


@pytest.mark.parametrize("raw, clean", [
    ("plain text", "plain text"),
    ("a\x01b\x02c\x7fd", "abcd"),  # controls go
    ("tab\tstays\nand newline", "tab\tstays\nand newline"),
    ("one\x0ctwo\x0bthree", "one\ntwo\nthree"),  # form feed, vertical tab: line breaks
    ("a\u2028b\u2029c\x85d", "a\nb\nc\nd"),  # Unicode line and paragraph separators, NEL
    ("a\x1cb\x1dc\x1ed", "a\nb\nc\nd"),  # what str.splitlines() also splits at
    ("dos\r\nmac\rend", "dos\nmac\nend"),
    ("\x80\x9f\ufffe\uffff", ""),  # C1 controls, non-characters
    ("snake \ud83d\udc0d", "snake 🐍"),  # a surrogate pair (a YAML escape) becomes its character
    ("lone \ud83d here", "lone \ufffd here"),
    ("ünïcödé, 中文, emoji 🎉, nbsp\u00a0", "ünïcödé, 中文, emoji 🎉, nbsp\u00a0"),
])
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
    assert clean_text(clean) == clean  # idempotent
    assert clean.splitlines() == clean.split("\n") or clean == ""  # jupytext slices lines as we do
    yaml.safe_load(yaml.safe_dump({"text": clean}))  # PyYAML takes every character left
    clean.encode("utf-8")


@pytest.mark.parametrize("code, language, expected", [
    ('page = "one\x0ctwo"\nprint(len(page))', "python", 'page = "one\u240ctwo"\nprint(len(page))'),
    ("x = 1\x0cprint(x)", "python", "x = 1\nprint(x)"),
    ("const s = 'a\u2028b';", "javascript", "const s = 'a\u2424b';"),
    ("const a = 1;\u2029console.log(a);", "javascript", "const a = 1;\nconsole.log(a);"),
    ("echo one\x0ctwo", "no-such-language", "echo one\ntwo"),
])
def test_clean_code_keeps_strings_one_character_long(code: str, language: str, expected: str) -> None:
    assert clean_code(code, language) == expected


def test_clean_strings_reaches_every_field() -> None:
    doc = Document(Meta(title="T\x01itle", source="s.md", tags=("a\u2028b",)),
                   (Paragraph("p\x0c"), CodeBlock('s = "\x0c"', declared="python")), notes=("n\x85",))
    clean = clean_strings(doc)
    assert clean.meta.title == "Title" and clean.meta.tags == ("a\nb",)
    assert clean.blocks == (Paragraph("p\n"), CodeBlock('s = "\u240c"', declared="python"))
    assert clean.notes == ("n\n",)


@pytest.mark.parametrize("void", ["embed", "source", "track", "wbr", "param", "img"])
def test_a_void_element_never_swallows_what_follows(void: str) -> None:
    blocks, _notes = blocks_from_html(f"<p>Before.</p><{void} src='x.mp4'><h2>Step 1</h2><p>After.</p>"
                                      "<pre><code class='language-python'>print(1)</code></pre>")
    assert any(isinstance(b, CodeBlock) and b.code == "print(1)" for b in blocks)
    assert any(isinstance(b, Paragraph) and b.text == "After." for b in blocks)


@pytest.mark.parametrize("depth", [MAX_DEPTH - 5, MAX_DEPTH + 5, 5000])
def test_deep_nesting_is_flattened_and_nothing_is_lost(depth: int) -> None:
    html = "<p>Top.</p>" + "<div>" * depth + "<p>Deep text.</p><pre>print(2)</pre>" + "</div>" * depth
    blocks, notes = blocks_from_html(html)  # (bench/fuzz_campaign.py times the 10,000-deep page)
    assert Paragraph("Deep text.") in blocks and any(isinstance(b, CodeBlock) and b.code == "print(2)" for b in blocks)
    assert bool(notes) == (depth > MAX_DEPTH)


def test_parse_html_bounds_depth() -> None:
    soup, notes = parse_html("<div>" * 500 + "x" + "</div>" * 500)
    deepest = max(len(list(tag.parents)) for tag in soup.find_all(True))
    assert deepest <= MAX_DEPTH + 3 and notes  # html, body and the document around the divs
