"""SQL source as tokens and statements (with the comments above each), and what SQLite can run.

Lenient about dialect (MySQL backticks and `#` comments, PostgreSQL `::`): tutorials mix
them. What a statement means is read from sqlglot's tree (select_analysis, sql_tree).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
# Parentheses


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


# --------------------------------------------------------------------------------------
# What SQLite can run, read from the tokens (convert never runs a query to find out)

# SQLite 3.39's built-in functions (core, aggregate, date and time, window, JSON); 3.39 is
# also what RIGHT and FULL JOIN need. Newer ones (concat, string_agg...) and the optional
# math functions are left out: a kernel's SQLite may lack them. `course check` proves the rest.
_SQLITE_FUNCTIONS = {
    "ABS", "CHANGES", "CHAR", "COALESCE", "FORMAT", "GLOB", "HEX", "IFNULL", "IIF", "INSTR", "LENGTH", "LIKE",
    "LIKELIHOOD", "LIKELY", "LOWER", "LTRIM", "MAX", "MIN", "NULLIF", "PRINTF", "QUOTE", "RANDOM", "RANDOMBLOB",
    "REPLACE", "ROUND", "RTRIM", "SIGN", "SUBSTR", "SUBSTRING", "TRIM", "TYPEOF", "UNICODE", "UNLIKELY", "UPPER",
    "ZEROBLOB", "CAST",
    "AVG", "COUNT", "GROUP_CONCAT", "SUM", "TOTAL",
    "DATE", "TIME", "DATETIME", "JULIANDAY", "UNIXEPOCH", "STRFTIME",
    "ROW_NUMBER", "RANK", "DENSE_RANK", "PERCENT_RANK", "CUME_DIST", "NTILE", "LAG", "LEAD", "FIRST_VALUE",
    "LAST_VALUE", "NTH_VALUE",
    "JSON", "JSON_ARRAY", "JSON_ARRAY_LENGTH", "JSON_EXTRACT", "JSON_INSERT", "JSON_OBJECT", "JSON_PATCH",
    "JSON_REMOVE", "JSON_REPLACE", "JSON_SET", "JSON_TYPE", "JSON_VALID", "JSON_QUOTE", "JSON_GROUP_ARRAY",
    "JSON_GROUP_OBJECT",
}
# Words before a parenthesis that are syntax, not a function call.
_BEFORE_PAREN = {"IN", "EXISTS", "USING", "OVER", "AS", "VALUES", "ON", "AND", "OR", "NOT", "FROM", "JOIN", "WHERE",
                 "SELECT", "THEN", "ELSE", "WHEN", "CASE", "BY", "FILTER", "ALL", "ANY", "SOME", "DISTINCT",
                 "HAVING", "UNION", "INTERSECT", "EXCEPT", "LIMIT", "OFFSET", "IS", "LIKE", "BETWEEN", "ESCAPE",
                 "WITH", "RECURSIVE", "MATERIALIZED", "END", "WINDOW", "PARTITION", "GLOB"}
# Other dialects' words that SQLite's SELECT has no use for (MySQL full-text search and
# index hints, PostgreSQL, SQL Server, Oracle).
_FOREIGN_WORDS = {"AGAINST", "INTERVAL", "ILIKE", "LATERAL", "ROLLUP", "CUBE", "STRAIGHT_JOIN", "FORCE", "USE",
                  "TOP", "FETCH", "PIVOT", "UNPIVOT", "SEPARATOR", "FOR", "QUALIFY", "CONNECT", "PRIOR", "SIMILAR",
                  "REGEXP", "RLIKE", "DUAL"}


def sqlite_problem(toks: list[Tok]) -> str:
    """Why SQLite would refuse this statement, from its tokens alone ("" when nothing is known to fail)."""
    for k, tok in enumerate(toks):
        if tok.kind == "other" or tok.text == "::":
            return f"{tok.text!r} is not SQLite syntax (a parameter or another dialect's operator)"
        if tok.kind != "ident" or tok.text.startswith("`"):
            continue
        if tok.up in _FOREIGN_WORDS:
            return f"{tok.up} is another dialect's SQL"
        if k + 1 < len(toks) and toks[k + 1].text == "(" and tok.up not in _BEFORE_PAREN \
                and tok.up not in _SQLITE_FUNCTIONS and not _column_list(toks, k):
            return f"{tok.text}() is not an SQLite function"
    return ""


def _column_list(toks: list[Tok], k: int) -> bool:
    """Whether the parenthesis after toks[k] lists columns (`WITH name (a, b) AS (...)`)."""
    close = _matching_paren(toks, k + 1)
    return close + 1 < len(toks) and toks[close + 1].up == "AS"
