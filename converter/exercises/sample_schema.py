"""The sample database's schema: its model, and inferring it from a tutorial's SQL.

Declared tables (CREATE TABLE) are taken as written; everything else comes from
hints (`Contribution`s) that statements leave: tables and columns they name,
join equalities, compared literals. Keys are found from DDL, joins and names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlglot import exp

from .select_analysis import SelectInfo, _add, _all_infos
from .sql_text import Statement
from .sql_tree import names, parse

# The heads of declared types, by sqlglot's names (INTEGER is INT, REAL and FLOAT are DOUBLE,
# NUMERIC is DECIMAL, BOOL is BOOLEAN) and, for the ones it does not know, their own.
_INT_TYPES = {"INT", "BIGINT", "SMALLINT", "TINYINT", "MEDIUMINT", "SERIAL", "BIGSERIAL", "SMALLSERIAL",
              "BOOLEAN", "BIT", "YEAR"}
_REAL_TYPES = {"DECIMAL", "FLOAT", "DOUBLE", "MONEY", "SMALLMONEY"}
_DATE_TYPES = {"DATE", "TIME", "TIMETZ", "DATE32"}

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


def _sqlite_type(kind: exp.DataType | None) -> tuple[str, bool]:
    """SQLite type affinity for a declared (MySQL/PostgreSQL) type, and whether it holds dates."""
    head = kind.this.name if kind is not None else ""
    if head == "USERDEFINED":  # a type sqlglot does not know by name (SERIAL, MONEY, YEAR)
        head = str(kind.args.get("kind") or "").split("(")[0].strip().upper()
    if head in _INT_TYPES or head.startswith("UINT") or head in ("UBIGINT", "USMALLINT", "UTINYINT", "UMEDIUMINT"):
        return "INTEGER", False
    if head in _REAL_TYPES or head.startswith("UDECIMAL") or head == "UDOUBLE":
        return "REAL", False
    if head in _DATE_TYPES or head.startswith(("TIMESTAMP", "DATETIME")):
        return "TEXT", True
    if head in ("BLOB", "BINARY", "VARBINARY", "BYTEA", "LONGBLOB", "MEDIUMBLOB", "TINYBLOB"):
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


def _declare_table(create: exp.Create, schema: Schema) -> None:
    """CREATE TABLE: the table, its columns with their types, keys and constraints, as declared."""
    target = create.this  # a Schema (the table and its definitions), or the Table of `AS SELECT`
    table = schema.table(target.this.name if isinstance(target, exp.Schema) else target.name)
    table.declared = True
    if not isinstance(target, exp.Schema):
        return
    for item in target.expressions:
        if isinstance(item, exp.ColumnDef):
            _declare_column(table, item)
            continue
        for constraint in item.expressions if isinstance(item, exp.Constraint) else [item]:  # CONSTRAINT name ...
            if isinstance(constraint, exp.PrimaryKey) and len(cols := names(constraint)) == 1:
                table.column(cols[0]).pk = True
            elif isinstance(constraint, exp.ForeignKey) and len(cols := names(constraint)) == 1:
                reference = constraint.args.get("reference")
                target_cols = names(reference.this) if reference is not None else []
                if len(target_cols) == 1:
                    table.column(cols[0]).ref = (reference.this.this.name.lower(), target_cols[0])
            elif isinstance(constraint, exp.UniqueColumnConstraint) and len(cols := names(constraint.this)) == 1:
                table.column(cols[0]).unique = True


def _declare_column(table: TableSpec, definition: exp.ColumnDef) -> None:
    col = table.column(definition.name)
    col.type, col.date = _sqlite_type(definition.args.get("kind"))
    for constraint in definition.constraints:
        kind = constraint.kind
        if isinstance(kind, exp.PrimaryKeyColumnConstraint):
            col.pk = True
        elif isinstance(kind, exp.NotNullColumnConstraint) and not kind.args.get("allow_null"):
            col.not_null = True
        elif isinstance(kind, exp.UniqueColumnConstraint):
            col.unique = True
        elif isinstance(kind, exp.Reference):
            target = kind.this  # `REFERENCES t (id)` is a Schema, `REFERENCES t` a Table
            table_name = target.this.name if isinstance(target, exp.Schema) else target.name
            col.ref = (table_name.lower(), next(iter(names(target) if isinstance(target, exp.Schema) else []), ""))


def _added_columns(action: exp.Expression) -> list[str]:
    """The columns an ALTER TABLE action adds or constrains (`ADD COLUMN x`, `ADD INDEX i (a, b)`)."""
    if isinstance(action, exp.ColumnDef):
        return [action.name]
    constraints = action.expressions if isinstance(action, (exp.AddConstraint, exp.Constraint)) else []
    out: list[str] = []
    for constraint in constraints:
        if isinstance(constraint, exp.Constraint):
            out += _added_columns(constraint)
        elif isinstance(constraint, exp.UniqueColumnConstraint):
            out += names(constraint.this)
        elif isinstance(constraint, (exp.PrimaryKey, exp.ForeignKey, exp.IndexColumnConstraint)):
            out += names(constraint)
    return out


def read_schema_statement(stmt: Statement, schema: Schema, contribs: list[Contribution]) -> None:
    """DDL and DML: add to `schema` (declared tables) or to `contribs` (hints)."""
    tree = parse(stmt.text)
    if isinstance(tree, exp.Create) and tree.kind == "TABLE":
        _declare_table(tree, schema)
    elif isinstance(tree, exp.Create) and tree.kind == "INDEX":
        table = tree.this.args.get("table")
        if table is not None and not table.db:  # another schema's table is not the tutorial's
            contribs.append(Contribution(tables=[table.name],
                                         columns=[(table.name, col) for col in names(tree.this.args.get("params"))]))
    elif isinstance(tree, exp.Alter) and tree.kind == "TABLE":
        table = tree.this.name
        c = Contribution(tables=[table])
        for action in tree.actions:
            for col in _added_columns(action):
                _add(c.columns, (table, col))
        contribs.append(c)
    elif isinstance(tree, exp.Insert) and isinstance(tree.this, (exp.Schema, exp.Table)):
        target = tree.this
        table = target.this.name if isinstance(target, exp.Schema) else target.name
        cols = names(target) if isinstance(target, exp.Schema) else []
        contribs.append(Contribution(tables=[table], columns=[(table, col) for col in cols]))
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
        using = any(j.kind == "NATURAL" or j.using for j in part.joins)
        for col in part.bare:
            if opaque or col.lower() in part.select_aliases:
                continue
            owners = [t for t, _a in part.tables if col.lower() in schema.tables[t.lower()].columns]
            if not owners and col.lower() not in columns:
                return f"no column {col}"
            if len(owners) > 1 and not using:  # two tables, or one table twice (a self-join)
                return f"{col} is ambiguous ({', '.join(owners)} have it)"
    return ""
