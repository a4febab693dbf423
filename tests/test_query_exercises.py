"""The "write the query" generator: sample database, exercises, declines, checks."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
from exercise_contract import assert_contract, run

from converter.document import CodeBlock, Course, Document, Heading, Meta, Paragraph
from converter.exercises.checks import packed
from converter.exercises.query import check_code, split_statements, write_the_query
from converter.exercises.sample_db import rows_digest, same_order

ROOT = Path(__file__).resolve().parent.parent


def sql(code: str) -> CodeBlock:
    return CodeBlock(code=code.strip() + "\n", language="sql", status="skipped")


def doc(*blocks, title: str = "A tutorial") -> Document:
    return Document(meta=Meta(title=title, source="test.txt"), blocks=tuple(blocks))


JOINS = doc(
    Heading(2, "Inner join"),
    Paragraph("Suppose we have two tables: Customers and Purchases."),
    sql("""
-- Show each customer's name with the date of each purchase
SELECT c.CustomerName, p.PurchaseDate
FROM Customers c
INNER JOIN Purchases p ON c.CustomerID = p.CustomerID;
"""),
    Heading(2, "Left join"),
    sql("""
-- Get all customers and any purchases they might have
SELECT Customers.CustomerName, Purchases.PurchaseID
FROM Customers
LEFT JOIN Purchases ON Customers.CustomerID = Purchases.CustomerID;
-- Customers without purchases show NULL.
"""),
    Heading(2, "Self join"),
    sql("""
-- Finding who manages whom
SELECT E1.EmployeeName AS Employee, E2.EmployeeName AS Manager
FROM Employees E1
INNER JOIN Employees E2 ON E1.ManagerID = E2.EmployeeID;
"""),
    Heading(2, "Cross join"),
    Paragraph("A table of Colors and a table of Sizes give every combination of color and size."),
    sql("SELECT Colors.ColorName, Sizes.SizeName FROM Colors CROSS JOIN Sizes;"),
    title="Joins",
)

DDL = doc(
    Heading(2, "Tables"),
    sql("""
