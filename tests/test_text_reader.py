"""The plain-text dump reader: articles, noise, code runs, lists, headings, and the seed dump."""

from __future__ import annotations

import importlib
import json
import re
import sys
import time
import types
from collections import Counter
from pathlib import Path

import pytest

from converter.document import CodeBlock, Document, Heading, ListBlock, Paragraph
from converter.errors import SourceError
from converter.myst_escape import escape

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "sources" / "000_4570511d4ad11a14.txt"
EXPECTED = Path(__file__).parent / "data" / "seed_000_expected.json"


def _load_reader() -> types.ModuleType:
    """Import the reader even while sibling readers named in the package __init__ are missing."""
    try:
        return importlib.import_module("converter.readers.text")
    except ImportError:
        for name in [n for n in sys.modules if n.startswith("converter.readers")]:
            del sys.modules[name]
        package = types.ModuleType("converter.readers")
        package.__path__ = [str(ROOT / "converter" / "readers")]
        sys.modules["converter.readers"] = package
        return importlib.import_module("converter.readers.text")


read = _load_reader().read


def dump(text: str) -> str:
    """Test dumps are written with "¶" for whitespace-only lines (editors eat trailing blanks)."""
    return "\n".join(re.sub(r"^( *)¶$", lambda m: m[1] or " ", line) for line in text.strip("\n").split("\n"))


def one(text: str) -> Document:
    docs = read(dump(text), source="t.txt")
    assert len(docs) == 1
    return docs[0]


def kinds(doc: Document) -> list[str]:
    return [type(b).__name__ for b in doc.blocks]


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text).replace("&amp;", "&")


# --- articles and noise ---------------------------------------------------------------


TWO_ARTICLES = """
Tag: web development, python

  • First Guide to Widgets

    First Guide to Widgets

    Widgets make pages interactive. This guide shows how to build them.

    Next Steps

    Practice by building a small widget of your own.

  • Second Guide: Gadgets Explained

    Gadgets Explained: A Guide

    Gadgets are small programs that run inside a page.

    © 2024 Example Site. All rights reserved.
"""


def test_articles_titles_tags_and_noise() -> None:
    docs = read(dump(TWO_ARTICLES), source="dump.txt")
    assert [d.meta.title for d in docs] == ["First Guide to Widgets", "Second Guide: Gadgets Explained"]
    assert all(d.meta.tags == ("web development", "python") and d.meta.source == "dump.txt" for d in docs)
    first, second = docs
    assert kinds(first) == ["Paragraph", "Heading", "Paragraph"]
    assert any("Tag: web development" in n for n in first.source_notes + first.notes)
    assert any("repeated title" in n for n in first.notes)
    texts = [b.text for b in second.blocks]
    assert texts == ["Gadgets are small programs that run inside a page."]
    assert any("repeated title" in n and "Gadgets Explained: A Guide" in n for n in second.notes)
    assert any("footer" in n and "All rights reserved" in n for n in second.notes)


def test_without_article_bullets_the_file_is_one_article() -> None:
    doc = one("""
Caching With Redis

Redis keeps data in memory.

redis-cli SET greeting hello
""")
    assert doc.meta.title == "Caching With Redis"
    assert kinds(doc) == ["Paragraph", "CodeBlock"]
    assert doc.blocks[1].code == "redis-cli SET greeting hello"


@pytest.mark.parametrize(
    "text", ["", "   \n\n  ", "Tag: misc\n\n© 2023 Site. All rights reserved.\n", "a\x00b"]
)
def test_no_readable_article_raises(text: str) -> None:
    with pytest.raises(SourceError) as err:
        read(text, source="bad.txt")
    assert err.value.path == "bad.txt"


# --- code ----------------------------------------------------------------------------


def test_code_opened_by_whitespace_line_keeps_python_indentation() -> None:
    doc = one("""
  • Managers

    Add this manager:

    ¶
    class Manager(BaseManager):
        \"\"\"
        Creates users from an email address.
        \"\"\"
        def create(self, email):
            if not email:
                raise ValueError("email required")
    ¶
            return self.model(email=email)
                ¶

    That is all.
""")
    assert kinds(doc) == ["Paragraph", "CodeBlock", "Paragraph"]
    code = doc.blocks[1]
    assert code.language == ""
    assert code.code.split("\n") == [
        "class Manager(BaseManager):",
        '    """',
        "    Creates users from an email address.",
        '    """',
        "    def create(self, email):",
        "        if not email:",
        '            raise ValueError("email required")',
        "",
        "        return self.model(email=email)",
    ]


