""""Write the query" exercises for SQL tutorials.

`write_the_query(doc)` reads the tutorial's SQL blocks (skipped in the
notebook: they are written for a database server), infers a small schema from
them (CREATE TABLE / ALTER TABLE / CREATE INDEX / INSERT, else the tables and
columns its queries name), fills each table with a few deterministic rows
designed so the tutorial's lessons show (a user without orders, an order
without a user, an employee without a manager, values that some rows match
and some don't), and runs the tutorial's SELECT queries on that database with
sqlite3 at conversion time. A query that fails, returns nothing or is not
deterministic is not used. Each kept query becomes an exercise: the learner
writes SQL in the string `query`; the check runs it on `sample_db` (made by the
exercise's `setup`) and compares the result set's digest with the solution's.

Pure and deterministic: the same Document gives the same exercises.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from ..document import CodeBlock, Document, Exercise, Heading, Paragraph

from .sample_db import (DB, RESULT_HELPERS, SampleData, _build, _parse_date, _py_string, _run, q, rows_digest,
                        setup_code, sql_literal, table_script)
from .sample_schema import Contribution, Schema, TableSpec, read_schema_statement, select_contribution
from .select_analysis import SelectInfo, _all_infos, analyze_select
from .sql_text import _KEYWORDS, Statement, _split_top, split_statements, tokenize

MAX_EXERCISES = 3
PREVIEW_ROWS = 3


# --------------------------------------------------------------------------------------
# Candidates and exercises


@dataclass
class Candidate:
    stmt: Statement
    info: SelectInfo
    section: str
    prose: str
    sql: str  # what runs (the tutorial's text)




def _sql_blocks(doc: Document):
    section = ""
    prose = ""
    for index, block in enumerate(doc.blocks):
        if isinstance(block, Heading):
            section, prose = block.text, ""
        elif isinstance(block, Paragraph):
            prose = block.text
        elif isinstance(block, CodeBlock):
            if block.language == "sql":
                yield index, block, section, prose
            prose = ""


def _last_sentence(text: str) -> str:
    text = " ".join(re.sub(r"[*_`\\]", "", text).split())
    sentences = re.split(r"(?<=[.!?])\s+", text)
    return sentences[-1] if sentences else ""


_EVALUATIVE = re.compile(r"\b(bad|good|slow|slower|fast|faster|lightning|potentially|often|better|worse|"
                         r"index|indexes|performance|this|these|run|now)\b", re.IGNORECASE)


def _task_words(cand: Candidate) -> tuple[str, str]:
    """The task in the tutorial's own words ("" if it has none that describe it), and where from."""
    comment = cand.stmt.comment.strip()
    if comment and not comment.endswith(":") and not _EVALUATIVE.search(comment):
        return comment.rstrip("."), "comment"
    sentence = _last_sentence(cand.prose)
    if sentence and not sentence.endswith(":") and not _EVALUATIVE.search(sentence) and len(sentence) <= 200:
        return sentence.rstrip("."), "prose"
    return "", ""


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _structural(info: SelectInfo, names: list[str]) -> str:
    """The query's task in plain words, from its structure."""
    cols = _and([f"`{n}`" for n in names])
    if not info.tables:
        return f"Return {cols}"
    first = info.tables[0][0]
    text = f"List {cols} from `{first}`"
    self_join = "self-join" in info.features
    for j in info.joins:
        other = f"`{j.table}`"
        if j.table.lower() == first.lower() and self_join:
            cols = [j.on[m + 2].name for m in range(len(j.on) - 2)
                    if j.on[m + 1].text == "." and j.on[m + 2].kind == "ident"]
            text += " joined with itself"
            if len(cols) == 2:
                text += f" (matching `{cols[0]}` with `{cols[1]}`)"
            if j.kind == "LEFT":
                text += " (keep every row, even without a match)"
        elif j.kind in ("INNER", "COMMA", "NATURAL"):
            text += f", matched with {other}"
        elif j.kind == "LEFT":
            text += f", with the matching {other} rows (keep every `{first}` row, even without a match)"
        elif j.kind == "RIGHT":
            text += f", with the matching {other} rows (keep every {other} row, even without a match)"
        elif j.kind == "FULL":
            text += f" and {other} (keep every row of both, matched where possible)"
        elif j.kind == "CROSS":
            text += f", paired with every row of {other}"
    conds = _conditions(info) + _subquery_conditions(info)
    if conds:
        text += ", keeping only rows where " + _and(conds)
    group = info.clauses.get("GROUP", [])
    if group:
        text += ", per " + _and([f"`{t.name}`" for t in group if t.kind == "ident" and t.up not in _KEYWORDS])
    order = info.clauses.get("ORDER", [])
    if order:
        text += ", sorted by " + " ".join(t.text for t in order)
    limit = info.clauses.get("LIMIT", [])
    if limit:
        text += ", only the first " + " ".join(t.text for t in limit) + " rows"
    return text


