"""A SELECT read from sqlglot's tree (issue 13): what the hand-written token reading got wrong."""

from __future__ import annotations

import pytest

from converter.exercises.query import _analysis, _one_column_fewer, wrong_queries
from converter.exercises.select_analysis import SelectInfo, _all_infos
from converter.exercises.sql_tree import item_texts, without_clause
from sqlglot.tokens import TokenType


def analysed(sql: str) -> SelectInfo:
    info = _analysis(sql)
    assert info is not None
    return info


def test_a_subquerys_where_is_its_own() -> None:
    info = analysed("SELECT name FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE total > 100)")
    assert info.literals == []  # `total > 100` belongs to the subquery
    assert info.subqueries[0].literals == [("orders", "total", ">", 100)]
    assert info.subqueries[0].selected == "customer_id"


def test_cutting_where_leaves_a_subquerys_where_and_comments() -> None:
    sql = ("-- WHERE in a comment\nSELECT name, (SELECT COUNT(*) FROM orders o WHERE o.cid = c.id) AS n\n"
           "FROM customers c WHERE city = 'Berlin' ORDER BY name;")
    assert without_clause(sql, TokenType.WHERE, {TokenType.ORDER_BY}) == (
        "-- WHERE in a comment\nSELECT name, (SELECT COUNT(*) FROM orders o WHERE o.cid = c.id) AS n\n"
        "FROM customers c ORDER BY name;")
    # a UNION's second SELECT stays whole
    assert without_clause("SELECT a FROM t WHERE a > 1 UNION SELECT a FROM u", TokenType.WHERE,
                          {TokenType.UNION}) == "SELECT a FROM t UNION SELECT a FROM u"


def test_an_alias_without_as_is_not_a_column() -> None:
    info = analysed("SELECT COUNT(*) total FROM orders ORDER BY total DESC")
    assert "total" in info.select_aliases
    assert info.columns == []


def test_a_table_alias_without_as() -> None:
    info = analysed("SELECT c.name FROM customers c JOIN orders o ON o.customer_id = c.id")
    assert info.tables == [("customers", "c"), ("orders", "o")]
    assert info.equalities == [("orders", "customer_id", "customers", "id")]


@pytest.mark.parametrize("sql", [
    'SELECT "first name" FROM "people" WHERE "age" > 30',
    "SELECT `first name` FROM `people` WHERE `age` > 30",
])
def test_quoted_identifiers(sql: str) -> None:
    info = analysed(sql)
    assert info.tables == [("people", "people")]
    assert info.columns == [("people", "first name"), ("people", "age")]
    assert info.literals == [("people", "age", ">", 30)]


def test_a_backticked_group_by_column_is_grouped() -> None:
    info = analysed("SELECT u.`username`, COUNT(*) FROM `users` u GROUP BY u.`id`, u.`username`")
    assert info.group == ["id", "username"]
    assert ("users", "username", "GROUP", None) in info.literals


def test_ctes_are_not_tables() -> None:
    info = analysed("WITH big AS (SELECT id FROM orders WHERE total > 10) SELECT b.id FROM big b")
    assert info.tables == [] and "cte" in info.features
    assert info.aliases == {"b": ""}
    assert [part.tables for part in _all_infos(info)] == [[], [("orders", "orders")]]


def test_comma_join_and_cross_join_differ() -> None:
    assert [j.kind for j in analysed("SELECT * FROM a, b CROSS JOIN c").joins] == ["COMMA", "CROSS"]


def test_an_expression_is_not_read_as_an_alias() -> None:
    """`price * qty` ends with a name, which the tokens took for an alias; SQLite names the column by its text."""
    info = analysed("SELECT price * qty, name AS n, t.x FROM t")
    assert item_texts(info.sql, info.dialect) == ["price * qty", "name AS n", "t.x"]
    assert info.columns == [("t", "price"), ("t", "qty"), ("t", "name"), ("t", "x")]


def test_mysql_limit_offset_count() -> None:
    info = analysed("SELECT a FROM t ORDER BY a LIMIT 5, 10")
    assert (info.limit.sql(), info.offset.sql()) == ("10", "5")


def test_not_in_and_not_like_ask_for_no_value() -> None:
    info = analysed("SELECT a FROM t WHERE a NOT IN (1, 2) AND b NOT LIKE 'x%' AND c IN (3, -4)")
    assert info.literals == [("t", "c", "=", 3), ("t", "c", "=", -4)]


def test_one_column_fewer() -> None:
    assert _one_column_fewer("SELECT a, b FROM t -- note\nWHERE a > 1") == "SELECT a FROM t WHERE a > 1;"
    assert _one_column_fewer("SELECT a FROM t") == "" and _one_column_fewer("SELECT * FROM t") == ""
    assert "SELECT a FROM t WHERE a > 1;" in wrong_queries("SELECT a, b FROM t WHERE a > 1;")


def test_a_double_quoted_value_is_mysqls_string_not_a_column() -> None:
    info = analysed('SELECT name FROM t WHERE name = "John" AND city IN ("Paris", "Rome") AND "zip" > 1')
    assert info.placeholders == [] and info.literals == [("t", "zip", ">", 1)]
    assert info.columns == [("t", "name"), ("t", "city"), ("t", "zip")]
