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

import datetime as _dt
import re
import sqlite3
from dataclasses import dataclass, field

from converter.document import CodeBlock, Document, Exercise, Heading, Paragraph

MAX_EXERCISES = 3
PREVIEW_ROWS = 3
DB = "sample_db"

# --------------------------------------------------------------------------------------
# Result digests: the same source runs here and in the notebook's check cell.

RESULT_HELPERS = '''\
import hashlib as _hashlib

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
'''

_helpers: dict = {}
exec(compile(RESULT_HELPERS, "<query result helpers>", "exec"), _helpers)  # noqa: S102 (our own source)
rows_digest = _helpers["_rows_digest"]
"""`rows_digest(rows, ordered)`: digest of a result set (order-insensitive unless `ordered`)."""

# --------------------------------------------------------------------------------------
# Tokens and statements

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>--[^\n]*|\#[^\n]*|/\*.*?\*/)
  | (?P<string>'(?:[^']|'')*')
  | (?P<dquote>"(?:[^"]|"")*")
  | (?P<btick>`[^`]*`)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<op>->>|->|<=|>=|<>|!=|\|\||::|[(),.;*=<>+\-/%|])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Tok:
    kind: str  # comment, string, dquote, ident, number, op, other
    text: str
    start: int
    end: int
    line: int

    @property
    def up(self) -> str:
        return self.text.upper() if self.kind == "ident" else self.text

    @property
    def name(self) -> str:
        """Identifier text without quoting."""
        if self.kind == "btick":
            return self.text[1:-1]
        return self.text


def tokenize(sql: str) -> list[Tok]:
    toks: list[Tok] = []
    line = 1
    for m in _TOKEN.finditer(sql):
        kind = m.lastgroup or "other"
        text = m.group()
        if kind != "ws":
            if kind == "btick":  # a MySQL `identifier`: backticks kept, `name` strips them
                toks.append(Tok("ident", text, m.start(), m.end(), line))
            else:
                toks.append(Tok(kind, text, m.start(), m.end(), line))
        line += text.count("\n")
    return toks


def _ident_name(tok: Tok) -> str:
    return tok.text[1:-1] if tok.text.startswith("`") else tok.text


@dataclass
class Statement:
    code: list[Tok]
    """Tokens without comments."""
    comment: str
    """The comment lines right above the statement, joined."""
    text: str
    """The statement's source, with its leading comments and the closing `;`."""
    block: int
    """Index of its CodeBlock in the document's blocks."""

    @property
    def keyword(self) -> str:
        return self.code[0].up if self.code else ""


def split_statements(sql: str, block: int = 0) -> list[Statement]:
    """Statements of a SQL block, each with the comments right above it."""
    out: list[Statement] = []
    toks = tokenize(sql)
    pending: list[Tok] = []  # comments and code of the current statement
    last_end_line = -1
    depth = 0
    for tok in toks:
        if tok.kind == "comment" and not any(t.kind != "comment" for t in pending):
            if tok.line == last_end_line:  # `...; -- note` belongs to the statement before
                continue
        pending.append(tok)
        if tok.kind == "op" and tok.text in "()":
            depth += 1 if tok.text == "(" else -1
        if tok.kind == "op" and tok.text == ";" and depth <= 0:
            out.append(_statement(sql, pending, block))
            pending, depth, last_end_line = [], 0, tok.line
    if any(t.kind != "comment" for t in pending):
        out.append(_statement(sql, pending, block))
    return out


def _statement(sql: str, toks: list[Tok], block: int) -> Statement:
    code = [t for t in toks if t.kind != "comment"]
    first = code[0]
    lead = [t for t in toks if t.kind == "comment" and t.start < first.start]
    # only the comment lines directly above (no blank line between)
    kept: list[Tok] = []
    line = first.line
    for c in reversed(lead):
        if c.line + c.text.count("\n") == line - 1 or (c is lead[-1] and c.line == line):
            kept.insert(0, c)
            line = c.line
        else:
            break
    comment = " ".join(_comment_text(c.text) for c in kept).strip()
    start = kept[0].start if kept else first.start
    end = code[-1].end
    if code[-1].text != ";":
        text = sql[start:end].rstrip() + ";"
    else:
        text = sql[start:end]
    body = [t for t in code if t.text != ";"]
    return Statement(body, comment, text.strip(), block)


