"""The sample database: deterministic rows for a schema, and its SQL.

Rows are designed so a tutorial's lessons show (a parent without children, an
orphan row, groups of different sizes, values some rows match and some don't).
All of it is made from the tutorial's text: nothing here runs SQL (the
notebook's setup cell does, in the sandbox). Also the result comparison the
notebook's check cell uses.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from sqlglot import exp

from . import sql_tree
from .sample_schema import Column, Contribution, Schema, TableSpec, _singular, finalize_schema
from .sql_tree import parse

DB = "sample_db"

# --------------------------------------------------------------------------------------
# Comparing result sets: the same source runs here (in tests) and in the notebook's check cell.

RESULT_HELPERS = '''\
import hashlib as _hashlib
import itertools as _itertools

def _canon(value):
    if isinstance(value, float):
        value = round(value, 6)
        if value == int(value):
            value = int(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        value = bytes(value).hex()
    return value

def _rows_digest(rows, ordered):
    lines = [repr(tuple(_canon(v) for v in row)) for row in rows]
    if not ordered:
        lines.sort()
    return _hashlib.sha256("\\n".join(lines).encode()).hexdigest()[:16]

def _tie_groups(expected, keys):
    # keys: the ORDER BY values of the expected rows, in order. Rows that tie on them may
    # come in either order (the engine, or an equivalent query, decides): each run of ties
    # is kept as its size and the digest of its rows in any order.
    groups, start = [], 0
    for _key, tied in _itertools.groupby(keys):
        end = start + len(list(tied))
        groups.append([end - start, _rows_digest(expected[start:end], False)])
        start = end
    return groups

def _in_tie_groups(rows, groups):
    start = 0
    for size, digest in groups:
        if _rows_digest(rows[start:start + size], False) != digest:
            return False
        start += size
    return True

def _same_order(rows, expected, keys):
    return _in_tie_groups(rows, _tie_groups(expected, keys))
'''

_helpers: dict = {}
exec(compile(RESULT_HELPERS, "<query result helpers>", "exec"), _helpers)  # noqa: S102 (our own source)
rows_digest = _helpers["_rows_digest"]
"""`rows_digest(rows, ordered)`: digest of a result set (order-insensitive unless `ordered`)."""
same_order = _helpers["_same_order"]
"""`same_order(rows, expected, keys)`: whether `rows` come in the order of `expected`, ties aside."""


# --------------------------------------------------------------------------------------
# Building the sample database


def _words(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ")
    return [w.lower() for w in spaced.split()]


_PEOPLE = [("Alice", "Smith"), ("Bob", "Johnson"), ("Carol", "Lee"), ("David", "Garcia"), ("Eve", "Brown"),
           ("Frank", "Patel"), ("Grace", "Kim"), ("Henry", "Novak")]
_POOLS = {
    "color": ["Red", "Green", "Blue", "Black", "White", "Yellow"],
    "colour": ["Red", "Green", "Blue", "Black", "White", "Yellow"],
    "size": ["S", "M", "L", "XL", "XXL", "XS"],
    "department": ["Sales", "Engineering", "Marketing", "Support", "Finance", "Legal"],
    "dept": ["Sales", "Engineering", "Marketing", "Support", "Finance", "Legal"],
    "product": ["Coffee Machine", "Grinder", "Kettle", "Mug", "Espresso Beans", "Milk Frother"],
    "item": ["Coffee Machine", "Grinder", "Kettle", "Mug", "Espresso Beans", "Milk Frother"],
    "category": ["Kitchen", "Office", "Garden", "Books", "Toys", "Sports"],
    "city": ["London", "Berlin", "Tokyo", "Paris", "Toronto", "Madrid"],
    "location": ["London", "Berlin", "Tokyo", "Paris", "Toronto", "Madrid"],
    "country": ["UK", "Germany", "Japan", "France", "Canada", "Spain"],
    "status": ["pending", "delivered", "cancelled", "processing", "returned", "on hold"],
    "role": ["admin", "editor", "viewer", "owner", "guest", "analyst"],
    "title": ["Getting Started with SQL", "Indexing 101", "Joins Explained", "Query Tuning",
              "Normalization Basics", "Backups Made Easy"],
    "content": ["An introduction to relational databases.", "How indexes speed up lookups.",
                "Combining tables with joins.", "Reading execution plans.", "Designing tables well.",
                "Keeping data safe."],
    "address": ["12 Oak Street", "7 Elm Road", "31 Pine Avenue", "5 Maple Lane", "88 Cedar Court", "19 Birch Way"],
    "phone": ["555-0101", "555-0102", "555-0103", "555-0104", "555-0105", "555-0106"],
}
for _alias, _key in (("body", "content"), ("description", "content"), ("text", "content"), ("comment", "content"),
                     ("state", "status"), ("name", "")):
    if _key:
        _POOLS[_alias] = _POOLS[_key]
_PEOPLE_TABLES = {"user", "customer", "employee", "person", "people", "member", "author", "student", "staff",
                  "client", "manager", "account", "teacher", "patient", "player"}
_UNIQUE_WORDS = {"name", "username", "email", "title", "code", "login", "handle", "slug", "phone", "address"}


def _column_kind(table: TableSpec, col: Column) -> str:
    words = _words(col.name)
    if col.pk:
        return "pk"
    if col.ref:
        return "self" if col.ref[0] == table.name.lower() else "fk"
    if col.date or words[-1] in ("date", "at", "time", "timestamp", "created", "updated", "modified", "on") \
            or "date" in words:
        return "date"
    if col.type == "REAL" or words[-1] in ("price", "amount", "total", "cost", "salary", "balance", "revenue", "fee"):
        return "real"
    if col.type == "INTEGER" or words[-1] in ("id", "quantity", "qty", "count", "stock", "age", "year", "rating",
                                             "score", "number", "views", "level", "rank", "priority"):
        return "int"
    return "text"


def _text_values(table: TableSpec, col: Column, n: int, offset: int) -> list[str]:
    words = _words(col.name)
    twords = _words(table.name)
    tsing = _singular(twords[-1]) if twords else ""
    people = (_PEOPLE * 3)[offset % len(_PEOPLE):offset % len(_PEOPLE) + n]
    if len(words) == 1 and words[0] in ("username", "login", "handle", "nickname"):
        return [(f[0] + l).lower() for f, l in people]
    if words[-1] in ("email", "mail"):
        return [f"{(f[0] + l).lower()}@example.com" for f, l in people]
    if "first" in words and words[-1] == "name":
        return [f for f, _ in people]
    if "last" in words and words[-1] == "name":
        return [l for _, l in people]
    for w in words + ([tsing] if words[-1] in ("name", "title", "label") else []):
        if w in _POOLS and w != "name":
            pool = _POOLS[w]
            return [pool[k % len(pool)] for k in range(n)]
        if _singular(w) in _POOLS:
            pool = _POOLS[_singular(w)]
            return [pool[k % len(pool)] for k in range(n)]
    if words[-1] == "name" and (tsing in _PEOPLE_TABLES or any(w in _PEOPLE_TABLES for w in words)):
        return [f"{f} {l}" for f, l in people]
    if words[-1] == "name":
        return [f"{table.name[:1].upper()}{_singular(table.name)[1:]} {k + 1}" for k in range(n)]
    return [f"{col.name} {k + 1}" for k in range(n)]


def _parse_date(value: object) -> _dt.datetime | None:
    if not isinstance(value, str):
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return _dt.datetime.strptime(value, fmt)
        except ValueError:
            pass
    return None


_GROUPS = [0, 1, 0, 2, 1, 0, 3, 2]
"""Which value a grouped column's k-th row takes: groups of different sizes (3, 2, 1...)."""


