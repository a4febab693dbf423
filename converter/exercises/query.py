""""Write the query" exercises for SQL tutorials.

`write_the_query(doc)` reads the tutorial's SQL blocks (skipped in the
notebook: they are written for a database server), infers a small schema from
them (CREATE TABLE / ALTER TABLE / CREATE INDEX / INSERT, else the tables and
columns its queries name) and fills each table with a few deterministic rows
designed so the tutorial's lessons show (a user without orders, an order
without a user, an employee without a manager, values that some rows match
and some don't). Each SELECT that SQLite can run on that database, as far as
its text tells (its functions and syntax, the names it uses, a row for the
values it asks for), becomes an exercise: the learner writes SQL in the string
`query`; the check runs it and the tutorial's query (packed, not shown) on
`sample_db` (made by the exercise's `setup`) and compares the result sets.

Convert never runs SQL: what only running can tell (whether the reference
query really runs and returns rows here, how many, whether its ORDER BY has
ties) the check finds out in the notebook's kernel, and `course check` proves
the contract there. Pure and deterministic: the same Document gives the same exercises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pygments.token import Keyword
from sqlglot import exp
from sqlglot.tokens import TokenType

from ..document import CodeBlock, Document, Exercise, Heading, Paragraph
from ..languages import pygments_lexer
from ..myst_escape import code_span, escape
from .checks import packed, reference
from .mutants import mutants, spread, without_comments
from .variation import varied_values, with_values
from .sample_db import DB, RESULT_HELPERS, SampleData, _build, _parse_date, _py_string, setup_code, sql_literal, table_script
from .sample_schema import Contribution, Schema, read_schema_statement, select_contribution, unresolved_name
from .select_analysis import SelectInfo, _all_infos, _own, analyze_select, negated, parts, parts_root
from .sql_text import Statement, Tok, split_statements, sqlite_problem
from .sql_tree import arg, clause_text, item_texts, parse_in, without_clause

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
    sql: str  # the reference query (the tutorial's text)


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
    # not a comment ending in `:` (what follows says it), nor commented-out SQL (`;`: a translated
    # tutorial statement kept above its SQLite version)
    if comment and not comment.endswith((":", ";")) and not _EVALUATIVE.search(comment):
        return comment.rstrip("."), "comment"
    sentence = _last_sentence(cand.prose)
    if sentence and not sentence.endswith(":") and not _EVALUATIVE.search(sentence) and len(sentence) <= 200:
        return sentence.rstrip("."), "prose"
    return "", ""


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _structural(info: SelectInfo, names: list[str] | None) -> str:
    """The query's task in plain words, from its structure (MyST: every name from the SQL is a code span)."""
    cols = _and([code_span(n) for n in names]) if names else "the columns"
    if not info.tables:
        return f"Return {cols}"
    first = info.tables[0][0]
    text = f"List {cols} from {code_span(first)}"
    self_join = "self-join" in info.features
    for j in info.joins:
        other = code_span(j.table)
        if j.table.lower() == first.lower() and self_join:
            on = j.on
            text += " joined with itself"
            if len(on) == 2:
                text += f" (matching {code_span(on[0])} with {code_span(on[1])})"
            if j.kind == "LEFT":
                text += " (keep every row, even without a match)"
        elif j.kind in ("INNER", "COMMA", "NATURAL"):
            text += f", matched with {other}"
        elif j.kind == "LEFT":
            text += f", with the matching {other} rows (keep every {code_span(first)} row, even without a match)"
        elif j.kind == "RIGHT":
            text += f", with the matching {other} rows (keep every {other} row, even without a match)"
        elif j.kind == "FULL":
            text += f" and {other} (keep every row of both, matched where possible)"
        elif j.kind == "CROSS":
            text += f", paired with every row of {other}"
    conds = _conditions(info) + _subquery_conditions(info)
    if conds:
        text += ", keeping only rows where " + _and(conds)
    if info.group:
        text += ", per " + _and([code_span(name) for name in info.group])
    if info.order:  # as the tutorial wrote it
        order = clause_text(info.sql, TokenType.ORDER_BY, {TokenType.LIMIT, TokenType.OFFSET, TokenType.FETCH})
        text += ", sorted by " + code_span(order or info.order)
    if info.limit is not None:
        text += ", only the first " + code_span(info.limit.sql(dialect=info.dialect)) + " rows"
    return text