def _shape(info: SelectInfo) -> set[str]:
    feats = set()
    for part in _all_infos(info):
        feats |= part.features
    return feats


def _unsupported(info: SelectInfo) -> bool:
    feats = _shape(info)
    if ("full-join" in feats or "right-join" in feats) and sqlite3.sqlite_version_info < (3, 39, 0):
        return True
    if "limit" in feats and "order" not in feats:
        return True  # which rows come back is up to the engine
    return False


def write_the_query(doc: Document) -> list[Exercise]:
    """Up to three "write the query" exercises for a tutorial with SQL queries; [] to decline."""
    blocks = list(_sql_blocks(doc))
    if not blocks:
        return []
    schema = Schema()
    contribs: list[Contribution] = []
    owners: list[tuple[Contribution, Statement]] = []
    candidates: list[Candidate] = []
    validations: list[tuple[str, Contribution]] = []  # SELECTs that only inform the schema (EXPLAIN ...)
    for index, block, section, prose in blocks:
        for stmt in split_statements(block.code, index):
            if not stmt.code:
                continue
            first = stmt.keyword
            if first in ("SELECT", "WITH"):
                info = analyze_select(stmt.code)
                c = select_contribution(info)
                contribs.append(c)
                if not info.external:
                    candidates.append(Candidate(stmt, info, section, prose, stmt.text))
                    owners.append((c, stmt))
            elif first in ("EXPLAIN", "DESCRIBE", "DESC") and len(stmt.code) > 1:
                rest = stmt.code[1:]
                while rest and rest[0].up in ("ANALYZE", "QUERY", "PLAN", "EXTENDED", "FORMAT", "=", "JSON", "TREE"):
                    rest = rest[1:]
                if rest and rest[0].up in ("SELECT", "WITH"):
                    info = analyze_select(rest)
                    c = select_contribution(info)
                    contribs.append(c)
                    if not info.external:
                        owners.append((c, stmt))
                        start, end = rest[0].start, rest[-1].end
                        validations.append((block.code[start:end], c))
            elif first in ("UPDATE", "DELETE"):
                continue
            else:
                read_schema_statement(stmt, schema, contribs)
    if not candidates:
        return []
    declared = {key for key, spec in schema.tables.items() if spec.declared}

    # first pass: everything; then drop what only failing queries asked for
    data = _build(schema, contribs, declared)
    failing: list[Contribution] = []
    for c, stmt in owners:
        sql = stmt.text
        for text, vc in validations:
            if vc is c:
                sql = text
        if _run(data, sql) is None:
            failing.append(c)
    if failing:
        keep = [c for c in contribs if not any(c is f for f in failing)]
        data = _build(schema, keep, declared)

    seen: set[str] = set()
    usable = []
    for cand in candidates:
        if _unsupported(cand.info):
            continue
        result = _run(data, cand.sql)
        if result is None:
            continue
        rows, names = result
        if not rows or all(v is None for row in rows for v in row):
            continue
        key = rows_digest(rows, False)
        if key in seen:
            continue  # the same result as a query already kept (a RIGHT JOIN mirroring a LEFT JOIN...)
        seen.add(key)
        usable.append((cand, rows, names))
    # prefer different shapes: greedily take the query adding the most new features
    picked: list[int] = []
    covered: set[str] = set()
    while len(picked) < MAX_EXERCISES and len(picked) < len(usable):
        best, gain = None, -1
        for k, (cand, _rows, _names) in enumerate(usable):
            if k in picked:
                continue
            g = len(_shape(cand.info) - covered)
            if g > gain:
                best, gain = k, g
        picked.append(best)
        covered |= _shape(usable[best][0].info)
    exercises = []
    for k in sorted(picked):
        cand, rows, names = usable[k]
        ex = _exercise(doc, cand, data)
        if ex is not None:
            exercises.append(ex)
    return exercises


