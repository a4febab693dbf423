"""The SQL a tutorial declares, read from sqlglot's tree: tables, columns, keys, inserted rows."""

from __future__ import annotations

import sqlite3

import pytest

from converter.exercises.query import _sort_keys_query
from converter.exercises.sample_db import inserted_rows
from converter.exercises.sample_schema import Contribution, Schema, read_schema_statement
from converter.exercises.sql_text import split_statements
from converter.exercises.sql_tree import parse, parse_in


def read(sql: str) -> tuple[Schema, list[Contribution]]:
    schema, contribs = Schema(), []
    for stmt in split_statements(sql):
        read_schema_statement(stmt, schema, contribs)
    return schema, contribs


@pytest.mark.parametrize("sql", [
    "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB",  # MySQL
    "ALTER TABLE t ADD INDEX i (a, b)",  # MySQL only
    "CREATE TABLE t (id SERIAL PRIMARY KEY, at TIMESTAMPTZ)",  # PostgreSQL
])
def test_each_dialect_parses(sql: str) -> None:
    assert parse(sql) is not None


def test_what_no_dialect_parses_is_none() -> None:
    assert parse("CREATE TABLE (") is None


def test_a_dialect_that_gives_up_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    """SQLite's reading keeps MySQL's `ENGINE=` as a Command, with a warning; MySQL's reads it."""
    parse_in.cache_clear()
    assert parse("ALTER TABLE orders ENGINE=InnoDB") is not None
    assert parse("OPTIMIZE TABLE users") is None
    assert caplog.records == []


def test_declared_types_keys_and_named_constraints() -> None:
    schema, _ = read(
        "CREATE TABLE users (id SERIAL PRIMARY KEY, email VARCHAR(100) NOT NULL);\n"
        "CREATE TABLE `orders` (\n"
        "  `order_id` INTEGER, user_id INT, total NUMERIC(10, 2), placed TIMESTAMP WITH TIME ZONE,\n"
        "  receipt BYTEA, code TEXT,\n"
        "  CONSTRAINT pk PRIMARY KEY (order_id),\n"
        "  CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id),\n"
        "  CONSTRAINT one_code UNIQUE (code)\n"
        ");"
    )
    users, orders = schema.tables["users"], schema.tables["orders"]
    assert users.declared and (users.columns["id"].type, users.columns["id"].pk) == ("INTEGER", True)
    assert users.columns["email"].not_null
    assert [(c.name, c.type, c.date) for c in orders.columns.values()] == [
        ("order_id", "INTEGER", False), ("user_id", "INTEGER", False), ("total", "REAL", False),
        ("placed", "TEXT", True), ("receipt", "BLOB", False), ("code", "TEXT", False),
    ]
    assert orders.columns["order_id"].pk
    assert orders.columns["user_id"].ref == ("users", "id")
    assert orders.columns["code"].unique  # a named UNIQUE constraint too


def test_index_and_alter_name_columns_not_expressions() -> None:
    _, contribs = read("CREATE INDEX i ON users (lower(email), name(10), created_at DESC);\n"
                       "CREATE INDEX j ON other.t (a);\n"  # another schema's table: not the tutorial's
                       "ALTER TABLE users ADD COLUMN age INT;")
    assert [(c.tables, c.columns) for c in contribs] == [
        (["users"], [("users", "name"), ("users", "created_at")]),  # name(10): MySQL's prefix index
        (["users"], [("users", "age")]),
    ]


def test_inserted_rows_read_literals() -> None:
    schema, _ = read("CREATE TABLE pets (id INTEGER PRIMARY KEY, name TEXT, weight REAL);\n"
                     "INSERT INTO pets (name, weight) VALUES ('Rex''s toy', -2.5), ('Tom', 1e3);\n"
                     "INSERT INTO pets VALUES (7, NULL, TRUE);")
    assert inserted_rows(schema.tables["pets"]) == [(8, "Rex's toy", -2.5), (9, "Tom", 1000.0), (7, None, 1)]


@pytest.mark.parametrize("insert", [
    "INSERT INTO pets (name) VALUES (upper('rex'));",  # a function call
    "INSERT INTO pets (name) SELECT name FROM other;",  # not rows of literals
    "INSERT INTO pets (colour) VALUES ('red');",  # a column the table lacks
])
def test_inserted_rows_refuse_what_is_not_literal_rows(insert: str) -> None:
    schema, _ = read("CREATE TABLE pets (id INTEGER PRIMARY KEY, name TEXT);\n" + insert)
    assert inserted_rows(schema.tables["pets"]) is None


@pytest.mark.parametrize(("sql", "keys"), [
    ("SELECT name, total AS t FROM orders o WHERE total > 1 ORDER BY t DESC, 1 NULLS LAST LIMIT 3 OFFSET 1;",
     "SELECT total, name FROM orders AS o WHERE total > 1 ORDER BY total DESC, name NULLS LAST LIMIT 3 OFFSET 1"),
    # an alias without AS names the expression too (the keys query cannot use the alias)
    ("select `name`, count(*) n from orders group by name order by n desc, name",
     "SELECT COUNT(*), name FROM orders GROUP BY name ORDER BY COUNT(*) DESC, name"),
    ('SELECT name, total FROM orders ORDER BY "name" COLLATE NOCASE ASC',
     'SELECT "name" COLLATE NOCASE FROM orders ORDER BY "name" COLLATE NOCASE ASC'),
    ("SELECT DISTINCT name FROM orders ORDER BY name", None),  # one row per result row no more
    ("SELECT name FROM orders UNION SELECT name FROM orders ORDER BY 1", None),
    ("WITH o AS (SELECT * FROM orders) SELECT name FROM o ORDER BY name", None),
    ("SELECT * FROM orders ORDER BY 1", None),  # `*` is no key
    ("SELECT name FROM orders ORDER BY 5", None),
    ("SELECT name FROM orders", None),
])
def test_sort_keys_query(sql: str, keys: str | None) -> None:
    assert _sort_keys_query(sql) == keys
    if keys:  # SQLite runs it
        db = sqlite3.connect(":memory:")
        db.execute("CREATE TABLE orders (name TEXT, total REAL)")
        db.execute(keys).fetchall()