def test_code_without_markers_between_empty_lines() -> None:
    doc = one("""
  • Ruby Models

    Define the model:

    class Article < ApplicationRecord
      has_many :comments
      validates :title, presence: true
    end

    Then query it:

    -- Find recent rows
    SELECT id, title FROM articles
    WHERE created_at > '2024-01-01';
""")
    assert kinds(doc) == ["Paragraph", "CodeBlock", "Paragraph", "CodeBlock"]
    assert doc.blocks[1].code.endswith("  validates :title, presence: true\nend")
    assert doc.blocks[3].code.startswith("-- Find recent rows\nSELECT")


def test_single_line_code_blocks() -> None:
    doc = one("""
  • One Liners

    Start the broker:

    docker run -d --name rabbitmq -p 5672:5672 rabbitmq:3-management

    Then check the plan:

    EXPLAIN SELECT * FROM orders WHERE customer_id = 5;

    Turn on debug mode:

    asyncio.run(main(), debug=True)
""")
    codes = [b.code for b in doc.blocks if isinstance(b, CodeBlock)]
    assert codes == [
        "docker run -d --name rabbitmq -p 5672:5672 rabbitmq:3-management",
        "EXPLAIN SELECT * FROM orders WHERE customer_id = 5;",
        "asyncio.run(main(), debug=True)",
    ]


def test_lists_running_into_code() -> None:
    doc = one("""
  • Plans

    • type: How rows are found.
    • Extra: Using filesort is a red flag.
    -- Analyzing a slow query
    EXPLAIN SELECT id FROM users WHERE email = 'a@b.c';

    1. Single-column index: one column.
    2. Composite index: several columns.
    -- Creating a composite index
    CREATE INDEX idx_status_date ON orders (status, created_at);
""")
    assert kinds(doc) == ["ListBlock", "CodeBlock", "ListBlock", "CodeBlock"]
    bullets, _, numbered, code = doc.blocks
    assert not bullets.ordered and len(bullets.items) == 2
    assert numbered.ordered and numbered.start == 1 and len(numbered.items) == 2
    assert code.code == "-- Creating a composite index\nCREATE INDEX idx_status_date ON orders (status, created_at);"


def test_leaked_span_markup_is_removed_from_code() -> None:
    doc = one("""
  • Async

    Example:

    import asyncio
    ¶
    <span class="comment"># A coroutine</span>
    async def main():
        await asyncio.sleep(1) <span class="comment"># wait &amp; see</span>
""")
    code = doc.code_blocks[0].code
    assert code == "import asyncio\n\n# A coroutine\nasync def main():\n    await asyncio.sleep(1) # wait & see"
    assert any("leaked HTML" in n for n in doc.notes)


def test_html_code_is_kept_verbatim() -> None:
    doc = one("""
  • Markup

    Create index.html:

    ¶
    <!DOCTYPE html>
    <html lang="en">
    <body>
        <span class="badge">New &amp; shiny</span>
        <div id="app"></div>
    </body>
    </html>
    ¶
""")
    code = doc.code_blocks[0].code
    assert '<span class="badge">New &amp; shiny</span>' in code
    assert code.startswith("<!DOCTYPE html>\n<html lang=\"en\">") and code.endswith("</html>")
    assert not any("leaked" in n for n in doc.notes)


def test_directory_tree_is_code() -> None:
    doc = one("""
  • Layout

    The project looks like this:

    /my_project
        /app
            /__init__.py
        /run.py

    Keep it tidy.
""")
    assert kinds(doc) == ["Paragraph", "CodeBlock", "Paragraph"]
    assert doc.blocks[1].code == "/my_project\n    /app\n        /__init__.py\n    /run.py"


# --- prose, lists and headings ----------------------------------------------------------


def test_numbered_heading_versus_numbered_list() -> None:
    doc = one("""
  • Polling

    The Evolution of Polling

    1. Short Polling

    The client asks again and again.

    Steps:

    1. Open the page.
    2. Wait for the answer.
    3. Repeat.
""")
    assert kinds(doc) == ["Heading", "Heading", "Paragraph", "Paragraph", "ListBlock"]
    assert doc.blocks[0] == Heading(2, "The Evolution of Polling")
    assert doc.blocks[1] == Heading(3, "1\\. Short Polling")
    assert doc.blocks[4] == ListBlock(("Open the page.", "Wait for the answer.", "Repeat."), ordered=True, start=1)


def test_loose_numbered_list_is_not_a_run_of_headings() -> None:
    doc = one("""
  • Checklist

    Do this:

    1. Backups

    2. Monitoring

    3. Alerts
""")
    assert kinds(doc) == ["Paragraph", "ListBlock"]
    assert doc.blocks[1].items == ("Backups", "Monitoring", "Alerts")