def _tables_of(info: SelectInfo, schema: Schema) -> list[str]:
    keys: list[str] = []
    for part in _all_infos(info):
        for table, _alias in part.tables:
            key = table.lower()
            if key in schema.tables and key not in keys:
                keys.append(key)
    return keys


def _exercise(doc: Document, cand: Candidate, data: SampleData) -> Exercise | None:
    keys = _tables_of(cand.info, data.schema)
    if not keys:
        return None
    scripts = [table_script(data, key) for key in _parents_first(data, keys)]
    setup = setup_code(scripts)
    # expected result, from exactly the database the setup makes
    ns: dict = {}
    exec(compile(setup, "<setup>", "exec"), ns)  # noqa: S102 (the setup we generated)
    conn: sqlite3.Connection = ns[DB]
    try:
        cur = conn.execute(cand.sql)
        rows = cur.fetchall()
        names = [d[0] for d in cur.description]
        previews = {key: _preview(conn, data.schema.tables[key]) for key in keys}
    except (sqlite3.Error, sqlite3.Warning):
        return None
    finally:
        conn.close()
    if not rows:
        return None
    ordered = "order" in cand.info.features and _order_is_determined(setup, cand.sql)
    task, origin = _task_words(cand)
    title = "Write the query"
    if task and origin == "comment" and len(task) <= 60:
        title = f"Write the query: {task}"
    elif cand.section:
        title = f"Write the query: {_plain(cand.section)}"
    prompt = _prompt(cand, data, keys, previews, rows, names, ordered, task)
    return Exercise(
        kind="query",
        title=title,
        prompt=prompt,
        starter='query = """\n-- your SQL here\n"""\n',
        solution=f"query = {_py_string(cand.sql)}\n",
        check=check_code(rows, len(names), ordered),
        section=cand.section,
        setup=setup,
    )


def _order_is_determined(setup: str, sql: str) -> bool:
    """Whether ORDER BY fixes the order of every row: no two rows share their sort keys
    (ties an engine, or the learner's equivalent query, may order either way)."""
    keys_sql = _sort_keys_query(sql)
    if keys_sql is None:
        return False
    ns: dict = {}
    exec(compile(setup, "<setup>", "exec"), ns)  # noqa: S102 (the setup we generated)
    conn = ns[DB]
    try:
        keys = conn.execute(keys_sql).fetchall()
    except (sqlite3.Error, sqlite3.Warning):
        return False
    finally:
        conn.close()
    return len(set(keys)) == len(keys)


def _sort_keys_query(sql: str) -> str | None:
    """The query with its select list replaced by its ORDER BY expressions (None if not simple)."""
    toks = [t for t in tokenize(sql) if t.kind != "comment" and t.text != ";"]
    if not toks or toks[0].up != "SELECT":
        return None
    depth = 0
    marks: dict[str, int] = {}
    for k, t in enumerate(toks):
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        elif depth == 0 and t.up in ("FROM", "ORDER", "LIMIT", "UNION", "INTERSECT", "EXCEPT"):
            marks.setdefault(t.up, k)
    if any(w in marks for w in ("UNION", "INTERSECT", "EXCEPT")) or "FROM" not in marks or "ORDER" not in marks:
        return None
    select = _split_top(toks[1:marks["FROM"]])
    if select and select[0] and select[0][0].up in ("DISTINCT", "ALL"):
        select[0] = select[0][1:]
    exprs: list[str] = []
    aliases: dict[str, str] = {}
    for item in select:
        if not item:
            return None
        body = item
        if len(item) >= 2 and item[-2].up == "AS":
            aliases[item[-1].name.lower()] = sql[item[0].start:item[-3].end]
            body = item[:-2]
        exprs.append(sql[body[0].start:body[-1].end])
    end = marks.get("LIMIT", len(toks))
    keys = []
    order = []
    for item in _split_top(toks[marks["ORDER"] + 2:end]):
        direction = " ".join(t.up for t in item if t.up in ("ASC", "DESC", "NULLS", "FIRST", "LAST"))
        item = [t for t in item if t.up not in ("ASC", "DESC", "NULLS", "FIRST", "LAST")]
        if not item:
            return None
        text = sql[item[0].start:item[-1].end]
        if len(item) == 1 and item[0].kind == "number":
            n = int(item[0].text)
            if not 1 <= n <= len(exprs):
                return None
            text = exprs[n - 1]
        elif len(item) == 1 and item[0].name.lower() in aliases:
            text = aliases[item[0].name.lower()]
        keys.append(text)
        order.append(f"{text} {direction}".strip())
    rest = sql[toks[marks["FROM"]].start:toks[marks["ORDER"] - 1].end]
    limit = sql[toks[marks["LIMIT"]].start:toks[-1].end] if "LIMIT" in marks else ""
    return f"SELECT {', '.join(keys)} {rest} ORDER BY {', '.join(order)} {limit}".strip()