def _comment_text(text: str) -> str:
    if text.startswith("/*"):
        text = text[2:-2]
    else:
        text = text.lstrip("-#")
    return " ".join(text.split())


# --------------------------------------------------------------------------------------
# Schema model

@dataclass
class Column:
    name: str
    type: str = ""  # INTEGER, REAL, TEXT, or "" (decided by name)
    pk: bool = False
    not_null: bool = False
    unique: bool = False
    ref: tuple[str, str] | None = None  # (table key, column name)
    date: bool = False


@dataclass
class TableSpec:
    name: str
    columns: dict[str, Column] = field(default_factory=dict)  # key: lower-case name
    declared: bool = False
    inserts: list[str] = field(default_factory=list)  # tutorial INSERT statements

    def column(self, name: str) -> Column:
        key = name.lower()
        if key not in self.columns:
            self.columns[key] = Column(name)
        return self.columns[key]


@dataclass
class Schema:
    tables: dict[str, TableSpec] = field(default_factory=dict)  # key: lower-case name

    def table(self, name: str) -> TableSpec:
        key = name.lower()
        if key not in self.tables:
            self.tables[key] = TableSpec(name)
        return self.tables[key]


_INT_TYPES = ("INT", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "MEDIUMINT", "SERIAL", "BIGSERIAL",
              "BOOLEAN", "BOOL", "BIT", "YEAR")
_REAL_TYPES = ("DECIMAL", "NUMERIC", "FLOAT", "DOUBLE", "REAL", "MONEY")
_DATE_TYPES = ("DATE", "DATETIME", "TIMESTAMP", "TIME", "TIMESTAMPTZ")


def _sqlite_type(words: list[str]) -> tuple[str, bool]:
    """SQLite type affinity for a declared (MySQL/PostgreSQL) type, and whether it holds dates."""
    head = words[0].upper() if words else ""
    if head in _INT_TYPES:
        return "INTEGER", False
    if head in _REAL_TYPES:
        return "REAL", False
    if head in _DATE_TYPES:
        return "TEXT", True
    if head in ("BLOB", "BINARY", "VARBINARY", "BYTEA"):
        return "BLOB", False
    return "TEXT", False


_KEYWORDS = set(["SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE", "ILIKE", "GLOB", "BETWEEN", "EXISTS", "AS", "ON", "USING", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "NATURAL", "GROUP", "BY", "HAVING", "ORDER", "ASC", "DESC", "LIMIT", "OFFSET", "UNION", "ALL", "DISTINCT", "INTERSECT", "EXCEPT", "CASE", "WHEN", "THEN", "ELSE", "END", "TRUE", "FALSE", "WITH", "RECURSIVE", "OVER", "PARTITION", "ROWS", "RANGE", "PRECEDING", "FOLLOWING", "UNBOUNDED", "CURRENT", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "INTERVAL", "DAY", "MONTH", "YEAR", "HOUR", "MINUTE", "SECOND", "COLLATE", "NULLS", "FIRST", "LAST", "ESCAPE", "CAST", "INTO", "VALUES", "SET", "UPDATE", "DELETE", "INSERT", "CREATE", "TABLE", "INDEX", "PRIMARY", "KEY", "FOREIGN", "REFERENCES", "DEFAULT", "UNIQUE", "CHECK", "CONSTRAINT", "AUTO_INCREMENT", "AUTOINCREMENT", "ENGINE", "CHARSET", "EXPLAIN", "ANALYZE", "AGAINST", "MODE", "LANGUAGE", "BOOLEAN", "QUERY", "EXPANSION", "FILTER", "WINDOW", "SOME", "ANY", "RETURNING", "REPLACE", "IGNORE", "FOR", "SHARE"])
_TYPE_WORDS = set(_INT_TYPES + _REAL_TYPES + _DATE_TYPES) | {"TEXT", "CHAR", "VARCHAR", "SIGNED", "UNSIGNED"}
_CLAUSES = {"SELECT", "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "JOIN", "ON", "USING",
            "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL", "OUTER", "UNION", "INTERSECT", "EXCEPT",
            "WINDOW"}