def test_heading_levels() -> None:
    doc = one("""
  • Guide

    Why Use Blueprints?

    Because apps grow.

    Step 1: Create the Folder

    Make a folder.

    Frequently Asked Questions (FAQ)

    Can I nest blueprints?

    Yes, since Flask 2.0.
""")
    headings = [(b.level, unescape(b.text)) for b in doc.blocks if isinstance(b, Heading)]
    assert headings == [
        (2, "Why Use Blueprints?"),
        (3, "Step 1: Create the Folder"),
        (2, "Frequently Asked Questions (FAQ)"),
        (3, "Can I nest blueprints?"),
    ]


def test_prose_that_mentions_code_stays_prose_and_is_escaped() -> None:
    doc = one("""
  • Notes

    Correct:

    Use settings.AUTH_USER_MODEL or get_user_model().

    Example: await client.incr('page_views:homepage');

    The Fix: Blueprint('name', __name__, static_folder='static').
    Pros: Data in the cache is never stale.
    Cons: Writes are slower.

    • Use *args with care.
    - Keep it simple.
""")
    assert kinds(doc) == ["Paragraph"] * 6 + ["ListBlock"]
    assert doc.blocks[0].text == "Correct:"
    assert doc.blocks[3].text == escape("The Fix: Blueprint('name', __name__, static_folder='static').")
    assert doc.blocks[-1] == ListBlock(("Use \\*args with care.", "Keep it simple."), ordered=False)


# --- the seed dump, end to end -------------------------------------------------------------


def _prose_text(doc: Document) -> str:
    parts: list[str] = []
    for block in doc.blocks:
        if isinstance(block, (Paragraph, Heading)):
            parts.append(unescape(block.text))
        elif isinstance(block, ListBlock):
            parts.extend(unescape(item) for item in block.items)
    return "\n".join(parts)


@pytest.mark.skipif(not SEED.exists(), reason="seed dump not present")
def test_seed_dump_against_hand_count() -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    text = SEED.read_text(encoding="utf-8")
    lines = text.split("\n")
    started = time.perf_counter()
    docs = read(text, source=str(SEED))
    elapsed = time.perf_counter() - started
    articles = expected["articles"]
    assert [d.meta.title for d in docs] == [a["title"] for a in articles]

    clean = lambda line: re.sub(r"</?span[^>]*>", "", line).strip()  # noqa: E731
    bounds = [a["title_line"] for a in articles] + [len(lines) + 1]
    found = total = true_code = detected_code = prose_found = prose_total = 0
    for i, (article, doc) in enumerate(zip(articles, docs)):
        got = {(c.code.split("\n")[0].strip(), c.code.split("\n")[-1].strip()) for c in doc.code_blocks}
        code_rows: set[int] = set()
        for block in article["code_blocks"]:
            first, last = block["lines"]
            rows = [n for n in range(first, last + 1) if lines[n - 1].strip()]
            assert len(rows) == block["n_lines"] and clean(lines[last - 1]) == block["last"]  # the hand count is sane
            code_rows.update(rows)
            total += 1
            found += (block["first"], block["last"]) in got
        expected_code = Counter(clean(lines[n - 1]) for n in code_rows)
        detected = Counter(l.strip() for c in doc.code_blocks for l in c.code.split("\n") if l.strip())
        true_code += sum((detected & expected_code).values())
        detected_code += sum(detected.values())
        prose = _prose_text(doc)
        for n in range(bounds[i] + 1, bounds[i + 1]):
            line = lines[n - 1].strip()
            if line and n not in code_rows and n not in expected["noise_lines"]:
                prose_total += 1
                prose_found += re.sub(r"^(•|\d+\.)\s+", "", line) in prose

    recall, precision, prose_recall = found / total, true_code / detected_code, prose_found / prose_total
    print(f"\nseed: {sum(len(d.code_blocks) for d in docs)} code blocks found, {total} expected; "
          f"block recall {recall:.3f}, code-line precision {precision:.3f}, prose-line recall {prose_recall:.3f}, "
          f"{elapsed * 1000:.0f} ms")
    assert recall >= 0.97
    assert precision >= 0.97
    assert prose_recall >= 0.98  # speed is bench/convert_seeds.py's: a wall-clock limit here failed under load


def test_single_article_with_tag_line_under_the_title() -> None:
    doc = one("""
Deploying With Docker Compose
Tag: devops, docker

Docker Compose describes several containers in one file. It is
handy for local development.

docker compose up -d
""")
    assert doc.meta.title == "Deploying With Docker Compose"
    assert doc.meta.tags == ("devops", "docker")
    assert kinds(doc) == ["Paragraph", "CodeBlock"]
    assert doc.blocks[0].text.startswith("Docker Compose describes several containers in one file. It is handy")


# --- issue 13: dump layouts of the reader corpus (tests/corpus/readers/dumps) ----------------------


def _codes(doc: Document) -> list[tuple[str, str]]:
    return [(b.code, b.declared) for b in doc.code_blocks]