def _parents_first(data: SampleData, keys: list[str]) -> list[str]:
    out: list[str] = []
    for key in keys:
        for col in data.schema.tables[key].columns.values():
            if col.ref and col.ref[0] in keys and col.ref[0] != key and col.ref[0] not in out:
                out.append(col.ref[0])
        if key not in out:
            out.append(key)
    return out


def _preview(conn: sqlite3.Connection, spec: TableSpec) -> tuple[list[str], list[tuple], int]:
    cur = conn.execute(f"SELECT * FROM {q(spec.name)}")
    rows = cur.fetchall()
    return [d[0] for d in cur.description], rows[:PREVIEW_ROWS], len(rows)


def _plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text).strip()


def _cell(value: object) -> str:
    if value is None:
        return "NULL"
    return str(value).replace("|", "\\|")


def _describe(info: SelectInfo) -> str:
    """The query's shape in words (for the hint)."""
    feats = _shape(info)
    words = []
    names = {"inner-join": "`INNER JOIN`", "left-join": "`LEFT JOIN`", "right-join": "`RIGHT JOIN`",
             "full-join": "`FULL OUTER JOIN`", "cross-join": "`CROSS JOIN`", "natural-join": "`NATURAL JOIN`",
             "comma-join": "a join", "self-join": "a table joined with itself (two aliases)",
             "subquery": "a subquery", "where": "`WHERE`", "group": "`GROUP BY`", "having": "`HAVING`",
             "aggregate": "an aggregate function", "order": "`ORDER BY`", "limit": "`LIMIT`",
             "distinct": "`DISTINCT`", "union": "`UNION`", "cte": "`WITH`"}
    for key, text in names.items():
        if key in feats:
            words.append(text)
    return ", ".join(words)


def _subquery_conditions(info: SelectInfo) -> list[str]:
    """`x IN (SELECT y FROM t WHERE ...)` and `EXISTS (...)` in words."""
    out = []
    body = info.clauses.get("WHERE", []) + info.clauses.get("HAVING", [])
    for k, t in enumerate(body):
        if t.kind != "sub":
            continue
        sub = info.subqueries[int(t.text.split()[1].rstrip(")"))]
        if not sub.tables:
            continue
        sel = [u for u in sub.clauses.get("SELECT", []) if u.kind == "ident" and u.up not in _KEYWORDS]
        inner = f"`{sub.tables[0][0]}`"
        conds = _conditions(sub)
        where = (" where " + _and(conds)) if conds else ""
        if k >= 2 and body[k - 1].up == "IN" and body[k - 2].kind == "ident":
            neg = " not" if k >= 3 and body[k - 2].up == "NOT" else ""
            what = f"`{sel[-1].name}` values" if sel else "values"
            col = body[k - 2].name if body[k - 2].up != "NOT" else body[k - 3].name
            out.append(f"`{col}` is{neg} among the {what} of {inner}{where}")
        elif k >= 1 and body[k - 1].up == "EXISTS":
            neg = " no" if k >= 2 and body[k - 2].up == "NOT" else " a"
            out.append(f"there is{neg} matching row in {inner}{where}")
    return out