def _shape(info: SelectInfo) -> set[str]:
    feats = set()
    for part in _all_infos(info):
        feats |= part.features
    return feats


def write_the_query(doc: Document) -> list[Exercise]:
    """Up to three "write the query" exercises for a tutorial with SQL queries; [] to decline."""
    blocks = list(_sql_blocks(doc))
    if not blocks:
        return []
    # A variation: other values in the conditions (and in the data), so that the tutorial's own
    # query, on the page above, is not the answer. (A query that compares with no value is asked
    # as the tutorial wrote it: its result is the lesson.)
    swaps = varied_values([b.code for _i, b, _s, _p in blocks])
    blocks = [(i, replace(b, code=with_values(b.code, swaps)), s, p) for i, b, s, p in blocks]
    schema, contribs, owners, candidates = _read_sql(blocks)
    if not candidates:
        return []
    data, _declared = _sample_data(schema, contribs, owners)

    seen: set[tuple] = set()
    usable: list[Candidate] = []
    for cand in candidates:
        if _declined(cand, data):
            continue
        key = _result_key(cand.info)
        if key in seen:
            continue  # the same result as a query already kept (a RIGHT JOIN mirroring a LEFT JOIN...)
        seen.add(key)
        usable.append(cand)
    # prefer different shapes: greedily take the query adding the most new features
    picked: list[int] = []
    covered: set[str] = set()
    while len(picked) < MAX_EXERCISES and len(picked) < len(usable):
        best, gain = 0, -1
        for k, cand in enumerate(usable):
            if k in picked:
                continue
            g = len(_shape(cand.info) - covered)
            if g > gain:
                best, gain = k, g
        picked.append(best)
        covered |= _shape(usable[best].info)
    exercises = []
    unvaried = {v: k for k, v in swaps.items()}
    for k in sorted(picked):
        ex = _exercise(usable[k], data, with_values(usable[k].sql, unvaried))
        if ex is not None:
            exercises.append(ex)
    return exercises


def _read_sql(blocks) -> tuple[Schema, list[Contribution], list[tuple[Contribution, list[Tok]]], list[Candidate]]:
    """The schema the tutorial's SQL declares and hints at, each statement's contribution, and the candidate queries."""
    schema = Schema()
    contribs: list[Contribution] = []
    owners: list[tuple[Contribution, list[Tok]]] = []  # what each SELECT adds to the schema, and its tokens
    candidates: list[Candidate] = []
    for index, block, section, prose in blocks:
        for stmt in split_statements(block.code, index):
            if not stmt.code:
                continue
            first = stmt.keyword
            if first in ("SELECT", "WITH"):
                info = _analysis(stmt.text)
                if info is None:
                    continue
                c = select_contribution(info)
                contribs.append(c)
                if not info.external:
                    candidates.append(Candidate(stmt, info, section, prose, stmt.text))
                    owners.append((c, stmt.code))
            elif first in ("EXPLAIN", "DESCRIBE", "DESC") and len(stmt.code) > 1:
                rest = stmt.code[1:]
                while rest and rest[0].up in ("ANALYZE", "QUERY", "PLAN", "EXTENDED", "FORMAT", "=", "JSON", "TREE"):
                    rest = rest[1:]
                info = _analysis(block.code[rest[0].start:rest[-1].end]) if rest and rest[0].up in ("SELECT", "WITH") else None
                if info is not None:  # only informs the schema
                    c = select_contribution(info)
                    contribs.append(c)
                    if not info.external:
                        owners.append((c, rest))
            elif first in ("UPDATE", "DELETE"):
                continue
            else:
                read_schema_statement(stmt, schema, contribs)
    return schema, contribs, owners, candidates


def _analysis(sql: str) -> SelectInfo | None:
    """The query's analysis, from its syntax tree (None when no dialect parses it as a query)."""
    parsed = parse_in(sql)
    if parsed is None or not isinstance(parsed[0], (exp.Select, exp.SetOperation)):
        return None
    return analyze_select(parsed[0], sql, parsed[1])


def _sample_data(schema: Schema, contribs: list[Contribution], owners: list[tuple[Contribution, list[Tok]]]) -> tuple[SampleData, set[str]]:
    """The sample rows for the tutorial's schema, and the keys of the tables it declares itself."""
    declared = {key for key, spec in schema.tables.items() if spec.declared}
    # A query SQLite would refuse (MATCH ... AGAINST, YEAR(...)) adds nothing to the schema:
    # its words are not columns.
    failing = [c for c, toks in owners if sqlite_problem(toks)]
    return _build(schema, [c for c in contribs if not any(c is f for f in failing)], declared), declared


