"""What a SELECT statement refers to: tables, joins, columns, compared values, shape.

Read from sqlglot's syntax tree (issue 13). One `SelectInfo` per scope (subqueries and
CTEs are analysed separately, so an inner WHERE is never taken for the outer one); it
feeds both the schema inference and the prompt's wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from .sql_tree import arg

__all__ = ["JoinInfo", "SelectInfo", "analyze_select", "negated", "parts", "parts_root", "_add", "_all_infos", "_own"]


@dataclass
class JoinInfo:
    kind: str  # INNER, LEFT, RIGHT, FULL, CROSS, NATURAL, COMMA
    table: str
    alias: str
    on: list[str] = field(default_factory=list)
    """The qualified columns its ON condition compares (`a.manager_id = b.id`: manager_id, id)."""
    using: bool = False


@dataclass
class SelectInfo:
    """What a SELECT statement (one scope, subqueries separate) refers to."""

    tree: exp.Expression | None = None
    """The scope's query (a Select, or a UNION of them)."""
    sql: str = ""
    """The statement's source text."""
    dialect: str = ""
    """The dialect it parsed in (to write its pieces back in)."""
    tables: list[tuple[str, str]] = field(default_factory=list)  # (table, alias) in order
    joins: list[JoinInfo] = field(default_factory=list)
    columns: list[tuple[str, str]] = field(default_factory=list)  # (table, column), in order of appearance
    bare: list[str] = field(default_factory=list)  # unqualified column names
    equalities: list[tuple[str, str, str, str]] = field(default_factory=list)  # t1, c1, t2, c2
    literals: list[tuple[str, str, str, object]] = field(default_factory=list)  # table, col, op, value
    external: bool = False  # refers to schema-qualified tables (information_schema...)
    subqueries: list[SelectInfo] = field(default_factory=list)
    where: list[exp.Expression] = field(default_factory=list)
    """The WHERE conditions of the scope's parts."""
    having: list[exp.Expression] = field(default_factory=list)
    group: list[str] = field(default_factory=list)
    """What it groups by: column names, or other expressions as SQL."""
    order: str = ""
    """The ORDER BY keys as SQL ("" without ORDER BY)."""
    limit: exp.Expression | None = None
    offset: exp.Expression | None = None
    selected: str = ""
    """The last name in the select list (what `x IN (SELECT y ...)` compares with)."""
    features: set[str] = field(default_factory=set)
    ctes: set[str] = field(default_factory=set)
    select_aliases: set[str] = field(default_factory=set)
    aliases: dict[str, str] = field(default_factory=dict)
    """What each name in FROM stands for: alias or table (lower case) -> table, "" for a CTE or a derived table."""
    placeholders: list[str] = field(default_factory=list)
    """Bare names compared with a column that no clause uses as a column (`id < last_id`)."""
    outer_refs: list[tuple[str, str]] = field(default_factory=list)
    """Qualified columns whose qualifier this scope does not define (an outer query's alias, or a mistake)."""


_CMP = {exp.EQ: "=", exp.NEQ: "<>", exp.LT: "<", exp.GT: ">", exp.LTE: "<=", exp.GTE: ">="}
# A Select's clauses in the order they are written.
_CLAUSES = ("expressions", "from", "joins", "where", "group", "having", "windows", "qualify", "order", "limit",
            "offset")


def analyze_select(query: exp.Expression, sql: str, dialect: str) -> SelectInfo:
    """The scope of `query` (a Select or a UNION), parsed from `sql` in `dialect`."""
    info = SelectInfo(tree=query, sql=sql, dialect=dialect)
    with_ = arg(query, "with")
    if with_:
        info.features.add("cte")
        for cte in with_.expressions:
            info.ctes.add(cte.alias_or_name.lower())
            # The CTE's body does not know the other CTE names (nor itself: a recursive CTE
            # names a table the schema lacks, and is declined, as before).
            info.subqueries.append(analyze_select(cte.this, sql, dialect))
    for node in _subqueries(query):
        info.subqueries.append(analyze_select(node, sql, dialect))
        info.features.add("subquery")
    node = query
    while isinstance(node, exp.SetOperation):
        info.features.add(node.key)  # union, intersect, except
        node = node.this
    selects = parts(query)
    own = 0
    for part in selects:
        own = len(info.tables)
        _analyze_simple(part, info, sql, dialect)
    if isinstance(query, exp.SetOperation) and selects:  # its ORDER BY and LIMIT: in the last part's scope
        _analyze_simple(query, info, sql, dialect, modifiers_of=(selects[-1], own))
    first = selects[0].expressions if selects else []
    names = [n.name for n in first[-1].walk(bfs=False) if isinstance(n, exp.Identifier)] if first else []
    info.selected = names[-1] if names else ""
    for sub in info.subqueries:
        sub.ctes |= info.ctes
    return info


