"""escape(): any plain text must render back to exactly itself."""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from converter.myst_escape import code_span, escape

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