def missing_tables_script(codes: list[str]) -> str:
    """SQL creating the tables a tutorial's SQL uses but never creates, with designed sample rows
    (the same rows its "write the query" exercises use); "" when it creates all it uses."""
    blocks = [(index, CodeBlock(code, "sql"), "", "") for index, code in enumerate(codes)]
    schema, contribs, owners, _ = _read_sql(blocks)
    data, declared = _sample_data(schema, contribs, owners)
    scripts = []
    for key in _parents_first(data, sorted(data.schema.tables)):
        if key in declared:
            continue
        script = table_script(data, key)
        # Rows the tutorial inserts itself must not be there twice.
        scripts.append(script.split("\nINSERT INTO")[0] if data.schema.tables[key].inserts else script)
    return "\n\n".join(scripts)


# --------------------------------------------------------------------------------------
# Declining, from the query's text and the sample rows (nothing runs)


def _declined(cand: Candidate, data: SampleData) -> str:
    """Why the query can't be an exercise ("" if it can): SQLite would refuse it, its result
    is up to the engine, or the sample database is sure to give it no rows."""
    if "limit" in _shape(cand.info) and "order" not in _shape(cand.info):
        return "LIMIT without ORDER BY: which rows come back is up to the engine"
    return (sqlite_problem(cand.stmt.code) or unresolved_name(cand.info, data.schema)
            or _beyond_the_rows(cand.info, data) or _unmatched_values(cand.info, data))


def _number(node: exp.Expression | None) -> int | None:
    return int(node.this) if isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit() else None


def _beyond_the_rows(info: SelectInfo, data: SampleData) -> str:
    """LIMIT 0, or an OFFSET past every row the tables could join into."""
    count, offset = _number(info.limit), _number(info.offset)  # MySQL's `LIMIT offset, count` too
    most = 1
    for table, _alias in info.tables:
        most *= len(data.rows[table.lower()])
    if count == 0 or (offset is not None and offset >= most):
        return "LIMIT/OFFSET leaves no row of the sample database"
    return ""


def _unmatched_values(info: SelectInfo, data: SampleData) -> str:
    """A value the query asks for (`col = 'x'`, `IN (...)`) that no sample row holds, or, for
    conditions joined by AND, no row holding all of them together."""
    for part in _all_infos(info):
        together = not _has(part.where + part.having, exp.Or, exp.Not) and "self-join" not in part.features
        wanted: dict[str, dict[str, list]] = {}
        for table, col, op, value in part.literals:
            if op == "=":
                wanted.setdefault(table.lower(), {}).setdefault(col.lower(), []).append(value)
        for table, values in wanted.items():
            spec, rows = data.schema.tables.get(table), data.rows.get(table)
            if spec is None or not rows:
                continue
            index = {col: list(spec.columns).index(col) for col in values if col in spec.columns}
            for cols in ([list(index)] if together else [[col] for col in index]):
                if not any(all(any(_same_value(row[index[c]], v) for v in values[c]) for c in cols) for row in rows):
                    return f"no sample row of {table} has the values asked for"
    return ""


def _same_value(stored: object, literal: object) -> bool:
    """`stored = literal` in SQLite, near enough: a number column compares '502' as 502."""
    if stored == literal:
        return True
    try:
        return float(stored) == float(literal)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _has(conditions: list[exp.Expression], *kinds: type) -> bool:
    """Whether the conditions hold one of these nodes in their own scope (not in a subquery's)."""
    return any(isinstance(node, kinds) or (exp.Not in kinds and node.args.get("negate"))
               for cond in conditions for node in _own(cond))


