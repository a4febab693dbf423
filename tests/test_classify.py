"""The code/prose classifier on hand-labelled snippets and on run-level context."""

from __future__ import annotations

from pathlib import Path

import pytest

from converter.classify import Kind, label_run, line_is_code, line_score, snippet_is_code

DATA = Path(__file__).parent / "data" / "classify"


def _snippets(label: str) -> list[str]:
    """Snippets of `<label>.txt`: blocks separated by "----" lines; the first block is a header."""
    chunks = (DATA / f"{label}.txt").read_text(encoding="utf-8").split("\n----\n")
    return [chunk.strip("\n") for chunk in chunks[1:] if chunk.strip()]


LABELLED = [(label, snippet) for label in ("code", "prose") for snippet in _snippets(label)]


def test_the_labelled_set_is_large_and_balanced() -> None:
    counts = {label: sum(1 for l, _ in LABELLED if l == label) for label in ("code", "prose")}
    assert sum(counts.values()) >= 150
    assert min(counts.values()) >= 60


@pytest.mark.parametrize(
    ("label", "snippet"), LABELLED, ids=[f"{l}-{i:03d}" for i, (l, _) in enumerate(LABELLED)]
)
def test_snippet(label: str, snippet: str) -> None:
    assert snippet_is_code(snippet) == (label == "code")


def test_accuracy_floor() -> None:
    # Every snippet is expected right; the floor documents the target if a
    # genuinely ambiguous snippet is ever added (see the parametrised test).
    right = sum(snippet_is_code(s) == (l == "code") for l, s in LABELLED)
    assert right / len(LABELLED) >= 0.97


@pytest.mark.parametrize(
    ("line", "is_code"),
    [
        ("docker run -d --name cache -p 6379:6379 redis:7", True),
        ("EXPLAIN SELECT * FROM orders WHERE total > 10;", True),
        ("asyncio.run(main(), debug=True)", True),
        ("Example: await client.incr('page_views:homepage');", False),
        ("The Fix: Blueprint('name', __name__, static_folder='static').", False),
        ("Incorrect: from accounts.models import CustomUser in other apps.", False),
        ("Frequently Asked Questions (FAQ)", False),
        ("The Mistake: SELECT * FROM sales WHERE YEAR(created_at) = 2023;", False),
        ("Sec-WebSocket-Version: 13", True),
        ("t.string :title, null: false # Ensure title is never null", True),
    ],
)
def test_line_is_code(line: str, is_code: bool) -> None:
    assert line_is_code(line) is is_code, line_score(line)


def test_whitespace_line_opens_code_and_keeps_prose_shaped_lines() -> None:
    run = ["", "class Manager:", '    """', "    Creates users from an email address", '    """', "", "    pass", ""]
    labels = label_run(run)
    assert [k for k in labels if k is not Kind.BLANK] == [Kind.CODE] * 5


def test_list_runs_into_code() -> None:
    run = [
        "• rows: An estimate of how many rows are read.",
        "• Extra: Using filesort is a red flag.",
        "-- Analyzing a slow query",
        "EXPLAIN SELECT id FROM users WHERE email = 'a@b.c';",
    ]
    assert label_run(run) == [Kind.BULLET, Kind.BULLET, Kind.CODE, Kind.CODE]


def test_numbered_list_then_blank_then_code() -> None:
    run = ["1. Check the cache.", "2. Fall back to the database.", "", "// cache-aside", "const v = await get(k);"]
    assert label_run(run) == [Kind.NUMBERED, Kind.NUMBERED, Kind.BLANK, Kind.CODE, Kind.CODE]


def test_prose_sentence_after_code_is_a_prose_tail() -> None:
    run = ["SELECT * FROM users;", "This query reads every row of the table, which is slow on big tables."]
    assert label_run(run) == [Kind.CODE, Kind.PROSE]


def test_lone_identifier_is_a_heading_not_code() -> None:
    assert label_run(["innodb_buffer_pool_size"]) == [Kind.PROSE]


def test_directory_tree() -> None:
    run = ["/my_project", "    /app", "        /__init__.py", "    /run.py"]
    assert label_run(run) == [Kind.CODE] * 4


# --- issue 13: lines found on the reader corpus (tests/corpus/readers) ---------------------------


@pytest.mark.parametrize("line, is_code", [
    ("JavaScript", False),  # a tag or product name alone on a line (page chrome, a tag list)
    ("RedisExpress", False),
    ("PostgreSQL", False),
    ("myVariable", True),  # camelCase starting lower-case stays an identifier
    ("name,email,age", True),  # CSV rows
    ("Ada,ada@example.org,36", True),
    ('import "fmt"', True),  # Go's single import
    ('import log "github.com/sirupsen/logrus"', True),
])
def test_corpus_lines(line: str, is_code: bool) -> None:
    assert line_is_code(line) is is_code
