"""Parsons problems on a program's pieces, in any language, run or not: what must come
before what is read statically; every order that keeps it is accepted."""

from __future__ import annotations

import re

import pytest

from converter.document import CodeBlock, Document, Heading, Meta
from converter.exercises.pieces import constraints, order_the_pieces, pieces_of, valid_orders
from converter.exercises.slips import spot_the_slip
from tests.exercise_contract import assert_contract, check_message

EXPRESS = """\
const express = require('express');
const app = express();
// routes
app.get('/', (req, res) => {
  res.send('home');
});
app.get('/about', (req, res) => res.send('about'));
app.listen(3000, () => console.log('listening'));
"""
PYTHON = """\
import sqlite3

def connect(path):
    return sqlite3.connect(path)

db = connect(":memory:")
db.execute("CREATE TABLE t (x)")
print(db.execute("SELECT count(*) FROM t").fetchone())
"""
SQL = """\
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE orders (id INTEGER, user_id INTEGER);
INSERT INTO users VALUES (1, 'Ann');
INSERT INTO orders VALUES (1, 1);
SELECT name FROM users JOIN orders ON orders.user_id = users.id WHERE orders.id >= 1;
"""
GO = """\
func main() {
    ch := make(chan string)
    done := make(chan bool)
    go func() {
        ch <- "ping"
    }()
    msg := <-ch
    fmt.Println(msg)
    close(done)
}
"""
RUBY = """\
class Greeter
  attr_accessor :greeting
  def hello(name)
    "#{greeting}, #{name}"
  end
end

greeter = Greeter.new
greeter.greeting = "Hello"
puts greeter.hello("Ann") if greeter.greeting.size >= 1
"""
CASES = {"javascript": EXPRESS, "python": PYTHON, "sql": SQL, "go": GO, "ruby": RUBY}


def _doc(code: str, language: str) -> Document:
    return Document(Meta("T", "t.md", slug="t"), (Heading(2, "The code"), CodeBlock(code, language, status="skipped")))


@pytest.mark.parametrize("language", sorted(CASES))
def test_pieces_keep_the_contract_in_every_language(language: str) -> None:
    [exercise] = order_the_pieces(_doc(CASES[language], language))
    assert exercise.kind == "parsons" and exercise.section == "The code"
    assert len(exercise.right) >= 2 and len(exercise.wrong) >= 3
    assert assert_contract(exercise).startswith("✅")
    said = [check_message(exercise, wrong) for wrong in exercise.wrong]
    assert any("too early" in s for s in said)  # a piece before what it needs
    assert any("you used" in s for s in said)  # a piece left out
    if "slip" in exercise.prompt:  # where a plausible slip exists, one piece is shown twice
        assert any("slip" in s for s in said)
    assert exercise.solution.split("=")[1].strip() not in exercise.check  # the answer is not in plain sight


def test_a_piece_with_a_slip_is_offered_beside_the_right_one() -> None:
    [exercise] = order_the_pieces(_doc(SQL, "sql"))
    assert "orders.id < 1" in exercise.prompt and "orders.id >= 1" in exercise.prompt
    assert "slip" in check_message(exercise, exercise.wrong[0])


def test_pieces_and_what_must_come_first() -> None:
    pieces = pieces_of(EXPRESS, "javascript")
    assert [p.code.splitlines()[0] for p in pieces] == [
        "const express = require('express');", "const app = express();", "app.get('/', (req, res) => {",
        "app.get('/about', (req, res) => res.send('about'));", "app.listen(3000, () => console.log('listening'));"]
    before = constraints(pieces)
    assert (0, 1) in before and (1, 4) in before  # express before app, app before app.listen
    assert (2, 3) in before  # two routes on the same app keep their order (the first match wins)


def test_every_order_that_keeps_the_constraints_is_accepted() -> None:
    # two independent channels made in either order: both orders are right
    code = "a := make(chan int)\nb := make(chan int)\ngo send(a)\ngo send(b)\nfmt.Println(<-a, <-b)\n"
    pieces = pieces_of(code, "go")
    orders = valid_orders(len(pieces), constraints(pieces))
    assert (0, 1, 2, 3, 4) in orders and (1, 0, 2, 3, 4) in orders and (0, 2, 1, 3, 4) in orders
    assert all(order[-1] == 4 for order in orders)  # the print needs both


@pytest.mark.parametrize(("code", "language"), [
    ("x = 1\ny = 2\nz = 3\n", "python"),  # nothing depends on anything: any order, nothing to learn
    ("print(1)\n", "python"),  # one piece
    ("function f() {\n  return g();\n", "javascript"),  # unbalanced
    ("x = 1\nprint(x)\nx = 2\nprint(x)\n", "python"),  # a name declared twice
])
def test_declines(code: str, language: str) -> None:
    assert order_the_pieces(_doc(code, language)) == []