def test_code_left_of_the_margin_keeps_its_own_indentation() -> None:
    # lynx -dump: prose at three spaces, preformatted text from column 0.
    doc = one("Title\n\n   Save this as compose.yaml:\n\nservices:\n  api:\n    build: .\n\n   Then start it.\n")
    assert _codes(doc) == [("services:\n  api:\n    build: .", "")]


def test_a_run_indented_as_a_whole_is_code_and_dedented() -> None:
    # pandoc -t plain, plain-text e-mails: code indented by four under prose at the margin.
    doc = one("Title\n\nThe plan:\n\n    EXPLAIN SELECT 1;\n\n                QUERY PLAN\n     Result  (cost=0.00..0.01)\n\nDone.\n")
    assert _codes(doc) == [("EXPLAIN SELECT 1;\n\n            QUERY PLAN\n Result  (cost=0.00..0.01)", "")]


def test_nbsp_indentation_is_spaces() -> None:
    doc = one("Title\n\nLoop:\n\nfor x in xs:\n\xa0\xa0\xa0\xa0print(x)\n")
    assert _codes(doc) == [("for x in xs:\n    print(x)", "")]


def test_notebook_prompts_go_and_say_what_follows() -> None:
    doc = one("Title\n\nMultiply:\n\nIn [2]:\n\nprices * tax\n\nOut[2]:\n\narray([12. , 9.6])\n\nDone here.\n")
    assert _codes(doc) == [("prices * tax", ""), ("array([12. , 9.6])", "output")]


def test_a_traceback_is_output_with_its_last_line() -> None:
    doc = one("Title\n\nIt fails:\n\n-----\nValueError        Traceback (most recent call last)\n"
              "----> 1 f()\n\nValueError: bad value\n\nFix it.\n")
    assert _codes(doc) == [("-----\nValueError        Traceback (most recent call last)\n----> 1 f()\n\n"
                            "ValueError: bad value", "output")]


def test_a_line_number_gutter_is_stripped() -> None:
    doc = one("Title\n\nThe model:\n\n 1  def f():\n 2\n 3      return 1\n\n1  $ uvicorn main:app\n\nDone.\n")
    assert _codes(doc) == [("def f():\n\n    return 1", ""), ("$ uvicorn main:app", "")]


def test_numbers_counting_up_without_code_are_not_a_gutter() -> None:
    doc = one("Title\n\nIt prints:\n\n$ go run main.go\n1\n2\n\nDone.\n")
    assert _codes(doc) == [("$ go run main.go\n1\n2", "")]


def test_a_file_name_above_code_is_its_caption() -> None:
    doc = one("Title\n\nThe file:\n\ndeps.py\n\nimport os\nx = os.getcwd()\n")
    assert kinds(doc) == ["Paragraph", "Paragraph", "CodeBlock"]


def test_copy_buttons_go_and_a_header_names_the_language() -> None:
    doc = one("Title\n\nThe schema:\n\ntypescript\nCopy code\nimport { z } from \"zod\";\n\nconst A = z.object({});\n\n"
              "It parses.\n\nx = 1\n\nCopy\n")
    assert _codes(doc) == [('import { z } from "zod";\n\nconst A = z.object({});', "typescript"), ("x = 1", "")]
    assert "Copy" not in " ".join(b.text for b in doc.blocks if isinstance(b, Paragraph))


def test_lynx_link_numbers_and_references_go() -> None:
    doc = one("Title\n\n   Read [1]the docs first, then row[1] stays.\n\nReferences\n\n   1. https://example.org/docs\n")
    assert [b.text for b in doc.blocks] == ["Read the docs first, then row\\[1\\] stays."]


def test_an_indented_run_of_prose_stays_prose() -> None:
    doc = one("Title\n\nSee also:\n\n    Parsing e-mail headers\n\nThe end of it.\n")
    assert not doc.code_blocks


def test_without_whitespace_markers_an_empty_line_inside_code_is_a_blank_line() -> None:
    # Browser copies (select all, reader view) give blank lines of code as empty lines; the
    # seed's layout marks them with whitespace and keeps empty lines as separators.
    doc = one("Title\n\nThe loop:\n\nimport csv\n\nwith open(\"f\") as f:\n    print(f.read())\n\n"
              "$ python read.py\nhello\n\nDone.\n")
    assert _codes(doc) == [('import csv\n\nwith open("f") as f:\n    print(f.read())', ""), ("$ python read.py\nhello", "")]


def test_double_spaced_code_is_single_spaced() -> None:
    doc = one("Title\n\nThe code:\n\nimport pandas as pd\n\n\n\nsales = load()\n\ntotal = sales.sum()\n\nprint(total)\n\nDone.\n")
    # Runs are joined by one empty line, so a blank line of the code (three empty lines here) is lost.
    assert _codes(doc) == [("import pandas as pd\nsales = load()\ntotal = sales.sum()\nprint(total)", "")]
