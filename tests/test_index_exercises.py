"""Write-the-index exercises: a query the tutorial's index does not serve, checked with
SQLite's query plan (EXPLAIN QUERY PLAN) on a copy of the sample database."""

from __future__ import annotations

import pytest

from converter.document import CodeBlock, Document, Heading, Meta, Paragraph
from converter.exercises.indexes import write_the_index
from tests.exercise_contract import assert_contract, check_message

SHOP = """\
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER,
    status VARCHAR(20),
    created_at DATETIME
);
CREATE INDEX idx_status_date ON orders (status, created_at);
SELECT id FROM orders WHERE status = 'shipped' AND created_at > '2023-01-01';
"""


def _doc(code: str) -> Document:
    return Document(Meta("Indexes", "i.md", slug="i"), (
        Heading(2, "Composite indexes"), Paragraph("Order matters."), CodeBlock(code, "sql", status="runs")))


def test_the_leftmost_prefix_lesson_keeps_the_contract() -> None:
    [exercise] = write_the_index(_doc(SHOP))
    assert "WHERE created_at =" in exercise.prompt  # the index's second column, alone
    assert exercise.section == "Composite indexes"
    assert assert_contract(exercise).startswith("✅")
    said = {w.split("=", 1)[1].strip(): check_message(exercise, w) for w in exercise.wrong}
    tutorials = next(s for w, s in said.items() if "idx_status_date" in w)
    assert "reads the whole table" in tutorials  # the tutorial's own index does not serve it
    assert any("refuses" in s for s in said.values())


@pytest.mark.parametrize("answer", [
    "CREATE INDEX by_date ON orders (created_at)",
    "create index if not exists x on orders(created_at, status);",
    'CREATE INDEX "when" ON orders (created_at DESC)',
])
def test_any_index_led_by_the_column_is_right(answer: str) -> None:
    [exercise] = write_the_index(_doc(SHOP))
    assert check_message(exercise, f"statement = {answer!r}") is None


def test_a_one_column_index_asks_for_another_column() -> None:
    code = SHOP.replace("CREATE INDEX idx_status_date ON orders (status, created_at);", "CREATE INDEX idx_status ON orders (status);")
    [exercise] = write_the_index(_doc(code))
    assert "WHERE status" not in exercise.prompt and assert_contract(exercise)


@pytest.mark.parametrize("index", [
    "CREATE INDEX idx_prefix ON orders (status(10));",  # a MySQL prefix index
    "CREATE INDEX idx_lower ON orders (lower(status));",  # an expression
    "CREATE INDEX idx_missing ON invoices (total);",  # a table the tutorial never shows
])
def test_declines(index: str) -> None:
    code = SHOP.replace("CREATE INDEX idx_status_date ON orders (status, created_at);", index)
    assert write_the_index(_doc(code)) == []