def _result_key(info: SelectInfo) -> tuple:
    """What the query's result is made of, however it is written: the same key for a RIGHT
    JOIN that mirrors a LEFT JOIN, or a join that does what an IN (subquery) does."""
    tables, columns, literals, joins, shape = [], set(), set(), set(), set()
    for part in _all_infos(info):
        tables += sorted(t.lower() for t, _a in part.tables)
        columns |= {(t.lower(), c.lower()) for t, c in part.columns}
        literals |= {(t.lower(), c.lower(), op, repr(v)) for t, c, op, v in part.literals}
        for j in part.joins:
            if j.kind == "LEFT":
                joins.add(("keep", part.tables[0][0].lower()))
            elif j.kind == "RIGHT":
                joins.add(("keep", j.table.lower()))
            else:
                joins.add({"COMMA": "INNER", "NATURAL": "INNER"}.get(j.kind, j.kind))
        shape |= part.features - {"inner-join", "comma-join", "natural-join", "left-join", "right-join", "subquery"}
        if "subquery" in part.features:  # x IN (SELECT ...) / EXISTS: matched rows, like an inner join
            joins.add("INNER")
        shape |= {"NOT"} if _has(part.where, exp.Not) else set()
        shape.add(part.order.upper())
        shape.add(" ".join(n.sql() for n in (part.limit, part.offset) if n is not None))
    return (tuple(sorted(tables)), frozenset(columns), frozenset(literals), frozenset(joins), frozenset(shape))


# --------------------------------------------------------------------------------------
# The exercise


def _tables_of(info: SelectInfo, schema: Schema) -> list[str]:
    keys: list[str] = []
    for part in _all_infos(info):
        for table, _alias in part.tables:
            key = table.lower()
            if key in schema.tables and key not in keys:
                keys.append(key)
    return keys


def _exercise(cand: Candidate, data: SampleData, tutorials: str = "") -> Exercise | None:
    """`tutorials`: the query as the tutorial wrote it, before the variation (a wrong answer now)."""
    tutorials = tutorials or cand.sql
    keys = _tables_of(cand.info, data.schema)
    if not keys:
        return None
    setup = setup_code([table_script(data, key) for key in _parents_first(data, keys)])
    order_keys = _sort_keys_query(cand.sql) if "order" in cand.info.features else None
    task, origin = _task_words(cand)
    reference = cand.sql
    if tutorials != cand.sql:
        task = ""  # the tutorial's words ("Shipped orders since 2023") name its values, not the ones asked
        reference = _uncommented(cand.sql)  # and so do its comments
    wrong = tuple(f"query = {_py_string(sql)}\n" for sql in dict.fromkeys(
        [*([tutorials] if tutorials != cand.sql else []), *wrong_queries(reference)]))
    title = "Write the query"
    if task and origin == "comment" and len(task) <= 60:
        title = f"Write the query: {task}"
    elif cand.section:
        title = f"Write the query: {_plain(cand.section)}"
    return Exercise(
        kind="query",
        title=title,
        prompt=_prompt(cand, data, keys, _result_names(cand, data.schema), order_keys is not None, task,
                       varied=tutorials != cand.sql),
        starter='query = """\n-- your SQL here\n"""\n',
        solution=f"query = {_py_string(reference)}\n",
        check=check_code(reference, order_keys),
        section=cand.section,
        setup=setup,
        right=tuple(f"query = {_py_string(sql)}\n" for sql in equivalent_queries(reference)),
        wrong=wrong,
    )


_NEGATIONS = re.compile(r"NOT|<>|!=|IS NULL|AND|OR")


# The clauses that may follow a WHERE (at the top level).
_AFTER_WHERE = {TokenType.GROUP_BY, TokenType.HAVING, TokenType.ORDER_BY, TokenType.LIMIT, TokenType.WINDOW,
                TokenType.UNION, TokenType.INTERSECT, TokenType.EXCEPT}


def wrong_queries(sql: str) -> list[str]:
    """Queries a learner might write instead: the tutorial's with one slip (join kind, AND/OR,
    a condition turned round, a bound), or without its WHERE clause. Up to four."""
    single = [m for m in mutants(sql, "sql") if m.rank <= 2]
    slips = [m.code for m in spread(single, 3)]
    # two slips at once (a learner who changed the wrong thing and kept the slip), when one is not
    # enough; never two negations, which may cancel out (`NOT IN (... <> x)`)
    slips += [m.code for first in single[:3] for m in mutants(first.code, "sql")
              if m.rank <= 2 and m.code != sql and not (_NEGATIONS.search(first.change) and _NEGATIONS.search(m.change))][:3]
    unfiltered = without_clause(sql, TokenType.WHERE, _AFTER_WHERE)
    ungrouped = without_clause(sql, TokenType.HAVING, _AFTER_WHERE - {TokenType.GROUP_BY, TokenType.HAVING})
    # with a LIMIT, which rows come first decides which are kept
    parsed = parse_in(sql)
    limited = parsed is not None and parsed[0].args.get("limit") is not None
    unsorted = without_clause(sql, TokenType.ORDER_BY, {TokenType.LIMIT}) if limited else sql
    return list(dict.fromkeys(q for q in (*slips[:3], unfiltered, ungrouped, unsorted, *slips[3:], _one_column_fewer(sql))
                              if q and q != sql))[:4]