def parts(query: exp.Expression) -> list[exp.Select]:
    """The SELECTs of a UNION (INTERSECT, EXCEPT), left to right; the query itself if it is one."""
    if isinstance(query, exp.SetOperation):
        return parts(query.this) + parts(query.expression)
    if isinstance(query, exp.Subquery):
        return parts(query.this)
    return [query] if isinstance(query, exp.Select) else []


def _clauses(node: exp.Expression):
    """The clauses of a Select (or a UNION's modifiers) in written order, each as a list."""
    for name in _CLAUSES:
        value = arg(node, name)
        if value:
            yield name, value if isinstance(value, list) else [value]


def _subqueries(query: exp.Expression) -> list[exp.Expression]:
    """The queries nested in this scope (derived tables, IN, EXISTS, scalar subqueries), in written order."""
    found: list[exp.Expression] = []

    def visit(node: exp.Expression) -> None:
        if isinstance(node, exp.Query):  # a Select, a UNION, or one in parentheses
            found.append(parts_root(node))
        else:
            for child in node.iter_expressions():
                visit(child)

    for part in parts(query) + ([query] if isinstance(query, exp.SetOperation) else []):
        for _name, values in _clauses(part):
            for value in values:
                visit(value)
    return found


def parts_root(node: exp.Expression) -> exp.Expression:
    """The query in a parenthesis (or several)."""
    while isinstance(node, exp.Subquery):
        node = node.this
    return node


def _own(node: exp.Expression):
    """`node` and what it holds, in written order, without nested queries (another scope)."""
    yield node
    for child in node.iter_expressions():
        if not isinstance(child, exp.Query):  # Select, UNION, Subquery
            yield from _own(child)


def _comma_before(sql: str, ident: exp.Expression) -> bool:
    """Whether the source has a comma right before this name (`FROM a, b`: sqlglot reads it as a CROSS JOIN)."""
    start = ident.meta.get("start") if isinstance(ident, exp.Identifier) else None
    return start is not None and sql[:start].rstrip().endswith(",")


def _join_kind(join: exp.Join, sql: str) -> str:
    if join.side:  # LEFT, RIGHT, FULL (NATURAL LEFT JOIN too)
        return join.side
    if join.method == "NATURAL":
        return "NATURAL"
    if join.kind == "CROSS":
        return "COMMA" if _comma_before(sql, join.this.this) else "CROSS"
    return "INNER"


