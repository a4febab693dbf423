"""Exercise generator: write the index a query needs, checked with SQLite's query plan.

From a tutorial's `CREATE INDEX name ON table (a, b)`: a query on the same table that
this index does *not* serve (it filters on `b` alone: the leftmost-prefix lesson; or,
for a one-column index, on another column), and the learner writes the CREATE INDEX
that does. The check copies the exercise's sample database (the one `write the query`
exercises use, made from the tutorial's schema), runs the learner's statement and asks
SQLite for the plan (`EXPLAIN QUERY PLAN`): it must find the rows through an index on
that column (`SEARCH ... USING INDEX ... (b=?)`), not read the whole table (`SCAN`).
Any index name, extra columns after the first, IF NOT EXISTS: all are right. The
tutorial's own index is one of the wrong answers.
"""

from __future__ import annotations

import re

from ..document import Document, Exercise
from ..myst_escape import code_span
from .predict import fenced, section_of
from .query import _parents_first, _read_sql, _sample_data, _sql_blocks
from .sample_db import DB, SampleData, q, setup_code, sql_literal, table_script

MAX_OFFERS = 2
_CREATE_INDEX = re.compile(r"CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?[`\"]?(\w+)[`\"]?\s+ON\s+[`\"]?(\w+)[`\"]?\s*\(([^()]*)\)", re.I)

_CHECK = '''\
import re as _re
import sqlite3 as _sqlite3

assert statement is not ..., "Write your CREATE INDEX statement in `statement` first."
assert isinstance(statement, str) and _re.match(r"\\s*CREATE\\s+(UNIQUE\\s+)?INDEX\\b", statement, _re.I), (
    "Not yet: write one CREATE INDEX statement (as a string).")
_db = _sqlite3.connect(":memory:")
{db}.backup(_db)
try:
    _db.execute(statement)
except _sqlite3.Error as _err:
    raise AssertionError(f"Not yet: SQLite refuses the statement: {{_err}}.") from None
_plan = " ".join(str(_row[-1]) for _row in _db.execute("EXPLAIN QUERY PLAN " + {query!r}))
assert "INDEX" in _plan, f"Not yet: SQLite still reads the whole table ({{_plan}}): your index does not help this query."
assert _re.search(r"INDEX [^(]*\\({column}\\b", _plan, _re.I), (
    f"Not yet: SQLite uses an index, but cannot find the rows by `{column}` with it ({{_plan}}).")
print(f"✅ Right: SQLite now finds the rows through your index ({{_plan}}).")
'''


def write_the_index(doc: Document) -> list[Exercise]:
    """"Write the index" exercises for the tutorial's CREATE INDEX statements, best first."""
    blocks = list(_sql_blocks(doc))
    indexes = [(index, match) for index, block, _s, _p in blocks for match in _CREATE_INDEX.finditer(block.code)]
    if not indexes:
        return []
    schema, contribs, owners, _candidates = _read_sql(blocks)
    data, _declared = _sample_data(schema, contribs, owners)
    indexed = {(m.group(2).lower(), _columns(m.group(3))[0]) for _i, m in indexes if _columns(m.group(3))}
    found = []
    for index, match in indexes:
        exercise = _exercise(doc, index, match, data, indexed)
        if exercise:
            found.append(exercise)
    return found[:MAX_OFFERS]


def _columns(text: str) -> list[str]:
    """The plain column names of an index (none when one is an expression or a prefix)."""
    names = [part.strip().split()[0].strip('`"').lower() if part.strip() else "" for part in text.split(",")]
    return names if all(re.fullmatch(r"\w+", n) for n in names) else []


def _target(data: SampleData, key: str, columns: list[str], indexed: set) -> str | None:
    """The column to ask an index for: the index's second column (which it cannot serve
    alone), else another plain column of the table no index of the tutorial leads with."""
    spec = data.schema.tables[key]
    candidates = columns[1:2] + [c for c in spec.columns if c not in columns]
    for column in candidates:
        col = spec.columns.get(column)
        if col is None or col.pk or col.unique or (key, column) in indexed:
            continue
        if data.kinds[key].get(column) in ("text", "int", "date", "fk"):
            return column
    return None


def _exercise(doc: Document, index: int, match: re.Match, data: SampleData, indexed: set) -> Exercise | None:
    name, table, columns = match.group(1), match.group(2), _columns(match.group(3))
    key = table.lower()
    if not columns or key not in data.schema.tables or not all(c in data.schema.tables[key].columns for c in columns):
        return None
    column = _target(data, key, columns, indexed)
    if column is None:
        return None
    position = list(data.schema.tables[key].columns).index(column)
    values = [row[position] for row in data.rows.get(key, []) if row[position] is not None]
    if not values:
        return None
    spec = data.schema.tables[key]
    col_name, table_name = spec.columns[column].name, spec.name
    query = f"SELECT * FROM {q(table_name)} WHERE {q(col_name)} = {sql_literal(values[len(values) // 2])}"
    setup = setup_code([table_script(data, k) for k in _parents_first(data, [key])])
    why = (f"its first column is {code_span(columns[0])}, and an index helps a query that filters on its "
           "first column(s)" if len(columns) > 1 else f"it is on {code_span(columns[0])}, not on the column this query filters on")
    prompt = (
        f"The tutorial creates the index {code_span(name)} on {code_span(table_name)} "
        f"({', '.join(code_span(c) for c in columns)}). It does not help this query: {why}.\n\n"
        f"{fenced(query, 'sql')}\n\n"
        "On a big table SQLite would read every row. Set `statement` to the CREATE INDEX statement "
        "that lets it find these rows through an index instead. The check runs it on a copy of the "
        "sample database (see the hidden setup) and asks SQLite for its plan with `EXPLAIN QUERY PLAN`."
    )
    tutorials = match.group(0)
    other = next((c for c in spec.columns if c not in (column, *columns) and not spec.columns[c].pk), columns[0])
    right = (f"create index if not exists by_{column} on {table_name} ({col_name}, {spec.columns[other].name})",
             f'CREATE INDEX "idx {column}" ON {table_name}({col_name} DESC);')
    wrong = (tutorials, f"CREATE INDEX idx_{other}_{column} ON {table_name} ({spec.columns[other].name}, {col_name})",
             f"SELECT * FROM {table_name} WHERE {col_name} IS NOT NULL", f"CREATE INDEX idx_{column} ON {table_name}")
    return Exercise(
        kind="query", title="Write the index", prompt=prompt,
        starter="statement = ...  # your CREATE INDEX statement, as a string\n",
        solution=f"statement = {f'CREATE INDEX idx_{key}_{column} ON {table_name} ({col_name});'!r}\n",
        check=_CHECK.format(db=DB, query=query, column=re.escape(col_name)),
        section=section_of(doc, index), setup=setup,
        right=tuple(f"statement = {r!r}\n" for r in right), wrong=tuple(f"statement = {w!r}\n" for w in wrong),
    )