def _values(table: TableSpec, col: Column, kind: str, n: int, literals: list[tuple[str, object]],
            ids: dict[str, list], offset: int) -> list:
    eq = [v for op, v in literals if op == "="]
    grouped = any(op == "GROUP" for op, _v in literals)
    like = [v for op, v in literals if op == "LIKE"]
    ranged = [v for op, v in literals if op in ("<", ">", "<=", ">=", "<>", "!=")]
    words = _words(col.name)
    if kind == "pk":
        if col.type == "TEXT":
            return [f"{_singular(table.name)[:1].upper()}{k + 1:03d}" for k in range(n)]
        return list(range(1, n + 1))
    if kind == "self":
        return [None] + [ids[table.name.lower()][(k - 1) // 2] for k in range(1, n)]
    if kind == "fk":
        parents = ids.get(col.ref[0], [])
        if not parents:
            return list(range(1, n + 1))
        usable = parents[:-1] or parents  # the last parent has no children
        pattern = [0, 1, 0, 2, 1, 3, 2, 4]
        vals: list = [usable[pattern[k % len(pattern)] % len(usable)] for k in range(n)]
        if not col.not_null and n >= 4:
            vals[-1] = None  # an orphan row (no matching parent)
        return vals
    if kind == "date":
        dates = [d for d in (_parse_date(v) for v in eq + ranged) if d]
        with_time = any(w in ("at", "time", "timestamp") for w in words) or any(
            isinstance(v, str) and len(v) > 10 for v in eq + ranged)
        if dates:
            lo = min(dates) - _dt.timedelta(days=150)
            hi = max(dates) + _dt.timedelta(days=150)
        else:
            lo, hi = _dt.datetime(2023, 1, 9), _dt.datetime(2023, 12, 11)
        step = (hi - lo) / max(n - 1, 1)
        vals = []
        for k in range(n):
            d = lo + step * k + _dt.timedelta(hours=9 + 2 * k, minutes=15 * k)
            vals.append(d.strftime("%Y-%m-%d %H:%M:%S") if with_time else d.strftime("%Y-%m-%d"))
        for k, v in enumerate(v for v in eq if isinstance(v, str)):
            vals[(2 * k + 1) % n] = v
        _boundaries(vals, [v for v in ranged if isinstance(v, str) and _parse_date(v)])
        return sorted(vals)
    if kind in ("int", "real"):
        if kind == "real":
            base = [19.99, 249.0, 54.5, 5.25, 120.0, 899.99, 12.75, 64.0]
            if any(w in ("salary",) for w in words):
                base = [52000.0, 61000.0, 75000.0, 48000.0, 93000.0, 67000.0, 58000.0, 81000.0]
        elif any(w in ("year",) for w in words):
            base = [2019, 2021, 2022, 2023, 2024, 2020, 2018, 2025]
        elif any(w.startswith("is") or w in ("active", "enabled", "flag") for w in words):
            base = [1, 0, 1, 1, 0, 1, 0, 1]
        else:
            base = [3, 12, 7, 25, 1, 18, 9, 30]
        if ranged:
            r = [v for v in ranged if isinstance(v, (int, float))]
            if r:
                lo, hi = min(r), max(r)
                span = (hi - lo) or max(abs(hi), 1)
                base = [lo - span / 2 + span * 2 * k / max(n - 1, 1) for k in range(n)]
                base = [round(b, 2) if kind == "real" else int(round(b)) for b in base]
        vals = [base[_GROUPS[k % len(_GROUPS)] if grouped else k % len(base)] for k in range(n)]
        for k, v in enumerate(v for v in eq if isinstance(v, (int, float))):
            vals[(2 * k + 1) % n] = v
        _boundaries(vals, [v for v in ranged if isinstance(v, int) or (kind == "real" and isinstance(v, float))])
        return vals
    # text
    vals = _text_values(table, col, n, offset)
    if grouped:
        vals = [vals[_GROUPS[k % len(_GROUPS)]] for k in range(n)]
    texts = [v for v in eq if isinstance(v, str)]
    unique = bool(col.unique or col.pk or set(words) & _UNIQUE_WORDS)
    if texts:
        vals = [v for v in vals if v not in texts] + vals  # keep the rest free of the literals
        vals = vals[:n]
        if unique:
            for k, v in enumerate(texts):
                vals[(1 + 2 * k) % n] = v
        else:
            for k in range(0, n, 2):
                vals[k] = texts[(k // 2) % len(texts)]
    for k, pattern in enumerate(like):
        if isinstance(pattern, str):
            sample = pattern.replace("%", " sample ").replace("_", "x").strip() or "sample"
            vals[(3 + 2 * k) % n] = " ".join(sample.split())
    return vals


def _boundaries(vals: list, bounds: list) -> None:
    """Rows whose value is exactly a bound the query compares with (`created_at >= '2023-01-01'`):
    only they tell `>=` from `>`, a typical slip a check must catch. Slots 0, 2, 4...: the
    equality literals took the odd ones."""
    for k, bound in enumerate(dict.fromkeys(bounds)):
        if 2 * k < len(vals):
            vals[2 * k] = bound


def _row_count(table: TableSpec, kinds: dict[str, str], referenced: bool, grouped: bool = False) -> int:
    if "self" in kinds.values() or grouped:
        return 6
    if "fk" in kinds.values():
        return 6
    if referenced:
        return 5
    if "pk" not in kinds.values() and all(k == "text" for k in kinds.values()) and len(kinds) <= 2:
        return 4
    return 5


@dataclass
class SampleData:
    schema: Schema
    kinds: dict[str, dict[str, str]]  # table -> column key -> kind
    rows: dict[str, list[tuple]]  # table key -> rows


def fill(schema: Schema, literals: list[tuple[str, str, str, object]]) -> SampleData:
    lits: dict[tuple[str, str], list[tuple[str, object]]] = {}
    for t, c, op, v in literals:
        lits.setdefault((t.lower(), c.lower()), []).append((op, v))
    kinds = {key: {ck: _column_kind(spec, col) for ck, col in spec.columns.items()}
             for key, spec in schema.tables.items()}
    referenced = {col.ref[0] for spec in schema.tables.values() for col in spec.columns.values()
                  if col.ref and col.ref[0] != spec.name.lower()}
    # parents first
    order: list[str] = []

    def visit(key: str, seen: tuple = ()) -> None:
        if key in order or key in seen:
            return
        for col in schema.tables[key].columns.values():
            if col.ref and col.ref[0] != key and col.ref[0] in schema.tables:
                visit(col.ref[0], seen + (key,))
        order.append(key)

    for key in sorted(schema.tables):
        visit(key)
    ids: dict[str, list] = {}
    rows: dict[str, list[tuple]] = {}
    people = 0
    for key in order:
        spec = schema.tables[key]
        offset = 3 * people
        if _singular(_words(spec.name)[-1] if _words(spec.name) else "") in _PEOPLE_TABLES:
            people += 1
        grouped = any(op == "GROUP" for (t, _c), ops in lits.items() if t == key for op, _v in ops)
        n = _row_count(spec, kinds[key], key in referenced, grouped)
        columns: list[list] = []
        pk_vals: list | None = None
        for ck, col in spec.columns.items():
            if kinds[key][ck] == "pk":
                pk_vals = _values(spec, col, "pk", n, [], ids, offset)
        ids[key] = pk_vals or list(range(1, n + 1))
        for ck, col in spec.columns.items():
            columns.append(_values(spec, col, kinds[key][ck], n, lits.get((key, ck), []), ids, offset))
        names = [col.name.lower() for col in spec.columns.values()]
        if "username" in names and "email" in names:  # jdoe -> jdoe@example.com
            u, e = names.index("username"), names.index("email")
            given = {v for _op, v in lits.get((key, "email"), [])}
            derived = [w if w in given or not isinstance(v, str) else f"{v}@example.com"
                       for v, w in zip(columns[u], columns[e])]
            # not when grouping repeats the usernames and the emails are unique
            if not spec.columns[names[e]].unique or len(set(derived)) == len(derived):
                columns[e] = derived
        rows[key] = [tuple(c[k] for c in columns) for k in range(n)]
    return SampleData(schema, kinds, rows)


_SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_RESERVED = {"ORDER", "GROUP", "SELECT", "FROM", "WHERE", "TABLE", "INDEX", "KEY", "PRIMARY", "REFERENCES",
             "DEFAULT", "CHECK", "UNIQUE", "VALUES", "SET", "TO", "AS", "IN", "IS", "BY", "ON", "JOIN", "LIMIT",
             "NULL", "NOT", "AND", "OR", "CASE", "WHEN", "THEN", "ELSE", "END", "ALL", "UNION", "TRANSACTION"}


def q(name: str) -> str:
    if _SAFE_NAME.fullmatch(name) and name.upper() not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def sql_literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _column_type(col: Column, kind: str) -> str:
    if col.type:
        return col.type
    return {"pk": "INTEGER", "fk": "INTEGER", "self": "INTEGER", "int": "INTEGER", "real": "REAL"}.get(kind, "TEXT")


def table_script(data: SampleData, key: str) -> str:
    spec = data.schema.tables[key]
    defs = []
    for ck, col in spec.columns.items():
        kind = data.kinds[key][ck]
        d = f"    {q(col.name)} {_column_type(col, kind)}"
        if col.pk:
            d += " PRIMARY KEY"
        if col.not_null and not col.pk:
            d += " NOT NULL"
        if col.unique and not col.pk:
            d += " UNIQUE"
        if col.ref:
            target = data.schema.tables[col.ref[0]]
            d += f" REFERENCES {q(target.name)}({q(col.ref[1])})"
        defs.append(d)
    names = ", ".join(q(col.name) for col in spec.columns.values())
    values = ",\n".join("    (" + ", ".join(sql_literal(v) for v in row) + ")" for row in data.rows[key])
    lines = [f"CREATE TABLE {q(spec.name)} (", ",\n".join(defs), ");",
             f"INSERT INTO {q(spec.name)} ({names}) VALUES\n{values};"]
    return "\n".join(lines)


def _py_string(text: str) -> str:
    """A Python string literal for `text`, triple-quoted when that is safe."""
    if '"""' not in text and "\\" not in text and not text.endswith('"'):
        return '"""\n' + text + '\n"""'
    return repr("\n" + text + "\n")


def setup_code(scripts: list[str]) -> str:
    script = "\n\n".join(scripts)
    return (
        "import sqlite3\n\n"
        "# A small sample database for the exercise (in memory, read-only once filled).\n"
        f"{DB} = sqlite3.connect(\":memory:\")\n"
        f"{DB}.executescript({_py_string(script)})\n"
        f"{DB}.execute(\"PRAGMA query_only = ON\")\n"
    )


# --------------------------------------------------------------------------------------
# The database for a tutorial


def _build(schema: Schema, contribs: list[Contribution], declared: set[str]) -> SampleData:
    work = Schema()
    for key in declared:
        src = schema.tables[key]
        work.tables[key] = TableSpec(src.name, {k: Column(**vars_col(c)) for k, c in src.columns.items()},
                                     True, list(src.inserts))
    for key, spec in schema.tables.items():
        if key not in work.tables and spec.inserts:
            work.table(spec.name).inserts = list(spec.inserts)
    finalize_schema(work, contribs)
    # drop empty tables (no column known)
    for key in [k for k, spec in work.tables.items() if not spec.columns]:
        del work.tables[key]
    literals = [lit for c in contribs for lit in c.literals]
    data = fill(work, literals)
    # the tutorial's own rows replace the generated ones, when its INSERTs are plain rows
    for key, spec in work.tables.items():
        rows = inserted_rows(spec)
        if rows:
            data.rows[key] = rows
    return data


def vars_col(c: Column) -> dict:
    return {"name": c.name, "type": c.type, "pk": c.pk, "not_null": c.not_null, "unique": c.unique,
            "ref": c.ref, "date": c.date}


_NOT_LITERAL = object()


def inserted_rows(spec: TableSpec) -> list[tuple] | None:
    """The rows the tutorial's INSERT statements put in the table, read from their literals.

    None when a statement is more than rows of literals for known columns (a function
    call, DEFAULT, a subquery, a column the table lacks) or breaks the table's
    constraints (a missing NOT NULL value, a repeated key): SQLite would refuse it,
    so the generated rows stay.
    """
    keys = list(spec.columns)
    rows: list[tuple] = []
    for text in spec.inserts:
        tree = parse(text)
        if not isinstance(tree, exp.Insert) or not isinstance(tree.expression, exp.Values):
            return None
        target = tree.this  # INSERT INTO name (columns) VALUES ... names its columns
        names = [name.lower() for name in sql_tree.names(target)] if isinstance(target, exp.Schema) else keys
        if any(n not in spec.columns for n in names):
            return None
        for row in tree.expression.expressions:
            values = [_insert_value(item) for item in (row.expressions if isinstance(row, exp.Tuple) else [row])]
            if len(values) != len(names) or any(v is _NOT_LITERAL for v in values):
                return None
            given = dict(zip(names, values))
            rows.append(tuple(given.get(k) for k in keys))
    return _constrained(spec, rows) if rows else None


def _insert_value(node: exp.Expression) -> object:
    """The value a literal in VALUES stands for; _NOT_LITERAL for anything else."""
    sign = 1
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        sign, node = -1, node.this
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Boolean):
        return int(node.this)
    if isinstance(node, exp.Literal) and node.is_string:
        return node.this
    if isinstance(node, exp.Literal):
        try:
            number = float(node.this) if any(c in node.this for c in ".eE") else int(node.this)
        except ValueError:  # a number Python does not read the same way
            return _NOT_LITERAL
        return sign * number
    return _NOT_LITERAL


def _constrained(spec: TableSpec, rows: list[tuple]) -> list[tuple] | None:
    """The rows as SQLite stores them (an INTEGER PRIMARY KEY left out is numbered), None if refused."""
    columns = list(spec.columns.values())
    for k, col in enumerate(columns):
        values = [row[k] for row in rows]
        if col.pk and col.type == "INTEGER" and None in values:
            numbered, top = [], max((v for v in values if isinstance(v, int)), default=0)
            for v in values:
                if v is None:
                    top += 1
                    v = top
                numbered.append(v)
            rows = [row[:k] + (v,) + row[k + 1:] for row, v in zip(rows, numbered)]
            values = numbered
        if (col.not_null or col.pk) and None in values:
            return None
        keyed = [repr(v) for v in values if v is not None]  # UNIQUE lets NULLs repeat
        if (col.pk or col.unique) and len(set(keyed)) < len(keyed):
            return None
    return rows