def _conditions(info: SelectInfo) -> list[str]:
    out = []
    for part in [info]:
        for table, col, op, value in part.literals:
            if op == "GROUP":
                continue
            spoken = {"=": "is", "<>": "is not", "!=": "is not", "<": "is below", ">": "is above",
                      "<=": "is at most", ">=": "is at least", "LIKE": "matches the pattern"}[op]
            if isinstance(value, str) and _parse_date(value) and op in ("<", ">", "<=", ">="):
                spoken = {"<": "is before", ">": "is after", "<=": "is on or before", ">=": "is on or after"}[op]
            text = f"`{col}` {spoken} {sql_literal(value)}"
            if text not in out:
                out.append(text)
    return out


def _prompt(cand: Candidate, data: SampleData, keys: list[str], previews: dict, rows: list[tuple],
            names: list[str], ordered: bool, task: str) -> str:
    parts = []
    where = f" in *{_plain(cand.section)}*" if cand.section else ""
    precise = _structural(cand.info, names) + "."
    if task:
        parts.append(f"**{task}.** Write the tutorial's query{where} yourself, for the sample database "
                     f"`{DB}` below (made by the folded setup cell), as one SQLite query in the string `query`: "
                     + precise[0].lower() + precise[1:])
    else:
        parts.append(f"**{precise}** Write the tutorial's query{where} yourself, for the sample database "
                     f"`{DB}` below (made by the folded setup cell), as one SQLite query in the string `query`.")
    cols = ", ".join(f"`{n}`" for n in names)
    order = "in the order the task asks for" if ordered else "in any order"
    parts.append(f"Your result should have **{len(names)} column{'s' if len(names) != 1 else ''}** ({cols}; "
                 f"their names don't matter, their order does) and **{len(rows)} row{'s' if len(rows) != 1 else ''}**, "
                 f"{order}.")
    lines = ["| Table | Columns |", "|---|---|"]
    for key in keys:
        spec = data.schema.tables[key]
        cells = []
        for col in spec.columns.values():
            c = f"`{col.name}`"
            if col.pk:
                c += " (key)"
            if col.ref:
                c += f" → `{data.schema.tables[col.ref[0]].name}.{col.ref[1]}`"
            cells.append(c)
        lines.append(f"| `{spec.name}` | {', '.join(cells)} |")
    parts.append("The sample database:\n\n" + "\n".join(lines))
    for key in keys:
        header, prev, total = previews[key]
        table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        table += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in prev]
        parts.append(f"First {len(prev)} of {total} rows of `{data.schema.tables[key].name}`:\n\n" + "\n".join(table))
    hint = _describe(cand.info)
    if hint:
        parts.append(f"Hint: the tutorial's query uses {hint}.")
    return "\n\n".join(parts)


def check_code(rows: list[tuple], ncols: int, ordered: bool) -> str:
    """The check cell: runs `query` on the sample database, compares digests of the result set."""
    n = len(rows)
    lines = [
        RESULT_HELPERS,
        "import sqlite3 as _sqlite3",
        "",
        'assert isinstance(query, str) and query.strip(), "Put your SQL in the string `query` first."',
        "try:",
        f"    _cursor = {DB}.execute(query)",
        "    _rows = _cursor.fetchall()",
        "except (_sqlite3.Error, _sqlite3.Warning) as _err:",
        '    raise AssertionError(f"Your query failed: {_err}. Check it against the tables and columns above '
        '(one statement only).") from None',
        'assert _cursor.description is not None, "Your query returns no table yet: write a SELECT statement in `query`."',
        f"assert len(_cursor.description) == {ncols}, "
        f"f\"Your result has {{len(_cursor.description)}} column(s); the task asks for {ncols}.\"",
        f"assert len(_rows) == {n}, f\"Your result has {{len(_rows)}} row(s); the expected result has {n}.\"",
        f"assert _rows_digest(_rows, False) == {rows_digest(rows, False)!r}, "
        "\"The right number of rows and columns, but not the expected values: "
        "check your join, your conditions and the columns you select.\"",
    ]
    if ordered:
        lines.append(
            f"assert _rows_digest(_rows, True) == {rows_digest(rows, True)!r}, "
            "\"The right rows, but not in the expected order: check your ORDER BY.\""
        )
    lines.append(f"print(\"✅ Your query returns the expected result ({n} row{'s' if n != 1 else ''}).\")")
    return "\n".join(lines) + "\n"