def _analyze_simple(part: exp.Expression, info: SelectInfo, sql: str, dialect: str, *,
                    modifiers_of: tuple[exp.Select, int] | None = None) -> None:
    """Add one SELECT of the scope to `info` (or, with `modifiers_of`, a UNION's own ORDER BY
    and LIMIT, read with that SELECT's tables)."""
    own = len(info.tables)  # the tables before are another part's of a UNION: not in this one's scope
    aliases: dict[str, str] = {}  # alias/table lower -> table name
    if modifiers_of is not None:
        aliases = _aliases(modifiers_of[0], info)
        own = modifiers_of[1]
    else:
        _from(part, info, aliases, sql)
    info.aliases.update(aliases)
    if modifiers_of is None:
        for j in info.joins:
            info.features.add(j.kind.lower() + "-join" if j.kind != "COMMA" else "comma-join")
        names = [t for t, _ in info.tables[own:]]
        if len({n.lower() for n in names}) < len(names):
            info.features.add("self-join")
        for item in part.expressions:
            if isinstance(item, exp.Alias):
                info.select_aliases.add(item.alias.lower())
        if part.args.get("distinct"):
            info.features.add("distinct")
        if any(isinstance(n, exp.AggFunc) for item in part.expressions for n in _own(item)):
            info.features.add("aggregate")
    clauses = dict(_clauses(part))
    for name in ("where", "group", "having", "order", "limit"):
        if name in clauses:
            info.features.add(name)
    info.where += [w.this for w in clauses.get("where", [])]
    info.having += [h.this for h in clauses.get("having", [])]
    info.group += [g.name if isinstance(g, exp.Column) else g.sql(dialect=dialect)
                   for group in clauses.get("group", []) for g in group.expressions]
    if "order" in clauses:
        info.order = ", ".join(o.sql(dialect=dialect) for o in clauses["order"][0].expressions)
    if "limit" in clauses:
        info.limit = clauses["limit"][0].expression
    if "offset" in clauses:
        info.offset = clauses["offset"][0].expression

    scope = [t for t, _ in info.tables[own:]]
    for name, values in clauses.items():
        if name in ("from", "limit", "offset"):
            continue
        if name == "joins":
            values = [j.args["on"] for j in values if j.args.get("on")]
        nodes = [v.this if isinstance(v, (exp.Where, exp.Having)) else v for v in values]
        if name in ("group", "order"):
            nodes = list(values[0].expressions)
        _column_refs(nodes, aliases, scope, info, where=name in ("where", "having"))
        if name == "group":  # grouped columns need repeated values
            for node in nodes:
                for col in _own(node):
                    if not isinstance(col, exp.Column) or isinstance(col.this, exp.Star):
                        continue
                    if col.table:
                        table = aliases.get(col.table.lower(), "")
                    else:
                        table = scope[0] if len(scope) == 1 else ""
                    if table and col.name.lower() not in info.select_aliases:
                        info.literals.append((table, col.name, "GROUP", None))


def _sources(select: exp.Select) -> list[exp.Expression]:
    from_ = arg(select, "from")
    return ([from_.this] if from_ else []) + [j.this for j in select.args.get("joins") or []]


def _aliases(select: exp.Select, info: SelectInfo) -> dict[str, str]:
    """The names a SELECT's FROM defines (for a UNION's ORDER BY: its last SELECT's)."""
    out: dict[str, str] = {}
    for source in _sources(select):
        if isinstance(source, exp.Table) and isinstance(source.this, exp.Identifier) and not source.db:
            _name_table(source, info, out)
        elif isinstance(source, exp.Subquery) and source.alias:
            out[source.alias.lower()] = ""
    return out


def _name_table(source: exp.Table, info: SelectInfo, aliases: dict[str, str]) -> bool:
    """Record what a table's alias (and name) stand for; "" for a CTE, which is no table of the
    schema. True for a real table."""
    name, alias = source.name, source.alias or source.name
    if name.lower() in info.ctes:
        aliases[alias.lower()] = ""
        return False
    aliases[alias.lower()] = name
    aliases.setdefault(name.lower(), name)
    return True


def _from(select: exp.Select, info: SelectInfo, aliases: dict[str, str], sql: str) -> None:
    """The tables and joins of a SELECT's FROM clause."""
    from_ = arg(select, "from")
    items: list[tuple[str, exp.Expression, exp.Join | None]] = [("FIRST", from_.this, None)] if from_ else []
    items += [(_join_kind(j, sql), j.this, j) for j in select.args.get("joins") or []]
    for kind, source, join in items:
        for col in join.args.get("using") or [] if join is not None else []:
            info.bare.append(col.name)
        if isinstance(source, exp.Subquery):  # derived table: alias only
            if source.alias:
                aliases[source.alias.lower()] = ""
            continue
        if not isinstance(source, exp.Table) or not isinstance(source.this, exp.Identifier):
            continue  # a table-valued function
        if source.db:
            info.external = True  # schema.table
            continue
        name, alias = source.name, source.alias or source.name
        if _name_table(source, info, aliases):
            info.tables.append((name, alias))
        if join is not None:
            on = join.args.get("on")
            info.joins.append(JoinInfo(kind, name, alias,
                                       [c.name for c in on.walk(bfs=False) if isinstance(c, exp.Column) and c.table]
                                       if on is not None else [], bool(join.args.get("using"))))