def _one_column_fewer(sql: str) -> str:
    """The query without the last item of its select list ("" when it has one item, `*`, or is a UNION):
    a learner who forgot a column. Written by sqlglot, in the query's dialect."""
    parsed = parse_in(sql)
    if parsed is None or not isinstance(parsed[0], exp.Select) or len(parsed[0].expressions) < 2 \
            or any(isinstance(item, exp.Star) for item in parsed[0].expressions):
        return ""
    fewer = parsed[0].copy()
    fewer.set("expressions", fewer.expressions[:-1])
    return fewer.sql(dialect=parsed[1], comments=False) + ";"


def _uncommented(sql: str) -> str:
    """The query without its comments (which speak of the tutorial's values, not the varied ones)."""
    return "\n".join(line.rstrip() for line in without_comments(sql, "sql").splitlines() if line.strip())


def equivalent_queries(sql: str) -> list[str]:
    """The same query written differently: keywords in lower case, and all on one line
    (comments dropped). A check that compares results must accept both."""
    lexer = pygments_lexer("sql")
    lowered = "".join(v.lower() if t in Keyword else v for t, v in lexer.get_tokens(sql)).rstrip("\n")
    one_line = " ".join(without_comments(sql, "sql").split())
    bare = one_line.rstrip(";").rstrip() if one_line.endswith(";") else one_line + ";"  # with or without `;`
    return [q for q in dict.fromkeys((lowered, one_line, bare)) if q != sql][:3]


def _result_names(cand: Candidate, schema: Schema) -> list[str] | None:
    """The result's column names as SQLite gives them, read from the select list (None if unknown:
    `*` over a CTE, a derived table or a USING join)."""
    info = cand.info
    selects = parts(info.tree)
    items = selects[0].expressions if selects else []
    texts = item_texts(info.sql, info.dialect)
    names: list[str] = []
    for k, item in enumerate(items):
        if isinstance(item, exp.Star):
            if any(not t for t in info.aliases.values()) or any(j.kind == "NATURAL" or j.using for j in info.joins):
                return None
            names += [col.name for t, _a in info.tables for col in schema.tables[t.lower()].columns.values()]
        elif isinstance(item, exp.Column) and isinstance(item.this, exp.Star):
            table = info.aliases.get(item.table.lower())
            if not table:
                return None
            names += [col.name for col in schema.tables[table.lower()].columns.values()]
        elif isinstance(item, (exp.Alias, exp.Column)):
            names.append(item.alias_or_name)  # `expr AS alias`, `expr alias`, `t.col`
        elif len(texts) == len(items):
            names.append(texts[k])  # SQLite names it by its text
        else:
            return None
    return names


def _sort_keys_query(sql: str) -> str | None:
    """The query with its select list replaced by its ORDER BY expressions (None if not simple):
    the check runs it to find the rows that tie."""
    parsed = parse_in(sql)
    if parsed is None:
        return None
    tree, dialect = parsed
    # Not for a compound query, a CTE or a query without FROM or ORDER BY; nor with DISTINCT,
    # since then the keys query would not return one row per result row.
    if not isinstance(tree, exp.Select) or arg(tree, "with") or tree.args.get("distinct") \
            or not arg(tree, "from") or not tree.args.get("order"):
        return None
    items = tree.expressions
    aliases = {item.alias.lower(): item.this for item in items if isinstance(item, exp.Alias)}
    order = []
    for ordered in tree.args["order"].expressions:
        key = ordered.this
        if isinstance(key, exp.Literal) and key.is_int:  # ORDER BY 2: the second item of the select list
            n = int(key.this)
            if not 1 <= n <= len(items):
                return None
            key = items[n - 1].unalias()
        elif isinstance(key, exp.Column) and not key.table and key.name.lower() in aliases:
            key = aliases[key.name.lower()]
        if isinstance(key, exp.Star):
            return None
        ordered = ordered.copy()
        ordered.set("this", key.copy())
        order.append(ordered)
    keys = tree.copy()
    keys.set("expressions", [o.this.copy() for o in order])
    keys.set("order", exp.Order(expressions=order))
    return keys.sql(dialect=dialect)


