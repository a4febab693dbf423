"""The sample database's schema: its model, and inferring it from a tutorial's SQL.

Declared tables (CREATE TABLE) are taken as written; everything else comes from
hints (`Contribution`s) that statements leave: tables and columns they name,
join equalities, compared literals. Keys are found from DDL, joins and names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .select_analysis import SelectInfo, _add, _all_infos
from .sql_text import _DATE_TYPES, _INT_TYPES, _REAL_TYPES, Statement, Tok, _ident_name, _matching_paren, _split_top

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
    aliases: dict[str, str] = {}  # of the whole statement: a correlated subquery names the outer query's
    for part in _all_infos(info):
        aliases.update(part.aliases)
    for part in _all_infos(info):
        for qual, col in part.outer_refs:
            if aliases.get(qual):
                _add(contrib.columns, (aliases[qual], col))
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


# --------------------------------------------------------------------------------------
# Names a query uses that the schema lacks (SQLite would refuse the query)


def unresolved_name(info: SelectInfo, schema: Schema) -> str:
    """Why a name of the query is not in `schema` ("" when every name it uses resolves)."""
    parts = list(_all_infos(info))
    # A subquery may use the outer query's aliases and columns: resolve against the whole statement.
    aliases: dict[str, str] = {}
    columns: set[str] = set()
    for part in parts:
        aliases.update({name: table.lower() for name, table in part.aliases.items()})
        aliases.update({cte: "" for cte in part.ctes})
        for table, _alias in part.tables:
            spec = schema.tables.get(table.lower())
            if spec is None:
                return f"no table {table}"
            columns |= set(spec.columns)
    for part in parts:
        opaque = any(not table for table in part.aliases.values())  # a CTE or a derived table: columns unknown
        refs = [] if opaque else list(part.columns)
        refs += [(aliases[q], c) for q, c in part.outer_refs if aliases.get(q)]
        for table, col in refs:
            if col.lower() not in schema.tables[table.lower()].columns:
                return f"no column {col} in {table}"
        for qual, col in part.outer_refs:
            if qual not in aliases:
                return f"no table or alias {qual} (in {qual}.{col})"
        for name in part.placeholders:
            if name.lower() not in columns and name.lower() not in part.select_aliases:
                return f"{name} is a placeholder, not a column"
        using = any(j.kind == "NATURAL" or any(t.up == "USING" for t in j.on) for j in part.joins)
        for col in part.bare:
            if opaque or col.lower() in part.select_aliases:
                continue
            owners = [t for t, _a in part.tables if col.lower() in schema.tables[t.lower()].columns]
            if not owners and col.lower() not in columns:
                return f"no column {col}"
            if len(owners) > 1 and not using:  # two tables, or one table twice (a self-join)
                return f"{col} is ambiguous ({', '.join(owners)} have it)"
    return ""