def _value(node: exp.Expression) -> object:
    """The value of a literal (`'x'`, `3`, `-2.5`), None for anything else."""
    sign = ""
    if isinstance(node, exp.Neg):
        node, sign = node.this, "-"
    if not isinstance(node, exp.Literal):
        return None
    if node.is_string:
        return node.this
    text = sign + node.this
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return None


def _mysql_string(column: exp.Column, sql: str) -> bool:
    """A double-quoted name compared with a column (`name = "John"`, `IN ("a", "b")`): MySQL's string,
    which SQLite also reads as a string when no column has that name. Neither a column nor a value here."""
    start = column.this.meta.get("start")
    if start is None or not sql.startswith('"', start):
        return False
    parent = column.parent
    if type(parent) in _CMP or isinstance(parent, exp.Like):
        return parent.expression is column
    return isinstance(parent, exp.In) and any(item is column for item in parent.expressions)


def _bare(node: exp.Expression) -> bool:
    return isinstance(node, exp.Column) and not node.table and not isinstance(node.this, exp.Star)


def _column_refs(nodes: list[exp.Expression], aliases: dict[str, str], scope: list[str], info: SelectInfo, *,
                 where: bool) -> None:
    refs: list[tuple[exp.Column, str, str]] = []  # (node, table or "", column)
    for top in nodes:
        for node in _own(top):
            if not isinstance(node, exp.Column) or isinstance(node.this, exp.Star):
                continue
            col = node.name
            if node.table:
                qual = node.table.lower()
                if qual in aliases:
                    if aliases[qual]:
                        refs.append((node, aliases[qual], col))
                else:
                    _add(info.outer_refs, (qual, col))
                continue
            if col.lower() in info.select_aliases or col.lower() in aliases or _mysql_string(node, info.sql):
                continue
            parent = node.parent
            # `a < b` with both bare names in WHERE: b is a placeholder unless known elsewhere
            if where and type(parent) in _CMP and parent.expression is node and _bare(parent.this):
                _add(info.placeholders, col)
                continue
            refs.append((node, "", col))
    for _node, table, col in refs:
        if table:
            _add(info.columns, (table, col))
        elif len(scope) == 1:
            _add(info.columns, (scope[0], col))
        elif scope:
            info.bare.append(col)
    if not scope:
        return
    # equalities between columns (keys) and comparisons with literals (sample values)
    by_node = {id(node): (table or (scope[0] if len(scope) == 1 else ""), col) for node, table, col in refs}
    for top in nodes:
        for node in _own(top):
            op = _CMP.get(type(node))
            if op:
                left, right = by_node.get(id(node.this)), by_node.get(id(node.expression))
                if left and right and op == "=":
                    info.equalities.append((left[0], left[1], right[0], right[1]))
                elif left:
                    value = _value(node.expression)
                    if value is not None and left[0]:
                        info.literals.append((left[0], left[1], op, value))
                continue
            if not isinstance(node, (exp.Like, exp.In, exp.Between)) or negated(node):
                continue  # `x NOT IN (...)` asks for no value
            left = by_node.get(id(node.this))
            if not left or not left[0]:
                continue
            if isinstance(node, exp.Like):
                if isinstance(node.expression, exp.Literal) and node.expression.is_string:
                    info.literals.append((left[0], left[1], "LIKE", node.expression.this))
            elif isinstance(node, exp.In):
                for item in node.expressions:
                    value = _value(item)
                    if value is not None:
                        info.literals.append((left[0], left[1], "=", value))
            else:
                lo, hi = _value(node.args["low"]), _value(node.args["high"])
                if lo is not None and hi is not None:
                    info.literals.append((left[0], left[1], ">=", lo))
                    info.literals.append((left[0], left[1], "<=", hi))


def negated(node: exp.Expression) -> bool:
    """`NOT x IN (...)`, `x NOT LIKE ...` (which sqlglot keeps as a LIKE with `negate`)."""
    return isinstance(node.parent, exp.Not) or bool(node.args.get("negate"))


def _add(items: list, item) -> None:
    if item not in items:
        items.append(item)


def _all_infos(info: SelectInfo):
    yield info
    for sub in info.subqueries:
        yield from _all_infos(sub)
