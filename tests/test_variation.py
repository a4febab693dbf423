"""Variations of the tutorial's code and SQL, so that an exercise's answer is not on the page
above: names the code declares renamed (never attributes, keys, keyword arguments, strings),
numbers moved, other values in SQL conditions and data alike."""

from __future__ import annotations

import pytest

from converter.exercises.variation import renamed, renumbered, varied_values, with_values


@pytest.mark.parametrize(("code", "language", "expected"), [
    ("clients.forEach((client) => {\n  client.send({ client: 1, name: client.name });\n});",
     "javascript", "clients.forEach((peer) => {\n  peer.send({ client: 1, name: peer.name });\n});"),
    ("def f(name, rows=None):\n    for row in rows:\n        print(g(name=name), {name: row}, 'row')\n",
     "python", "def f(label, records=None):\n    for record in records:\n        print(g(name=label), {label: record}, 'row')\n"),
    ("articles.each do |article|\n  puts article.title, { article: 1 }, :article\nend",
     "ruby", "articles.each do |post|\n  puts post.title, { article: 1 }, :article\nend"),
    ("for i := 0; i < 3; i++ {\n    ch <- i\n}", "go", "for n := 0; n < 3; n++ {\n    ch <- n\n}"),
    ("SELECT u.name FROM users u JOIN orders o ON o.user_id = u.id", "sql",
     "SELECT us.name FROM users us JOIN orders ord ON ord.user_id = us.id"),
])
def test_renamed_keeps_the_meaning(code: str, language: str, expected: str) -> None:
    assert renamed(code, language)[0] == expected


def test_modules_and_constants_keep_their_names() -> None:
    code = "const WebSocket = require('ws');\nconst PORT = 3000;\nconst wss = new WebSocket.Server({ port: PORT });\n"
    varied, renames = renamed(code, "javascript")
    assert renames == {"wss": "hub"} and "WebSocket.Server({ port: PORT })" in varied


def test_renumbered_moves_numbers_outside_strings_and_leaves_flags() -> None:
    assert renumbered('limit(1).max(280); port = 3000; s = "100"', "javascript") == 'limit(1).max(310); port = 3300; s = "100"'


def test_sql_values_vary_in_conditions_and_data_alike() -> None:
    sql = ["SELECT id FROM orders WHERE status = 'shipped' AND created_at >= '2023-01-01' AND customer_id = 502 AND paid = 1;",
           "INSERT INTO orders VALUES (1, 'shipped', '2023-01-01', 502, 1);"]
    swaps = varied_values(sql)
    assert swaps == {"'shipped'": "'delivered'", "'2023-01-01'": "'2024-01-01'", "502": "503"}
    assert with_values(sql[1], swaps) == "INSERT INTO orders VALUES (1, 'delivered', '2024-01-01', 503, 1);"