def _parents_first(data: SampleData, keys: list[str]) -> list[str]:
    out: list[str] = []
    for key in keys:
        for col in data.schema.tables[key].columns.values():
            if col.ref and col.ref[0] in keys and col.ref[0] != key and col.ref[0] not in out:
                out.append(col.ref[0])
        if key not in out:
            out.append(key)
    return out


# --------------------------------------------------------------------------------------
# The prompt: MyST, every piece of the tutorial escaped (escape, code_span)


def _plain(text: str) -> str:
    """A heading's CommonMark as plain text (its escapes and emphasis marks dropped)."""
    return " ".join(re.sub(r"\\(.)|[*_`]", lambda m: m.group(1) or "", text).split())


def _in_cell(markdown: str) -> str:
    """MyST for a table cell: one line, pipes escaped (GFM needs `\\|` even inside code spans)."""
    return re.sub(r"(?<!\\)\|", r"\\|", markdown.replace("\n", " "))


def _value(value: object) -> str:
    return "NULL" if value is None else escape(" ".join(str(value).split()))


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
    subs = {id(sub.tree): sub for sub in info.subqueries}
    for node in (n for cond in info.where + info.having for n in _own(cond)):
        if isinstance(node, exp.In) and node.args.get("query") is not None:
            sub = subs.get(id(parts_root(node.args["query"])))
        elif isinstance(node, exp.Exists):
            sub = subs.get(id(parts_root(node.this)))
        else:
            continue
        if sub is None or not sub.tables:
            continue
        inner = code_span(sub.tables[0][0])
        conds = _conditions(sub)
        where = (" where " + _and(conds)) if conds else ""
        no = negated(node)
        if isinstance(node, exp.In) and isinstance(node.this, exp.Column):
            what = f"{code_span(sub.selected)} values" if sub.selected else "values"
            out.append(f"{code_span(node.this.name)} is{' not' if no else ''} among the {what} of {inner}{where}")
        elif isinstance(node, exp.Exists):
            out.append(f"there is{' no' if no else ' a'} matching row in {inner}{where}")
    return out


_SPOKEN = {"=": "is", "<>": "is not", "!=": "is not", "<": "is below", ">": "is above",
           "<=": "is at most", ">=": "is at least", "LIKE": "matches the pattern"}
_SPOKEN_DATES = {"<": "is before", ">": "is after", "<=": "is on or before", ">=": "is on or after"}


def _conditions(info: SelectInfo) -> list[str]:
    out = []
    for _table, col, op, value in info.literals:
        if op == "GROUP":
            continue
        spoken = _SPOKEN[op]
        if isinstance(value, str) and _parse_date(value) and op in _SPOKEN_DATES:
            spoken = _SPOKEN_DATES[op]
        text = f"{code_span(col)} {spoken} {code_span(sql_literal(value))}"
        if text not in out:
            out.append(text)
    return out


def _prompt(cand: Candidate, data: SampleData, keys: list[str], names: list[str] | None, ordered: bool,
            task: str, varied: bool = False) -> str:
    parts = []
    where = f" in *{escape(_plain(cand.section))}*" if cand.section else ""
    precise = _structural(cand.info, names) + "."
    what = (f"Write a query like the tutorial's{where}, for the values asked here (not the tutorial's)," if varied
            else f"Write the tutorial's query{where} yourself,")
    if task:
        parts.append(f"**{escape(task)}.** {what} for the sample database "
                     f"`{DB}` below (made by the folded setup cell), as one SQLite query in the string `query`: "
                     + precise[0].lower() + precise[1:])
    else:
        parts.append(f"**{precise}** {what} for the sample database "
                     f"`{DB}` below (made by the folded setup cell), as one SQLite query in the string `query`.")
    order = ("in the order its `ORDER BY` asks for (rows that tie on it may come in any order)" if ordered
             else "in any order")
    if names:
        cols = ", ".join(code_span(n) for n in names)
        parts.append(f"Your result should have **{len(names)} column{'s' if len(names) != 1 else ''}** ({cols}; "
                     f"their names don't matter, their order does), its rows {order}. The check runs the "
                     "tutorial's query too and tells you how many rows to expect.")
    else:
        parts.append(f"Your result's rows may come {order}; the columns' names don't matter, their order does. "
                     "The check runs the tutorial's query too and tells you how many rows and columns to expect.")
    lines = ["| Table | Columns |", "|---|---|"]
    for key in keys:
        spec = data.schema.tables[key]
        cells = []
        for col in spec.columns.values():
            c = code_span(col.name)
            if col.pk:
                c += " (key)"
            if col.ref:
                c += " → " + code_span(f"{data.schema.tables[col.ref[0]].name}.{col.ref[1]}")
            cells.append(c)
        lines.append(f"| {_in_cell(code_span(spec.name))} | {_in_cell(', '.join(cells))} |")
    parts.append("The sample database:\n\n" + "\n".join(lines))
    for key in keys:
        spec = data.schema.tables[key]
        rows = data.rows[key]
        header = [escape(col.name) for col in spec.columns.values()]
        table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        table += ["| " + " | ".join(_value(v) for v in row) + " |" for row in rows[:PREVIEW_ROWS]]
        parts.append(f"First {min(len(rows), PREVIEW_ROWS)} of {len(rows)} rows of {code_span(spec.name)}:\n\n"
                     + "\n".join(table))
    hint = _describe(cand.info)
    if hint:
        parts.append(f"Hint: the tutorial's query uses {hint}.")
    return "\n\n".join(parts)


