"""What a SELECT statement refers to: tables, joins, columns, compared values, shape.

One `SelectInfo` per scope (subqueries and CTEs are analysed separately); it
feeds both the schema inference and the prompt's wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .sql_text import _KEYWORDS, _TYPE_WORDS, Tok, _ident_name, _literal_value, _matching_paren, _split_top

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
    aliases: dict[str, str] = field(default_factory=dict)
    """What each name in FROM stands for: alias or table (lower case) -> table, "" for a CTE or a derived table."""
    placeholders: list[str] = field(default_factory=list)
    outer_refs: list[tuple[str, str]] = field(default_factory=list)
    """Qualified columns whose qualifier this scope does not define (an outer query's alias, or a mistake)."""
    """Bare names compared with a column that no clause uses as a column (`id < last_id`)."""


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
    own = len(info.tables)  # the tables before are another part's of a UNION: not in this one's scope
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

    info.aliases.update(aliases)
    for j in info.joins:
        info.features.add(j.kind.lower() + "-join" if j.kind != "COMMA" else "comma-join")
    names = [t for t, _ in info.tables[own:]]
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
    scope_tables = [t for t, _ in info.tables[own:]]
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
            else:
                _add(info.outer_refs, (qual, col))
            k += 3
            continue
        if t.kind == "ident" and k + 2 < n and body[k + 1].text == "." and body[k + 2].text == "*":
            k += 3
            continue
        if t.kind == "ident" and t.up not in _KEYWORDS and t.up not in _TYPE_WORDS:
            prev = body[k - 1] if k else None
            nxt = body[k + 1] if k + 1 < n else None
            name = _ident_name(t)
            if (nxt is not None and nxt.text == "(") or (prev is not None and prev.up in ("AS", "COLLATE")) \
                    or name.lower() in info.select_aliases or name.lower() in aliases:
                k += 1
                continue
            # `a < b` with both bare names in WHERE: b is a placeholder unless known elsewhere
            if where and prev is not None and prev.text in _CMP and k >= 2 and body[k - 2].kind == "ident" \
                    and body[k - 2].up not in _KEYWORDS and not (k >= 3 and body[k - 3].text == "."):
                _add(info.placeholders, name)
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


def select_items(toks: list[Tok]) -> list[list[Tok]]:
    """The items of the statement's top-level select list (the first one of a UNION), DISTINCT left out."""
    depth = 0
    start = None
    end = len(toks)
    for k, t in enumerate(toks):
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        elif depth == 0 and t.up == "SELECT" and start is None:
            start = k + 1
        elif depth == 0 and start is not None and t.up in ("FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT",
                                                           "UNION", "INTERSECT", "EXCEPT", "WINDOW"):
            end = k
            break
    if start is None:
        return []
    body = [t for t in toks[start:end] if t.text != ";"]
    if body and body[0].up in ("DISTINCT", "ALL"):
        body = body[1:]
    return [item for item in _split_top(body) if item]
