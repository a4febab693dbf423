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
from sqlglot.errors import ParseError, TokenError

__all__ = ["arg", "names", "parse", "parse_in"]

_DIALECTS = ("sqlite", "mysql", "postgres")
_LOG = logging.getLogger("sqlglot")


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