CREATE TABLE `products` (
    `product_id` INT AUTO_INCREMENT,
    `name` VARCHAR(100) NOT NULL,
    `category` VARCHAR(50),
    `price` DECIMAL(10, 2),
    PRIMARY KEY (`product_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX idx_category ON products(category);
"""),
    Heading(2, "Aggregation"),
    Paragraph("Averages per category tell you where the money is."),
    sql("""
SELECT category, COUNT(*) AS products, AVG(price) AS average_price
FROM products
WHERE price > 10
GROUP BY category
ORDER BY average_price DESC;
"""),
    title="DDL",
)


def exercise_for(document: Document, word: str):
    return next(ex for ex in write_the_query(document) if word in ex.solution)


# ------------------------------------------------------------------ the contract


@pytest.mark.parametrize("document", [JOINS, DDL], ids=["joins", "ddl"])
def test_every_exercise_keeps_the_contract(document):
    exercises = write_the_query(document)
    assert 1 <= len(exercises) <= 3
    for ex in exercises:
        assert ex.kind == "query"
        assert ex.starter == 'query = """\n-- your SQL here\n"""\n'
        assert "sample_db = sqlite3.connect(\":memory:\")" in ex.setup
        printed = assert_contract(ex)
        assert printed.startswith("✅")


def test_deterministic():
    assert write_the_query(JOINS) == write_the_query(JOINS)


def test_starter_fails_with_a_friendly_message():
    ex = write_the_query(JOINS)[0]
    ns: dict = {}
    run(ex.setup, ns)
    run(ex.starter, ns)
    with pytest.raises(AssertionError, match="SELECT statement"):
        run(ex.check, ns)


def learner(ex, query: str) -> str:
    ns: dict = {}
    run(ex.setup, ns)
    ns["query"] = query
    return run(ex.check, ns)


def test_broken_sql_is_reported_not_raised():
    ex = write_the_query(JOINS)[0]
    with pytest.raises(AssertionError, match="Your query failed: no such table: Nope"):
        learner(ex, "SELECT * FROM Nope")
    with pytest.raises(AssertionError, match="Your query failed"):
        learner(ex, "SELECT 1; SELECT 2")


def test_the_sample_database_is_read_only():
    ex = write_the_query(JOINS)[0]
    with pytest.raises(AssertionError, match="Your query failed"):
        learner(ex, "DELETE FROM Customers")


def test_left_join_lesson_shows_in_the_data():
    """A customer without purchases: the INNER JOIN answer does not pass the LEFT JOIN exercise."""
    ex = exercise_for(JOINS, "LEFT JOIN")
    with pytest.raises(AssertionError):
        learner(ex, "SELECT Customers.CustomerName, Purchases.PurchaseID FROM Customers "
                    "JOIN Purchases ON Customers.CustomerID = Purchases.CustomerID")
    # an equivalent query in other words passes
    printed = learner(ex, "select c.CustomerName, p.PurchaseID from Purchases p "
                          "right join Customers c using (CustomerID) order by 1 desc")
    assert printed.startswith("✅")


def test_self_join_has_a_top_manager_and_a_leaf():
    ex = exercise_for(JOINS, "Finding who manages whom")
    ns: dict = {}
    run(ex.setup, ns)
    db = ns["sample_db"]
    assert db.execute("SELECT COUNT(*) FROM Employees WHERE ManagerID IS NULL").fetchone() == (1,)
    total = db.execute("SELECT COUNT(*) FROM Employees").fetchone()[0]
    assert 4 <= total <= 8
    with pytest.raises(AssertionError):  # a LEFT JOIN keeps the boss: one row too many
        learner(ex, "SELECT E1.EmployeeName, E2.EmployeeName FROM Employees E1 "
                    "LEFT JOIN Employees E2 ON E1.ManagerID = E2.EmployeeID")


def test_prompt_names_task_section_schema_and_shape():
    ex = exercise_for(JOINS, "LEFT JOIN")
    assert ex.section == "Left join"
    assert ex.title == "Write the query: Get all customers and any purchases they might have"
    assert "Get all customers and any purchases they might have" in ex.prompt
    assert "*Left join*" in ex.prompt
    assert "`Customers` | `CustomerID` (key), `CustomerName`" in ex.prompt
    assert "`CustomerID` → `Customers.CustomerID`" in ex.prompt
    assert "**2 columns**" in ex.prompt and "in any order" in ex.prompt
    assert "`LEFT JOIN`" in ex.prompt  # the hint
    assert "First 3 of" in ex.prompt


def test_prose_before_the_block_when_the_query_has_no_comment():
    ex = exercise_for(JOINS, "CROSS JOIN")
    assert "every combination of color and size" in ex.prompt
    assert ex.title == "Write the query: Cross join"


def test_at_most_three_with_different_shapes():
    exercises = write_the_query(JOINS)
    assert len(exercises) == 3
    hints = [ex.prompt.split("Hint:")[1] for ex in exercises]
    assert len(set(hints)) == 3


# ------------------------------------------------------------------ schema from DDL


def test_mysql_ddl_is_translated_for_sqlite():
    ex = write_the_query(DDL)[0]
    for mysql_only in ("AUTO_INCREMENT", "ENGINE", "CHARSET", "VARCHAR", "`"):
        assert mysql_only not in ex.setup
    assert "product_id INTEGER PRIMARY KEY" in ex.setup
    assert "name TEXT NOT NULL" in ex.setup
    assert "price REAL" in ex.setup
    ns: dict = {}
    run(ex.setup, ns)
    rows = ns["sample_db"].execute("SELECT * FROM products").fetchall()
    assert 4 <= len(rows) <= 8
    assert any(r[3] > 10 for r in rows) and any(r[3] <= 10 for r in rows)  # the filter filters


def test_order_by_makes_the_check_order_sensitive():
    ex = write_the_query(DDL)[0]
    assert "ORDER BY" in ex.solution
    assert "price > 11" in ex.solution  # a variation: the tutorial compares with 10
    base = ("SELECT category, COUNT(*), AVG(price) FROM products WHERE price > 11 GROUP BY category "
            "ORDER BY AVG(price) {}")
    assert learner(ex, base.format("DESC")).startswith("✅")
    with pytest.raises(AssertionError, match="order"):
        learner(ex, base.format("ASC"))


def test_without_order_by_the_order_does_not_matter():
    ex = exercise_for(JOINS, "Finding who manages whom")
    a = "SELECT E1.EmployeeName, E2.EmployeeName FROM Employees E1 JOIN Employees E2 ON E1.ManagerID = E2.EmployeeID"
    assert learner(ex, a + " ORDER BY 1 DESC").startswith("✅")
    assert learner(ex, a + " ORDER BY 1 ASC").startswith("✅")


def test_rows_digest():
    rows = [(1, "a"), (2, None), (3, 2.0)]
    assert rows_digest(rows, False) == rows_digest(list(reversed(rows)), False)
    assert rows_digest(rows, True) != rows_digest(list(reversed(rows)), True)
    assert rows_digest([(2.0,)], False) == rows_digest([(2,)], False)
    assert rows_digest(rows, False) != rows_digest(rows[:2], False)


@pytest.mark.parametrize("document", [JOINS, DDL], ids=["joins", "ddl"])
def test_check_holds_neither_the_solution_nor_the_rows(document):
    for ex in write_the_query(document):
        ns: dict = {}
        run(ex.setup, ns)
        run(ex.solution, ns)
        query = ns["query"]
        cur = ns["sample_db"].execute(query)
        values = {v for row in cur.fetchall() for v in row if isinstance(v, str) and len(v) >= 2}
        assert values
        for value in values:
            assert value not in ex.check, value
        for line in query.splitlines():
            if line.strip() and not line.startswith("--"):
                assert line.strip() not in ex.check


# ------------------------------------------------------------------ declining


def test_no_sql_declines():
    python = doc(Heading(2, "Hello"), CodeBlock(code="print('hi')\n", language="python", status="runs"))
    assert write_the_query(python) == []
    assert write_the_query(doc(Paragraph("SELECT name FROM users is how you read names."))) == []


def test_only_ddl_and_admin_statements_decline():
    admin = doc(
        sql("SET GLOBAL slow_query_log = 'ON';\nSET GLOBAL long_query_time = 2; -- Seconds"),
        sql("CREATE TABLE users (user_id INT AUTO_INCREMENT, email VARCHAR(100), PRIMARY KEY (user_id));"),
        sql("CREATE INDEX idx_email ON users(email);\nALTER TABLE users ENGINE=InnoDB;"),
        sql("EXPLAIN SELECT user_id, email FROM users WHERE email = 'test@example.com';"),
        sql("ANALYZE TABLE users;\nOPTIMIZE TABLE users;"),
    )
    assert write_the_query(admin) == []


def test_queries_that_fail_or_return_nothing_decline():
    failing = doc(
        sql("SELECT TABLE_NAME, ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'shop';"),
        sql("SELECT * FROM posts WHERE MATCH(content) AGAINST('database' IN NATURAL LANGUAGE MODE);"),
        sql("SELECT id FROM orders WHERE YEAR(created_at) = 2023;"),
        sql("SELECT * FROM posts ORDER BY id DESC LIMIT 20 OFFSET 100000;"),  # empty
        sql("SELECT * FROM posts WHERE id < last_id ORDER BY id DESC LIMIT 20;"),  # a placeholder
        sql("SELECT id FROM posts LIMIT 3;"),  # which rows: up to the engine
    )
    assert write_the_query(failing) == []


def test_a_failing_query_does_not_pollute_the_schema():
    mixed = doc(
        sql("SELECT * FROM posts WHERE MATCH(content) AGAINST('database' IN NATURAL LANGUAGE MODE);"),
        sql("-- The newest posts first\nSELECT id, title FROM posts ORDER BY id DESC;"),
    )
    [ex] = write_the_query(mixed)
    assert "LANGUAGE" not in ex.setup and "MODE" not in ex.setup
    assert assert_contract(ex).startswith("✅")


def test_duplicate_results_are_offered_once():
    mirrored = doc(
        sql("SELECT Users.UserName, Orders.OrderID FROM Users LEFT JOIN Orders ON Users.UserID = Orders.UserID;"),
        sql("SELECT Users.UserName, Orders.OrderID FROM Orders RIGHT JOIN Users ON Orders.UserID = Users.UserID;"),
    )
    assert len(write_the_query(mirrored)) == 1


# ------------------------------------------------------------------ the tutorial's own data and statements


def test_tutorial_inserts_become_the_sample_data():
    own = doc(
        sql("CREATE TABLE pets (id INTEGER PRIMARY KEY, name TEXT, species TEXT);\n"
            "INSERT INTO pets (id, name, species) VALUES (1, 'Rex', 'dog'), (2, 'Tom', 'cat'), (3, 'Fido', 'dog');"),
        sql("-- All the dogs\nSELECT name FROM pets WHERE species = 'dog';"),
    )
    [ex] = write_the_query(own)
    assert "'Rex'" in ex.setup and "'Fido'" in ex.setup
    assert "| 2 | Tom | cat |" in ex.prompt  # the preview shows the tutorial's rows
    with pytest.raises(AssertionError, match="Your result has 3 row\\(s\\); the expected result has 2"):
        learner(ex, "SELECT name FROM pets")
    assert assert_contract(ex).startswith("✅")


@pytest.mark.parametrize("insert", [
    "INSERT INTO pets (id, name, born) VALUES (1, 'Rex', NOW());",  # a function call: not a literal
    "INSERT INTO pets (id, born) VALUES (1, '1999-01-01');",  # no name: NOT NULL refuses it
    "INSERT INTO pets VALUES (1, 'Rex', '1999-01-01'), (1, 'Tom', '1999-01-01');",  # a repeated key
    "INSERT INTO pets (id, name, colour) VALUES (1, 'Rex', 'red');",  # a column the table lacks
])
def test_inserts_sqlite_would_refuse_leave_the_generated_rows(insert):
    own = doc(
        sql("CREATE TABLE pets (id INTEGER PRIMARY KEY, name TEXT NOT NULL, born TEXT);\n" + insert),
        sql("-- Every pet's name\nSELECT name FROM pets ORDER BY name;"),
    )
    [ex] = write_the_query(own)
    assert "1999" not in ex.setup and "Rex" not in ex.setup and "NOW" not in ex.setup
    assert assert_contract(ex).startswith("✅")


def test_inserts_without_a_key_are_numbered():
    own = doc(
        sql("CREATE TABLE pets (id INTEGER PRIMARY KEY, name TEXT);\n"
            "INSERT INTO pets (name) VALUES ('Rex'), ('Tom');"),
        sql("-- Pets by key\nSELECT id, name FROM pets ORDER BY id;"),
    )
    [ex] = write_the_query(own)
    assert "(1, 'Rex'),\n    (2, 'Tom')" in ex.setup
    assert assert_contract(ex).startswith("✅")


def test_statements_keep_the_comment_right_above():
    stmts = split_statements(
        "-- Run these\nSET GLOBAL a = 1; -- Seconds\nSET GLOBAL b = 2;\n\n"
        "-- first\n-- second\nSELECT 1;\n-- trailing note\n"
    )
    assert [s.comment for s in stmts] == ["Run these", "", "first second"]
    assert stmts[2].text == "-- first\n-- second\nSELECT 1;"


def test_filters_get_values_that_some_rows_match():
    shop = doc(sql("-- Shipped orders since 2023\n"
                   "SELECT id FROM orders WHERE status = 'shipped' AND created_at > '2023-01-01';"))
    [ex] = write_the_query(shop)
    ns: dict = {}
    run(ex.setup, ns)
    db = ns["sample_db"]
    total = db.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
    # the exercise asks for other values than the tutorial's query on the page above
    delivered = db.execute("SELECT COUNT(*) FROM orders WHERE status = 'delivered'").fetchone()[0]
    recent = db.execute("SELECT COUNT(*) FROM orders WHERE created_at > '2024-01-01'").fetchone()[0]
    assert 0 < delivered < total and 0 < recent < total
    assert "`status` is `'delivered'`" in ex.prompt and "shipped" not in ex.solution
    tutorials = "SELECT id FROM orders WHERE status = 'shipped' AND created_at > '2023-01-01';"
    assert learner_fails(ex, tutorials)


def learner_fails(ex, query: str) -> bool:
    try:
        learner(ex, query)
    except AssertionError:
        return True
    return False


# ------------------------------------------------------------------ the seed tutorials


@lru_cache(maxsize=1)
def seed_documents() -> tuple[Document, ...]:
    from converter.passes import course_passes, passes
    from converter.findings import Findings
    from tests.course_environment import COURSE
    from converter.readers import read_source

    docs = tuple(read_source(ROOT / "sources/000_4570511d4ad11a14.txt")
                 + read_source(ROOT / "sources/003_de1538dbbdf76b2e.txt"))
    for _name, apply in passes(COURSE):
        docs = tuple(apply(d) for d in docs)
    course = Course(docs)
    for name, apply in course_passes(Findings()):
        if name != "exercises":  # the generators are what is under test
            course = apply(course)
    return course.documents


SQL_SEEDS = {
    "master-sql-joins-modern-developers": 3,
    "mysql-indexing-database-performance": 1,
    "mysql-performance-tuning-optimization": 3,
}


@pytest.mark.parametrize("slug", sorted(SQL_SEEDS))
def test_seed_sql_tutorials(slug):
    [document] = [d for d in seed_documents() if d.meta.slug == slug]
    exercises = write_the_query(document)
    assert len(exercises) == SQL_SEEDS[slug]
    for ex in exercises:
        assert assert_contract(ex).startswith("✅")


def test_seed_joins_tutorial_exercises():
    [document] = [d for d in seed_documents() if d.meta.slug == "master-sql-joins-modern-developers"]
    titles = [ex.title for ex in write_the_query(document)]
    assert "Write the query: Finding who manages whom" in titles
    assert "Write the query: Get all users and any orders they might have" in titles


def test_non_sql_seed_tutorials_decline():
    others = [d for d in seed_documents() if not any(b.language == "sql" for b in d.code_blocks)]
    assert len(others) > 10
    for document in others:
        assert write_the_query(document) == [], document.meta.slug


def test_grouped_columns_make_groups_of_different_sizes():
    ex = write_the_query(DDL)[0]
    ns: dict = {}
    run(ex.setup, ns)
    counts = [n for _c, n in ns["sample_db"].execute("SELECT category, COUNT(*) FROM products GROUP BY category")]
    assert len(counts) >= 2 and max(counts) >= 2 and len(set(counts)) >= 2


def test_rows_that_tie_on_order_by_may_come_in_any_order():
    ties = doc(
        sql("CREATE TABLE pets (id INTEGER PRIMARY KEY, name TEXT, species TEXT);\n"
            "INSERT INTO pets VALUES (1, 'Rex', 'dog'), (2, 'Tom', 'cat'), (3, 'Fido', 'dog');"),
        sql("-- Pets by species\nSELECT name, species FROM pets ORDER BY species;"),
    )
    [ex] = write_the_query(ties)
    assert "rows that tie on it may come in any order" in ex.prompt
    assert learner(ex, "SELECT name, species FROM pets ORDER BY species, name DESC").startswith("✅")
    assert learner(ex, "SELECT name, species FROM pets ORDER BY species, name ASC").startswith("✅")
    with pytest.raises(AssertionError, match="not in the expected order"):
        learner(ex, "SELECT name, species FROM pets ORDER BY species DESC")


@pytest.mark.parametrize(("rows", "keys", "same"), [
    ([(1,), (2,), (3,)], [(1,), (2,), (3,)], True),
    ([(2,), (1,), (3,)], [(1,), (2,), (3,)], False),
    ([(2,), (1,), (3,)], [("a",), ("a",), ("b",)], True),  # 1 and 2 tie
    ([(3,), (1,), (2,)], [("a",), ("a",), ("b",)], False),
])
def test_same_order_lets_ties_come_in_any_order(rows, keys, same):
    assert same_order(rows, [(1,), (2,), (3,)], keys) is same


# ------------------------------------------------------------------ more shapes, the contract in plain Python

SHAPES = {
    "subquery": doc(
        sql("CREATE TABLE departments (id INT PRIMARY KEY, name VARCHAR(50), location VARCHAR(50));\n"
            "CREATE TABLE employees (id INT PRIMARY KEY, name VARCHAR(50), "
            "department_id INT REFERENCES departments(id), salary DECIMAL(10,2));"),
        sql("-- Employees based in London\nSELECT name FROM employees WHERE department_id IN "
            "(SELECT id FROM departments WHERE location = 'London');")),
    "having": doc(sql("-- Customers with more than one order\nSELECT customer_id, COUNT(*) AS orders FROM orders "
                      "GROUP BY customer_id HAVING COUNT(*) > 1 ORDER BY orders DESC, customer_id;")),
    "union": doc(sql("-- Every city we know\nSELECT city FROM customers UNION SELECT city FROM suppliers;")),
    "cte": doc(sql("-- Big spenders\nWITH totals AS (SELECT user_id, SUM(amount) AS total FROM payments "
                   "GROUP BY user_id)\nSELECT user_id, total FROM totals WHERE total > 100;")),
    "distinct": doc(sql("-- The categories on sale\nSELECT DISTINCT category FROM products ORDER BY category;")),
    "correlated": doc(sql("-- Users who ordered\nSELECT u.username FROM users u "
                          "WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id);")),
    "limit": doc(sql("-- The three most expensive products\nSELECT name, price FROM products ORDER BY price DESC LIMIT 3;")),
    "like": doc(sql("-- Users at example.com\nSELECT email FROM users WHERE email LIKE '%@example.com';")),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_more_shapes_keep_the_contract_in_plain_python(name):
    [ex] = write_the_query(SHAPES[name])
    # setup + starter + check: AssertionError with a message
    ns: dict = {}
    run(ex.setup, ns)
    run(ex.starter, ns)
    with pytest.raises(AssertionError, match="."):
        run(ex.check, ns)
    # setup + solution + check: passes and says so
    ns = {}
    run(ex.setup, ns)
    run(ex.solution, ns)
    assert run(ex.check, ns).startswith("✅ Your query returns the expected result")
    # a query that is not the answer fails too
    with pytest.raises(AssertionError):
        learner(ex, "SELECT 1")


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_the_reference_query_is_packed_in_the_check(name):
    [ex] = write_the_query(SHAPES[name])
    query = ex.solution.split('"""')[1].strip()
    assert query.splitlines()[-1] not in ex.check
    assert packed(query) in ex.check  # run by the check, not shown


def test_a_reference_query_that_fails_here_is_not_the_learners_fault():
    """Whether this kernel's SQLite runs the query and returns rows is known only when the
    check runs: it raises RuntimeError, not AssertionError, so `course check` disproves the
    exercise (and the next convert leaves it out) instead of blaming the learner."""
    ex = write_the_query(JOINS)[0]
    ns: dict = {}
    run(ex.setup, ns)
    ns["query"] = "SELECT 1"
    with pytest.raises(RuntimeError, match="fails on this SQLite"):
        run(check_code("SELECT Nope FROM Customers;", None), ns)
    with pytest.raises(RuntimeError, match="returns no values"):
        run(check_code("SELECT CustomerName FROM Customers WHERE 0;", None), ns)


def test_names_the_schema_lacks_decline():
    names = doc(
        sql("CREATE TABLE a (id INT PRIMARY KEY, name TEXT);\n"
            "CREATE TABLE b (id INT PRIMARY KEY, a_id INT REFERENCES a(id), name TEXT);"),
        sql("SELECT name FROM a JOIN b ON a.id = b.a_id;"),  # ambiguous: both tables have it
        sql("SELECT a.title FROM a;"),  # a declared table without that column
        sql("SELECT x.name FROM a;"),  # no such alias
        sql("SELECT e1.name FROM a e1 JOIN a e2 ON e1.id = e2.id WHERE name = 'x';"),  # ambiguous in a self-join
    )
    assert write_the_query(names) == []


def test_values_no_sample_row_holds_decline():
    """customer_id = 502: the generated orders point at customers 1 to 5, so the result would be empty."""
    shop = doc(sql("SELECT id, status FROM orders WHERE customer_id = 502 AND status = 'shipped';"))
    assert write_the_query(shop) == []
    found = doc(sql("-- Shipped orders\nSELECT id, status FROM orders WHERE status = 'shipped';"))
    assert len(write_the_query(found)) == 1


# ------------------------------------------------------------------ prompts: nothing from the tutorial is markup

HOSTILE_SQL = doc(
    Heading(2, "<script>alert(1)</script> Filters {download}`/etc/passwd`"),
    sql("-- <img src=x onerror=alert(1)> and {raw}`<b>x</b>`\n"
        "SELECT name FROM users WHERE name = '<img src=x onerror=alert(1)>';"),
    Heading(2, "Backticks"),
    sql("-- Backticks `` ``` everywhere\nSELECT name, nick FROM users WHERE nick = 'a``b` ```{raw} html';"),
    Heading(2, "Odd names"),
    sql("CREATE TABLE `odd|table` (`id` INT PRIMARY KEY, `<b>n|m</b>` TEXT);\n"
        "INSERT INTO `odd|table` VALUES (1, '</td><script>alert(2)</script>'), (2, 'x|y');"),
    sql("-- Odd names\nSELECT `<b>n|m</b>` FROM `odd|table` ORDER BY `<b>n|m</b>`;"),
)
_PROMPT_TOKENS = {"paragraph_open", "paragraph_close", "inline", "text", "softbreak", "code_inline", "strong_open",
                  "strong_close", "em_open", "em_close", "table_open", "table_close", "thead_open", "thead_close",
                  "tbody_open", "tbody_close", "tr_open", "tr_close", "th_open", "th_close", "td_open", "td_close"}


def _row_widths(tokens) -> list[int]:
    """The number of cells of each table row, in order."""
    widths = []
    for t in tokens:
        if t.type == "tr_open":
            widths.append(0)
        elif t.type in ("th_open", "td_open"):
            widths[-1] += 1
    return widths


def test_hostile_sql_comes_out_inert_in_the_prompt():
    from test_myst_escape import MYST

    exercises = write_the_query(HOSTILE_SQL)
    assert len(exercises) == 3
    # cells per table row (schema, then preview): no pipe from a name or a value split a cell
    widths = [[2, 2, 2, 2, 2, 2], [2, 2, 2, 2, 2, 2], [2, 2, 2, 2, 2]]
    for ex, width in zip(exercises, widths):
        tokens = [t for top in MYST.parse(ex.prompt) for t in [top, *(top.children or [])]]
        assert {t.type for t in tokens} <= _PROMPT_TOKENS, ex.prompt
        html = MYST.render(ex.prompt)
        for tag in ("<img", "<script", "<b>", "</td><script"):
            assert tag not in html, html
        assert _row_widths(MYST.parse(ex.prompt)) == width, ex.prompt
    img, ticks, odd = exercises
    assert "`'<img src=x onerror=alert(1)>'`" in img.prompt  # the condition, as code
    assert "&lt;img src=x onerror=alert(1)&gt;" in MYST.render(img.prompt)
    assert "<code>'a``b` ```{raw} html'</code>" in MYST.render(ticks.prompt)
    html = MYST.render(odd.prompt)
    assert "<td><code>odd|table</code></td>" in html and "<code>&lt;b&gt;n|m&lt;/b&gt;</code>" in html
    assert "&lt;/td&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in html and "<td>x|y</td>" in html


# ------------------------------------------------------------------ convert runs no SQL


def test_the_generator_modules_do_not_import_sqlite3():
    from converter.exercises import query, sample_db, sample_schema, select_analysis, sql_text

    for module in (query, sample_db, sample_schema, select_analysis, sql_text):
        assert "sqlite3" not in vars(module), module.__name__


SQL_TUTORIAL = """# Querying a shop database

A tutorial about reading data back with SQL, one query at a time.

## The tables

The shop keeps its customers and their orders in two tables.

```sql
CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(100), city VARCHAR(50));
CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT REFERENCES customers(id), total DECIMAL(10,2));
```

## Filtering

Only the customers from one city:

```sql
-- Customers in Berlin
SELECT name FROM customers WHERE city = 'Berlin';
```

## Joining

Every customer with their orders, even those who never ordered:

```sql
-- Customers and their orders
SELECT c.name, o.total FROM customers c LEFT JOIN orders o ON o.customer_id = c.id;
```

## Grouping

```sql
-- Orders per customer
SELECT customer_id, COUNT(*) FROM orders GROUP BY customer_id;
```

That is all for today: filters, joins and groups.
"""


def test_convert_never_calls_sqlite(tmp_path, monkeypatch):
    import shutil
    import sqlite3

    import jupytext

    from converter.convert import Layout, convert

    def refuse(*args, **kwargs):
        raise AssertionError("convert ran SQL")

    monkeypatch.setattr(sqlite3, "connect", refuse)
    assert write_the_query(JOINS)  # the generator alone
    shutil.copy(ROOT / "_config.yml", tmp_path)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "shop.md").write_text(SQL_TUTORIAL, encoding="utf-8")
    report = convert([tmp_path / "sources"], layout=Layout(tmp_path))
    assert not report.failures, report.failures
    nb = jupytext.read(report.paths["Querying a shop database"])
    kinds = [c.metadata["runnable"].get("kind") for c in nb.cells if "exercise" in c.metadata.get("tags", [])]
    assert "query" in kinds
