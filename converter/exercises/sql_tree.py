"""A tutorial's SQL statement as sqlglot's syntax tree, in whichever dialect it parses.

Tutorials mix dialects (MySQL backticks and `AUTO_INCREMENT`, PostgreSQL `SERIAL`),
so each statement is tried as SQLite (which also takes backticks and double-quoted
names), then MySQL, then PostgreSQL.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

__all__ = ["arg", "item_texts", "names", "parse", "parse_in", "clause_text", "without_clause"]

_DIALECTS = ("sqlite", "mysql", "postgres")
_LOG = logging.getLogger("sqlglot")
for _dialect in _DIALECTS:  # imported with this module (sqlglot loads a dialect when first asked for
    Dialect.get_or_raise(_dialect)  # it), not again in each of convert's workers


def _not_a_fallback(record: logging.LogRecord) -> bool:
    """sqlglot warns when it keeps a statement as a Command; here the next dialect is tried instead."""
    return "Falling back to parsing as a 'Command'" not in record.getMessage()


def parse(sql: str) -> exp.Expression | None:
    """The statement's tree (shared: copy it before changing it); None when no dialect parses it."""
    parsed = parse_in(sql)
    return parsed[0] if parsed else None


@lru_cache(maxsize=2048)
def parse_in(sql: str) -> tuple[exp.Expression, str] | None:
    """The statement's tree and the dialect it parsed in, to write SQL back in that dialect
    (written in another, sqlglot would spell out what differs, such as where NULLs sort)."""
    _LOG.addFilter(_not_a_fallback)
    try:
        for dialect in _DIALECTS:
            try:
                tree = sqlglot.parse_one(sql, read=dialect)
            except (ParseError, TokenError, RecursionError):
                continue
            if tree is not None and not isinstance(tree, exp.Command):  # a Command: sqlglot gave up on it
                return tree, dialect
        return None
    finally:
        _LOG.removeFilter(_not_a_fallback)


def names(node: exp.Expression | None) -> list[str]:
    """The column names a parenthesised list holds (`(a, b DESC)`, `REFERENCES t (id)`), unquoted."""
    if node is None:
        return []
    items = node.args.get("columns") or [] if isinstance(node, exp.IndexParameters) else node.expressions
    items = [item.this if isinstance(item, exp.Ordered) else item for item in items]
    return [_prefixed(item).name for item in items if isinstance(_prefixed(item), (exp.Column, exp.Identifier))]


def _prefixed(item: exp.Expression) -> exp.Expression:
    """The column of a MySQL prefix index (`address(10)`: its first 10 characters), which parses
    as a call; any other expression (`lower(email)`) is left as it is, and is no column."""
    if isinstance(item, exp.Anonymous) and len(item.expressions) == 1 and item.expressions[0].is_int:
        return exp.column(item.name)
    return item


def arg(node: exp.Expression, name: str) -> object:
    """A child by its name: newer sqlglot spells the ones that are Python keywords `from_`, `with_`."""
    return node.args.get(name + "_") or node.args.get(name)


# What ends a select list (at the top level, not in parentheses).
_AFTER_ITEMS = {TokenType.FROM, TokenType.WHERE, TokenType.GROUP_BY, TokenType.HAVING, TokenType.ORDER_BY,
                TokenType.LIMIT, TokenType.UNION, TokenType.INTERSECT, TokenType.EXCEPT, TokenType.WINDOW,
                TokenType.SEMICOLON}


def item_texts(sql: str, dialect: str) -> list[str]:
    """The source text of each item of the query's first top-level select list (SQLite names a
    result column that has no alias by its text, as written)."""
    items: list[list] = []
    depth = 0
    for tok in Dialect.get_or_raise(dialect).tokenize(sql):
        if tok.token_type in (TokenType.L_PAREN, TokenType.R_PAREN):
            depth += 1 if tok.token_type == TokenType.L_PAREN else -1
        if depth:
            if items:
                items[-1].append(tok)
        elif not items:
            if tok.token_type == TokenType.SELECT:
                items.append([])
        elif tok.token_type in _AFTER_ITEMS:
            break
        elif tok.token_type == TokenType.COMMA:
            items.append([])
        elif not (tok.token_type in (TokenType.DISTINCT, TokenType.ALL) and len(items) == 1 and not items[0]):
            items[-1].append(tok)
    return [sql[item[0].start:item[-1].end + 1] for item in items if item]


def without_clause(sql: str, clause: TokenType, ends: set[TokenType]) -> str:
    """The query's text, as written, without its first top-level `clause` (`WHERE ...` up to the
    first of `ends`): a subquery's or a comment's WHERE is left alone. `sql` when it has none."""
    span = _clause_span(sql, clause, ends)
    return sql if span is None else sql[:span[0]].rstrip() + sql[span[1]:]


def clause_text(sql: str, clause: TokenType, ends: set[TokenType]) -> str:
    """The text of the query's first top-level `clause` after its keyword, as written, on one line ("" if none)."""
    span = _clause_span(sql, clause, ends)
    return "" if span is None or span[2] is None else " ".join(sql[span[2]:span[1]].split())


def _clause_span(sql: str, clause: TokenType, ends: set[TokenType]) -> tuple[int, int, int | None] | None:
    """Where the first top-level `clause` starts, ends, and its first token after the keyword starts."""
    parsed = parse_in(sql)
    if parsed is None:
        return None
    depth, start, body, last = 0, None, None, None
    for tok in Dialect.get_or_raise(parsed[1]).tokenize(sql):
        if start is not None and depth == 0 and tok.token_type in ends | {TokenType.SEMICOLON}:
            break
        if tok.token_type in (TokenType.L_PAREN, TokenType.R_PAREN):
            depth += 1 if tok.token_type == TokenType.L_PAREN else -1
        if start is None:
            if depth == 0 and tok.token_type == clause:
                start = tok.start
        else:
            body = tok.start if body is None else body
            last = tok.end
    if start is None or last is None:
        return None
    return start, last + 1, body