def test_the_order_of_two_prints_counts_only_when_the_exercise_shows_the_output() -> None:
    pieces = pieces_of("def greet(n):\n    return 'Hi ' + n\n\nprint(greet('Ada'))\nprint(greet('Grace'))\n", "python")
    assert constraints(pieces) == {(0, 1), (0, 2)}  # either print may come first: nothing says which
    assert constraints(pieces, output_shown=True) == {(0, 1), (0, 2), (1, 2)}
    code = "items = []\nitems.append('a')\nitems.append('b')\nprint(items[0])\nprint(len(items) >= 2)\n"
    shown = Document(Meta("T", "t.md", slug="t"), (CodeBlock(code, "python", status="runs", printed="a\nTrue\n"),))
    [exercise] = order_the_pieces(shown)
    assert "The program prints:\n\n```text\na\nTrue\n```" in exercise.prompt


@pytest.mark.parametrize(("code", "language", "slip"), [
    ("const open = [];\nfor (const c of clients) {\n  if (c.readyState === OPEN) {\n    open.push(c);\n  }\n}\n", "javascript", "!=="),
    ("rows = load()\nkept = [r for r in rows if r.score >= 50]\nprint(len(kept))\nsave(kept)\n", "python", "< 50"),
    ("SELECT u.name, o.id\nFROM users u\nLEFT JOIN orders o ON o.user_id = u.id\nWHERE u.active = 1;\n", "sql", "INNER JOIN"),
    ("async function load(id) {\n  const cached = await cache.get(id);\n  if (cached) return cached;\n  return fetchIt(id);\n}\n", "javascript", "= cache.get("),
])
def test_spot_the_slip_keeps_the_contract(code: str, language: str, slip: str) -> None:
    [exercise] = spot_the_slip(Document(Meta("T", "t.md", slug="t"), (CodeBlock(code, language, status="skipped"),)))
    assert slip in exercise.prompt and exercise.kind == "fix"
    assert assert_contract(exercise).startswith("✅")
    said = [check_message(exercise, wrong) for wrong in exercise.wrong]
    assert "unchanged" in said[0] and "fine as it is" in said[1]


def test_a_comparison_written_the_other_way_round_is_a_fair_correction() -> None:
    code = "def keep(rows):\n    out = []\n    for r in rows:\n        if r.score >= 50:\n            out.append(r)\n    return out\n"
    [exercise] = spot_the_slip(Document(Meta("T", "t.md", slug="t"), (CodeBlock(code, "python", status="skipped"),)))
    line = re.search(r"if (\w+)\.score >= 50:", exercise.solution)
    assert line, exercise.solution  # the names are a variation of the tutorial's, the condition is not
    assert check_message(exercise, f"fixed = 'if 50 <= {line.group(1)}.score:'") is None


def test_the_corrected_line_is_not_on_the_page_above() -> None:
    code = "wss.clients.forEach((client) => {\n  if (client.readyState === OPEN) {\n    client.send(msg);\n  }\n});\n"
    [exercise] = spot_the_slip(Document(Meta("T", "t.md", slug="t"), (CodeBlock(code, "javascript", status="skipped"),)))
    fixed = exercise.solution.split("=", 1)[1].strip().strip("'")
    assert fixed == "if (peer.readyState === OPEN) {" and fixed not in code


@pytest.mark.parametrize("code", [
    "app = Flask(__name__)\napp.config['DEBUG'] = True\nbp = Blueprint('a', __name__)\napp.register_blueprint(bp)\n",  # a flag: not reasoned
    "for i in range(3):\n    if i < 2:\n        print(i)\n    total = i\n",  # a boundary moved by one: only the output would tell
])
def test_no_slip_that_only_the_output_could_reveal(code: str) -> None:
    assert spot_the_slip(Document(Meta("T", "t.md", slug="t"), (CodeBlock(code, "python", status="skipped"),))) == []


def test_what_comes_after_a_wait_stays_after_it() -> None:
    code = "var wg sync.WaitGroup\nfor i := 1; i <= 3; i++ {\n    wg.Add(1)\n    go worker(i, &wg)\n}\nwg.Wait()\nfmt.Println(\"All workers finished.\")\n"
    pieces = pieces_of(code, "go")
    orders = valid_orders(len(pieces), constraints(pieces))
    assert orders == [(0, 1, 2, 3)]  # the message after Wait, the Wait after the workers start