# --------------------------------------------------------------------------------------
# The check: runs the reference query and the learner's, in the notebook's kernel


_CHECK = """\
import sqlite3 as _sqlite3
"""

# The expected result, as digests: the tutorial's query (packed, so the answer is not in plain
# sight) run now, with its ORDER BY values when it sorts (rows that tie on them may come in any order).
_REFERENCE = """\
import base64 as _base64, zlib as _zlib

def _unpacked(text):
    return _zlib.decompress(_base64.b64decode(text)).decode()

try:
    _cursor = {db}.execute(_unpacked({reference!r}))
    _reference_rows, _columns = _cursor.fetchall(), len(_cursor.description or ())
except (_sqlite3.Error, _sqlite3.Warning) as _err:
    raise RuntimeError(f"This exercise can't be checked here: the tutorial's query fails on this SQLite ({{_err}}).") from None
if not _reference_rows or all(_v is None for _row in _reference_rows for _v in _row):
    raise RuntimeError("This exercise can't be checked here: the tutorial's query returns no values on the sample database.")
_keys = None
if {keys!r}:
    try:
        _keys = {db}.execute(_unpacked({keys!r})).fetchall()
    except (_sqlite3.Error, _sqlite3.Warning):
        pass
_expected = {{
    "columns": _columns, "rows": len(_reference_rows), "digest": _rows_digest(_reference_rows, False),
    "ties": _tie_groups(_reference_rows, _keys) if _keys is not None and len(_keys) == len(_reference_rows) else None,
}}
"""

_CHECK_LEARNER = """\
assert isinstance(query, str) and query.strip(), "Put your SQL in the string `query` first."
try:
    _cursor = {db}.execute(query)
    _rows = _cursor.fetchall()
except (_sqlite3.Error, _sqlite3.Warning) as _err:
    raise AssertionError(f"Your query failed: {{_err}}. Check it against the tables and columns above (one statement only).") from None
assert _cursor.description is not None, "Your query returns no table yet: write a SELECT statement in `query`."
assert len(_cursor.description) == _expected["columns"], f"Your result has {{len(_cursor.description)}} column(s); the task asks for {{_expected['columns']}}."
assert len(_rows) == _expected["rows"], f"Your result has {{len(_rows)}} row(s); the expected result has {{_expected['rows']}}."
assert _rows_digest(_rows, False) == _expected["digest"], (
    "The right number of rows and columns, but not the expected values: "
    "check your join, your conditions and the columns you select.")
if _expected["ties"] is not None:
    assert _in_tie_groups(_rows, _expected["ties"]), "The right rows, but not in the expected order: check your ORDER BY."
print(f"✅ Your query returns the expected result ({{_expected['rows']}} row{{'s' if _expected['rows'] != 1 else ''}}).")
"""


def check_code(reference_query: str, order_keys: str | None) -> str:
    """The check cell: runs the reference query and `query` on the sample database, compares the
    result sets (in order, ties aside, when `order_keys`, the reference's sort-keys query, is given)."""
    keys = packed(order_keys) if order_keys else ""
    return (RESULT_HELPERS + "\n" + _CHECK + reference(_REFERENCE.format(db=DB, reference=packed(reference_query), keys=keys))
            + _CHECK_LEARNER.format(db=DB))