def _singular(word: str) -> str:
    w = word.lower()
    if w.endswith("ies"):
        return w[:-3] + "y"
    if w.endswith(("sses", "xes", "ches", "shes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def _is_own_key(table: str, column: str) -> bool:
    c = column.lower()
    s = _singular(table)
    return c in ("id", s + "id", s + "_id")


# --------------------------------------------------------------------------------------
# Reading statements into the schema


@dataclass
class JoinInfo:
    kind: str  # INNER, LEFT, RIGHT, FULL, CROSS, NATURAL, COMMA
    table: str
    alias: str
    on: list[Tok]


@dataclass
class SelectInfo:
    """What a SELECT statement (one scope, subqueries separate) refers to."""

    tables: list[tuple[str, str]] = field(default_factory=list)  # (table, alias) in order
    joins: list[JoinInfo] = field(default_factory=list)
    columns: list[tuple[str, str]] = field(default_factory=list)  # (table, column), in order of appearance
    bare: list[str] = field(default_factory=list)  # unqualified column names
    equalities: list[tuple[str, str, str, str]] = field(default_factory=list)  # t1, c1, t2, c2
    literals: list[tuple[str, str, str, object]] = field(default_factory=list)  # table, col, op, value
    external: bool = False  # refers to schema-qualified tables (information_schema...)
    subqueries: list[SelectInfo] = field(default_factory=list)
    clauses: dict[str, list[Tok]] = field(default_factory=dict)
    features: set[str] = field(default_factory=set)
    ctes: set[str] = field(default_factory=set)
    select_aliases: set[str] = field(default_factory=set)


def _literal_value(tok: Tok, sign: str = "") -> object:
    if tok.kind == "string":
        return tok.text[1:-1].replace("''", "'")
    if tok.kind == "number":
        text = sign + tok.text
        return float(text) if "." in text else int(text)
    return None


def _matching_paren(toks: list[Tok], i: int) -> int:
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].text == "(":
            depth += 1
        elif toks[j].text == ")":
            depth -= 1
            if depth == 0:
                return j
    return len(toks) - 1


def analyze_select(toks: list[Tok]) -> SelectInfo:
    info = SelectInfo()
    toks = list(toks)
    # WITH name AS (...): CTE names are not tables
    if toks and toks[0].up == "WITH":
        i = 1
        if i < len(toks) and toks[i].up == "RECURSIVE":
            i += 1
        while i < len(toks) and toks[i].kind == "ident":
            info.ctes.add(_ident_name(toks[i]).lower())
            while i < len(toks) and toks[i].text != "(":
                i += 1
            j = _matching_paren(toks, i)
            info.subqueries.append(analyze_select(toks[i + 1:j]))
            i = j + 1
            if i < len(toks) and toks[i].text == ",":
                i += 1
            else:
                break
        toks = toks[i:]
        info.features.add("cte")
    # subqueries: analyse separately, replace with a placeholder
    flat: list[Tok] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.text == "(" and i + 1 < len(toks) and toks[i + 1].up in ("SELECT", "WITH"):
            j = _matching_paren(toks, i)
            sub = analyze_select(toks[i + 1:j])
            info.subqueries.append(sub)
            info.features.add("subquery")
            flat.append(Tok("sub", f"(subquery {len(info.subqueries) - 1})", t.start, toks[j].end, t.line))
            i = j + 1
            continue
        flat.append(t)
        i += 1
    # compound selects: analyse each part in this scope
    parts: list[list[Tok]] = [[]]
    for t in flat:
        if t.up in ("UNION", "INTERSECT", "EXCEPT"):
            info.features.add(t.up.lower())
            parts.append([])
        elif not (t.up == "ALL" and parts[-1] == []):
            parts[-1].append(t)
    for part in parts:
        _analyze_simple(part, info)
    for sub in info.subqueries:
        sub.ctes |= info.ctes
    return info


def _analyze_simple(toks: list[Tok], info: SelectInfo) -> None:
    # split into clauses at depth 0
    clauses: list[tuple[str, list[Tok]]] = []
    depth = 0
    current = "PRE"
    buf: list[Tok] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        if depth == 0 and t.kind == "ident" and t.up in ("SELECT", "FROM", "WHERE", "GROUP", "HAVING", "ORDER",
                                                         "LIMIT", "OFFSET", "WINDOW"):
            clauses.append((current, buf))
            current, buf = t.up, []
            if t.up in ("GROUP", "ORDER") and i + 1 < len(toks) and toks[i + 1].up == "BY":
                i += 1
        else:
            buf.append(t)
        i += 1
    clauses.append((current, buf))
    for name, body in clauses:
        info.clauses.setdefault(name, []).extend(body)

    aliases: dict[str, str] = {}  # alias/table lower -> table name

    def add_table(name_tok: Tok, rest: list[Tok], kind: str) -> int:
        """Register the table at name_tok; return how many tokens of `rest` its alias used."""
        name = _ident_name(name_tok)
        used = 0
        alias = name
        if rest and rest[0].up == "AS" and len(rest) > 1:
            alias, used = _ident_name(rest[1]), 2
        elif rest and rest[0].kind == "ident" and rest[0].up not in _KEYWORDS:
            alias, used = _ident_name(rest[0]), 1
        if name.lower() in info.ctes:
            aliases[alias.lower()] = ""
        else:
            aliases[alias.lower()] = name
            aliases.setdefault(name.lower(), name)
            info.tables.append((name, alias))
        return used

    # FROM clause: table refs and joins
    from_toks = dict(clauses).get("FROM", [])
    i = 0
    kind = "FIRST"
    while i < len(from_toks):
        t = from_toks[i]
        if t.kind == "ident" and t.up not in _KEYWORDS or t.kind == "sub":
            if t.kind == "sub":
                # derived table: alias only
                rest = from_toks[i + 1:]
                used = 0
                if rest and rest[0].up == "AS":
                    used = 2
                elif rest and rest[0].kind == "ident" and rest[0].up not in _KEYWORDS:
                    used = 1
                if used:
                    aliases[_ident_name(rest[used - 1]).lower()] = ""
                i += 1 + used
            else:
                if i + 2 < len(from_toks) and from_toks[i + 1].text == ".":
                    info.external = True  # schema.table
                    i += 3
                    continue
                used = add_table(t, from_toks[i + 1:], kind)
                if kind != "FIRST":
                    info.joins.append(JoinInfo(kind, _ident_name(t), info.tables[-1][1] if info.tables else "", []))
                i += 1 + used
            continue
        if t.text == ",":
            kind = "COMMA"
        elif t.up in ("INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL"):
            kind = t.up
            # NATURAL LEFT JOIN etc.: keep the most telling word
            if t.up == "NATURAL":
                kind = "NATURAL"
        elif t.up == "JOIN":
            if kind in ("FIRST", "COMMA") or (i and from_toks[i - 1].up not in ("INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL", "OUTER")):
                kind = "INNER"
        elif t.up in ("ON", "USING"):
            j = i + 1
            depth = 0
            while j < len(from_toks):
                u = from_toks[j]
                if u.text == "(":
                    depth += 1
                elif u.text == ")":
                    depth -= 1
                if depth == 0 and (u.up in ("JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL") or u.text == ","):
                    break
                j += 1
            cond = from_toks[i:j]
            if info.joins:
                info.joins[-1].on = cond
            if t.up == "USING":
                for u in cond:
                    if u.kind == "ident" and u.up not in _KEYWORDS:
                        info.bare.append(_ident_name(u))
            i = j
            continue
        i += 1

    for j in info.joins:
        info.features.add(j.kind.lower() + "-join" if j.kind != "COMMA" else "comma-join")
    names = [t for t, _ in info.tables]
    if len({n.lower() for n in names}) < len(names):
        info.features.add("self-join")

    # select-list aliases
    sel = dict(clauses).get("SELECT", [])
    for k, t in enumerate(sel):
        if t.up == "AS" and k + 1 < len(sel):
            info.select_aliases.add(_ident_name(sel[k + 1]).lower())
    if sel and sel[0].up == "DISTINCT":
        info.features.add("distinct")
    for name, body in clauses:
        if name in ("WHERE", "GROUP", "HAVING", "ORDER", "LIMIT"):
            info.features.add(name.lower())
    if any(t.up in ("COUNT", "SUM", "AVG", "MIN", "MAX", "GROUP_CONCAT") and k + 1 < len(sel) and sel[k + 1].text == "("
           for k, t in enumerate(sel)):
        info.features.add("aggregate")

    # column references
    scope_tables = [t for t, _ in info.tables]
    for name, body in clauses:
        if name in ("PRE", "FROM", "LIMIT", "OFFSET"):
            if name == "FROM":
                _column_refs([t for t in _on_tokens(body)], aliases, scope_tables, info, where=False)
            continue
        _column_refs(body, aliases, scope_tables, info, where=name in ("WHERE", "HAVING"))
        if name == "GROUP":  # grouped columns need repeated values
            for k, t in enumerate(body):
                if t.kind != "ident" or t.up in _KEYWORDS or (k + 1 < len(body) and body[k + 1].text in ".("):
                    continue
                if k >= 2 and body[k - 1].text == ".":
                    table = aliases.get(body[k - 2].name.lower(), "")
                else:
                    table = scope_tables[0] if len(scope_tables) == 1 else ""
                if table and t.name.lower() not in info.select_aliases:
                    info.literals.append((table, t.name, "GROUP", None))


def _on_tokens(from_toks: list[Tok]) -> list[Tok]:
    """The tokens of ON conditions inside a FROM clause."""
    out: list[Tok] = []
    inside = False
    for t in from_toks:
        if t.up == "ON":
            inside = True
            out.append(Tok("op", ",", t.start, t.end, t.line))
            continue
        if t.up in ("JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL", "USING") or t.text == ",":
            inside = False
        if inside:
            out.append(t)
    return out


_CMP = ("=", "<>", "!=", "<", ">", "<=", ">=")


def _column_refs(body: list[Tok], aliases: dict[str, str], scope: list[str], info: SelectInfo, *, where: bool) -> None:
    refs: list[tuple[int, str, str]] = []  # (index, table or "", column)
    n = len(body)
    k = 0
    while k < n:
        t = body[k]
        if t.kind == "ident" and k + 2 < n and body[k + 1].text == "." and body[k + 2].kind == "ident":
            qual = _ident_name(t).lower()
            col = _ident_name(body[k + 2])
            if qual in aliases:
                if aliases[qual]:
                    refs.append((k, aliases[qual], col))
            k += 3
            continue
        if t.kind == "ident" and k + 2 < n and body[k + 1].text == "." and body[k + 2].text == "*":
            k += 3
            continue
        if t.kind == "ident" and t.up not in _KEYWORDS and t.up not in _TYPE_WORDS:
            prev = body[k - 1] if k else None
            nxt = body[k + 1] if k + 1 < n else None
            name = _ident_name(t)
            if (nxt is not None and nxt.text == "(") or (prev is not None and prev.up == "AS") \
                    or name.lower() in info.select_aliases or name.lower() in aliases:
                k += 1
                continue
            # `a < b` with both bare names in WHERE: b is a placeholder unless known elsewhere
            if where and prev is not None and prev.text in _CMP and k >= 2 and body[k - 2].kind == "ident" \
                    and body[k - 2].up not in _KEYWORDS and not (k >= 3 and body[k - 3].text == "."):
                k += 1
                continue
            refs.append((k, "", name))
        k += 1
    for idx, table, col in refs:
        if table:
            _add(info.columns, (table, col))
        elif len(scope) == 1:
            _add(info.columns, (scope[0], col))
        elif scope:
            info.bare.append(col)
    if not scope:
        return
    # equalities between columns (keys) and comparisons with literals (sample values)
    by_index = {idx: (table or (scope[0] if len(scope) == 1 else ""), col) for idx, table, col in refs}

    def ref_at(pos: int) -> tuple[str, str] | None:
        """The column reference ending at token `pos`."""
        if pos in by_index:
            return by_index[pos]
        if pos - 2 in by_index and body[pos - 1].text == ".":
            return by_index[pos - 2]
        return None

    for k, t in enumerate(body):
        if t.text in _CMP and k > 0:
            left = ref_at(k - 1)
            right = ref_at(k + 1) if k + 1 < n else None
            if right is None and k + 3 < n and body[k + 2].text == ".":
                right = by_index.get(k + 1)
            if left and right and t.text == "=":
                info.equalities.append((left[0], left[1], right[0], right[1]))
            elif left and k + 1 < n:
                sign = ""
                pos = k + 1
                if body[pos].text == "-" and pos + 1 < n:
                    sign, pos = "-", pos + 1
                value = _literal_value(body[pos], sign)
                if value is not None and left[0]:
                    info.literals.append((left[0], left[1], t.text, value))
        elif t.up in ("LIKE", "IN", "BETWEEN") and k > 0:
            left = ref_at(k - 1)
            if not left or not left[0]:
                continue
            if t.up == "LIKE" and k + 1 < n and body[k + 1].kind == "string":
                info.literals.append((left[0], left[1], "LIKE", _literal_value(body[k + 1])))
            elif t.up == "IN" and k + 1 < n and body[k + 1].text == "(":
                j = _matching_paren(body, k + 1)
                for u in body[k + 2:j]:
                    if u.kind in ("string", "number"):
                        info.literals.append((left[0], left[1], "=", _literal_value(u)))
            elif t.up == "BETWEEN" and k + 3 < n:
                lo, hi = _literal_value(body[k + 1]), _literal_value(body[k + 3])
                if lo is not None and hi is not None:
                    info.literals.append((left[0], left[1], ">=", lo))
                    info.literals.append((left[0], left[1], "<=", hi))


def _add(items: list, item) -> None:
    if item not in items:
        items.append(item)


def _all_infos(info: SelectInfo):
    yield info
    for sub in info.subqueries:
        yield from _all_infos(sub)


@dataclass
class Contribution:
    """What one statement says about the schema."""

    columns: list[tuple[str, str]] = field(default_factory=list)  # (table, column), in order
    tables: list[str] = field(default_factory=list)
    equalities: list[tuple[str, str, str, str]] = field(default_factory=list)
    literals: list[tuple[str, str, str, object]] = field(default_factory=list)
    bare: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    """Unqualified columns of multi-table queries: (the tables in scope, column)."""


def select_contribution(info: SelectInfo) -> Contribution:
    contrib = Contribution()
    for part in _all_infos(info):
        for table, _alias in part.tables:
            _add(contrib.tables, table)
        for item in part.columns:
            _add(contrib.columns, item)
        for col in part.bare:
            if part.tables:
                _add(contrib.bare, (tuple(t for t, _ in part.tables), col))
        contrib.equalities += part.equalities
        contrib.literals += part.literals
    return contrib


def _parse_create_table(stmt: Statement, schema: Schema) -> bool:
    toks = stmt.code
    i = 2
    while i < len(toks) and toks[i].up in ("IF", "NOT", "EXISTS", "TEMPORARY"):
        i += 1
    if i >= len(toks) or toks[i].kind != "ident":
        return False
    if i + 2 < len(toks) and toks[i + 1].text == ".":
        i += 2
    table = schema.table(_ident_name(toks[i]))
    table.declared = True
    try:
        open_ = next(k for k in range(i, len(toks)) if toks[k].text == "(")
    except StopIteration:
        return False
    close = _matching_paren(toks, open_)
    # The column and constraint definitions: the commas at the top level inside the parentheses.
    defs = _split_top(toks[open_ + 1:close])
    for d in defs:
        if not d:
            continue
        head = d[0].up
        if head in ("PRIMARY", "CONSTRAINT", "FOREIGN", "UNIQUE", "KEY", "INDEX", "CHECK", "FULLTEXT", "SPATIAL"):
            words = [t.up for t in d]
            if "PRIMARY" in words or "FOREIGN" in words or (head == "UNIQUE"):
                k = next((m for m, t in enumerate(d) if t.text == "("), None)
                if k is None:
                    continue
                end = _matching_paren(d, k)
                cols = [_ident_name(t) for t in d[k + 1:end] if t.kind == "ident"]
                if "PRIMARY" in words:
                    if len(cols) == 1:
                        table.column(cols[0]).pk = True
                elif "FOREIGN" in words and "REFERENCES" in words:
                    r = words.index("REFERENCES")
                    if r + 1 < len(d):
                        target = _ident_name(d[r + 1])
                        rk = next((m for m in range(r, len(d)) if d[m].text == "("), None)
                        tcols = [_ident_name(t) for t in d[rk + 1:_matching_paren(d, rk)] if t.kind == "ident"] if rk else []
                        if len(cols) == 1 and len(tcols) == 1:
                            table.column(cols[0]).ref = (target.lower(), tcols[0])
                elif head == "UNIQUE" and len(cols) == 1:
                    table.column(cols[0]).unique = True
            continue
        if d[0].kind != "ident":
            continue
        col = table.column(_ident_name(d[0]))
        type_words = [t.text for t in d[1:3] if t.kind == "ident"]
        col.type, col.date = _sqlite_type(type_words)
        words = [t.up for t in d]
        if "PRIMARY" in words:
            col.pk = True
        if "NOT" in words and "NULL" in words[words.index("NOT"):words.index("NOT") + 2]:
            col.not_null = True
        if "UNIQUE" in words:
            col.unique = True
        if "REFERENCES" in words:
            r = words.index("REFERENCES")
            if r + 1 < len(d):
                target = _ident_name(d[r + 1])
                rk = next((m for m in range(r, len(d)) if d[m].text == "("), None)
                tcols = [_ident_name(t) for t in d[rk + 1:_matching_paren(d, rk)] if t.kind == "ident"] if rk else []
                col.ref = (target.lower(), tcols[0] if tcols else "")
    return True


def _paren_columns(toks: list[Tok], start: int) -> list[str]:
    k = next((m for m in range(start, len(toks)) if toks[m].text == "("), None)
    if k is None:
        return []
    end = _matching_paren(toks, k)
    out = []
    depth = 0
    for t in toks[k + 1:end]:
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        elif depth == 0 and t.kind == "ident" and t.up not in ("ASC", "DESC"):
            out.append(_ident_name(t))
    return out


def read_schema_statement(stmt: Statement, schema: Schema, contribs: list[Contribution]) -> None:
    """DDL and DML: add to `schema` (declared tables) or to `contribs` (hints)."""
    toks = stmt.code
    words = [t.up for t in toks[:4]]
    if words[:2] == ["CREATE", "TABLE"] or words[:3] == ["CREATE", "TEMPORARY", "TABLE"]:
        _parse_create_table(stmt, schema)
    elif words[:2] == ["CREATE", "INDEX"] or words[:3] == ["CREATE", "UNIQUE", "INDEX"] \
            or (words[:1] == ["CREATE"] and "INDEX" in words):
        if "ON" in [t.up for t in toks]:
            on = [t.up for t in toks].index("ON")
            if on + 1 < len(toks) and not (on + 2 < len(toks) and toks[on + 2].text == "."):
                table = _ident_name(toks[on + 1])
                c = Contribution(tables=[table])
                c.columns = [(table, col) for col in _paren_columns(toks, on + 1)]
                contribs.append(c)
    elif words[:2] == ["ALTER", "TABLE"] and len(toks) > 3:
        table = _ident_name(toks[2])
        c = Contribution(tables=[table])
        i = 3
        while i < len(toks):
            if toks[i].up == "ADD":
                j = i + 1
                if j < len(toks) and toks[j].up == "COLUMN":
                    j += 1
                if j < len(toks) and toks[j].up in ("INDEX", "KEY", "FULLTEXT", "UNIQUE", "SPATIAL", "PRIMARY", "CONSTRAINT", "FOREIGN"):
                    for col in _paren_columns(toks, j):
                        _add(c.columns, (table, col))
                elif j < len(toks) and toks[j].kind == "ident":
                    _add(c.columns, (table, _ident_name(toks[j])))
            i += 1
        contribs.append(c)
    elif words[:2] == ["INSERT", "INTO"] and len(toks) > 2:
        table = _ident_name(toks[2])
        cols = _paren_columns(toks, 3) if len(toks) > 3 and toks[3].text == "(" else []
        c = Contribution(tables=[table], columns=[(table, col) for col in cols])
        contribs.append(c)
        schema.table(table).inserts.append(stmt.text)


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


@dataclass
class Plan:
    """A column's role in the sample data."""

    table: str
    column: Column
    kind: str  # pk, fk, self, int, real, date, text


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


def finalize_schema(schema: Schema, contribs: list[Contribution]) -> None:
    """Merge the hints into `schema`: tables, columns, keys (by DDL, joins and names)."""
    for c in contribs:
        for t in c.tables:
            schema.table(t)
    # columns, in order of appearance (contribs keep statement order); bare names that
    # another table already has are that table's (resolved by the query, not added here)
    for c in contribs:
        for t, col in c.columns:
            spec = schema.table(t)
            if spec.declared and col.lower() not in spec.columns:
                continue
            spec.column(col)
    for c in contribs:
        for scope, col in c.bare:
            specs = [schema.table(t) for t in scope]
            if not any(col.lower() in spec.columns for spec in specs):
                first = specs[0]
                if not first.declared:
                    first.column(col)
    # keys by name when nothing is declared
    for spec in schema.tables.values():
        if not any(col.pk for col in spec.columns.values()):
            for col in spec.columns.values():
                if _is_own_key(spec.name, col.name):
                    col.pk = True
                    if not col.type:
                        col.type = "INTEGER"
                    break
    for spec in schema.tables.values():
        if not spec.declared:
            spec.columns = dict(sorted(spec.columns.items(), key=lambda kv: not kv[1].pk))
    # keys from join conditions
    for c in contribs:
        for t1, c1, t2, c2 in c.equalities:
            a, b = schema.tables.get(t1.lower()), schema.tables.get(t2.lower())
            if not a or not b or not t1 or not t2:
                continue
            ca, cb = a.columns.get(c1.lower()), b.columns.get(c2.lower())
            if not ca or not cb:
                continue
            if ca.pk and not cb.pk and not cb.ref:
                cb.ref = (a.name.lower(), ca.name)
            elif cb.pk and not ca.pk and not ca.ref:
                ca.ref = (b.name.lower(), cb.name)
    # foreign keys by name: customer_id -> customers.id / customers.customer_id
    singulars = {_singular(spec.name): spec for spec in schema.tables.values()}
    for spec in schema.tables.values():
        for col in spec.columns.values():
            if col.pk or col.ref:
                continue
            m = re.fullmatch(r"(.+?)_?id", col.name, re.IGNORECASE)
            if not m:
                continue
            target = singulars.get(m.group(1).lower().rstrip("_"))
            if target is None:
                continue
            pk = next((c for c in target.columns.values() if c.pk), None)
            if pk is not None:
                col.ref = (target.name.lower(), pk.name)
    for spec in schema.tables.values():
        for col in spec.columns.values():
            if col.ref and col.ref[0] in schema.tables:
                target = schema.tables[col.ref[0]]
                tcol = target.columns.get(col.ref[1].lower()) if col.ref[1] else next(
                    (c for c in target.columns.values() if c.pk), None)
                if tcol is None or not tcol.pk:
                    col.ref = None
                elif not col.type:
                    col.type = tcol.type or "INTEGER"
            else:
                col.ref = None


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
            columns[e] = [w if w in given or not isinstance(v, str) else f"{v}@example.com"
                          for v, w in zip(columns[u], columns[e])]
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
    lines = [f"CREATE TABLE {q(spec.name)} (", ",\n".join(defs), ");"]
    if spec.inserts and data.rows.get(key) is None:
        lines += spec.inserts
    else:
        values = ",\n".join("    (" + ", ".join(sql_literal(v) for v in row) + ")" for row in data.rows[key])
        lines.append(f"INSERT INTO {q(spec.name)} ({names}) VALUES\n{values};")
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
# Candidates and exercises


@dataclass
class Candidate:
    stmt: Statement
    info: SelectInfo
    section: str
    prose: str
    sql: str  # what runs (the tutorial's text)


_SKIP_FIRST = {"SET", "SHOW", "EXPLAIN", "DESCRIBE", "DESC", "USE", "ANALYZE", "OPTIMIZE", "FLUSH", "GRANT",
               "REVOKE", "START", "COMMIT", "ROLLBACK", "BEGIN", "LOCK", "UNLOCK", "CALL", "DROP", "TRUNCATE"}


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
    # tutorial INSERTs replace the generated rows when they run on the schema
    for key, spec in work.tables.items():
        if spec.inserts:
            conn = sqlite3.connect(":memory:")
            try:
                conn.executescript(table_script(data, key).split("\nINSERT INTO")[0] + "\n" + "\n".join(spec.inserts))
                got = conn.execute(f"SELECT * FROM {q(spec.name)}").fetchall()
            except sqlite3.Error:
                got = []
            finally:
                conn.close()
            if got:
                data.rows[key] = None  # type: ignore[assignment]
    return data


def vars_col(c: Column) -> dict:
    return {"name": c.name, "type": c.type, "pk": c.pk, "not_null": c.not_null, "unique": c.unique,
            "ref": c.ref, "date": c.date}


def _connect(data: SampleData, tables: list[str] | None = None) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    keys = tables if tables is not None else list(data.schema.tables)
    conn.executescript("\n".join(table_script(data, key) for key in keys))
    return conn


def _run(data: SampleData, sql: str) -> tuple[list[tuple], list[str]] | None:
    try:
        conn = _connect(data)
    except sqlite3.Error:
        return None
    try:
        cur = conn.execute(sql)
        if cur.description is None:
            return None
        return cur.fetchall(), [d[0] for d in cur.description]
    except (sqlite3.Error, sqlite3.Warning):
        return None
    finally:
        conn.close()


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


def _split_top(toks: list[Tok]) -> list[list[Tok]]:
    """Split at depth-0 commas."""
    parts: list[list[Tok]] = [[]]
    depth = 0
    for t in toks:
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        if t.text == "," and depth == 0:
            parts.append([])
        else:
            parts[-1].append(t)
    return parts


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
