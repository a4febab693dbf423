"""SQL blocks: run with JupySQL's `%%sql` on an SQLite database made for the notebook.

The tutorial's own CREATE TABLE and INSERT run as its blocks come; tables it only
queries are created first, with designed sample rows (`missing_tables_script`,
the rows its "write the query" exercises use). MySQL or PostgreSQL statements
SQLite would read differently are transpiled with sqlglot, the tutorial's text
kept as a comment above. Server administration (`SET GLOBAL`, `SHOW STATUS`,
storage engines, the server's catalogues) has no meaning for an embedded
database: shown with that reason.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot.errors import SqlglotError

from .verdict import Context, Verdict, run, skip

_ADMIN = re.compile(
    r"^\s*(SET\s+(GLOBAL|SESSION|PERSIST|@@|PASSWORD)|SHOW\s|FLUSH\s|GRANT\s|REVOKE\s|ANALYZE\s+TABLE|OPTIMIZE\s+TABLE|"
    r"REPAIR\s+TABLE|CHECK\s+TABLE|CREATE\s+(USER|DATABASE|ROLE|SCHEMA)|DROP\s+(USER|DATABASE)|USE\s+\w|"
    r"ALTER\s+(SYSTEM|USER|DATABASE)|VACUUM\s+FULL|LOAD\s+DATA|LOCK\s+TABLES|KILL\s)|"
    r"\b(information_schema|performance_schema|pg_stat\w*|pg_catalog|mysql\.\w+)\b|\bENGINE\s*=", re.I | re.M)
_MYSQL = re.compile(r"\bAUTO_INCREMENT\b|`|\bUNSIGNED\b|\bENGINE\b|\bNOW\(\)|\bYEAR\(|\bDATE_FORMAT\(|"
                    r"\bIFNULL\(|\bLIMIT\s+\d+\s*,\s*\d+|\bCURDATE\(|\bDATE_SUB\(|\bINTERVAL\b", re.I)
_POSTGRES = re.compile(r"\bSERIAL\b|::\w|\bILIKE\b|\bRETURNING\b|\bJSONB\b|\bNOW\(\)|\bBOOLEAN\b", re.I)
SETUP = ("%load_ext sql\n"
         "%config SqlMagic.displaycon = False\n"
         "%config SqlMagic.feedback = 0\n"
         "%sql sqlite://")
"""The course's setup cell: JupySQL on an empty in-memory SQLite database for this notebook."""


def dialect(code: str) -> str:
    """The dialect the tutorial wrote, as sqlglot names it ("sqlite" when nothing says otherwise)."""
    if _MYSQL.search(code):
        return "mysql"
    if _POSTGRES.search(code):
        return "postgres"
    return "sqlite"


def judge(code: str, context: Context = Context()) -> Verdict:
    del context  # every SQL block of a notebook runs on the same database
    found = _ADMIN.search(code)
    if found:
        return skip(f"server administration (`{' '.join(found.group(0).split()[:2])}`): it configures a MySQL or "
                    "PostgreSQL server; the notebook's embedded SQLite database has no such setting", "service")
    if not re.search(r"\w", re.sub(r"--[^\n]*", "", re.sub(r"/\*.*?\*/", "", code, flags=re.S))):
        return skip("no SQL statement to run", "reading")
    read = dialect(code)
    code, changed = _explain(code)
    if read == "sqlite":
        return run(code, change="`EXPLAIN` becomes SQLite's `EXPLAIN QUERY PLAN`" if changed else "")
    try:
        translated = _transpile(code, read)
    except SqlglotError as err:
        return skip(f"{read} SQL that sqlglot cannot translate for SQLite ({str(err).splitlines()[0][:80]})", "language")
    if translated is None:
        return run(code)
    shown = "\n".join(f"-- {line}" if line.strip() else "--" for line in code.strip("\n").splitlines())
    return run(f"-- The tutorial's {_NAMES[read]} (translated for SQLite below):\n{shown}\n{translated}\n",
               change=f"{_NAMES[read]} translated for SQLite with sqlglot; the tutorial's statements are kept as comments")


_NAMES = {"mysql": "MySQL", "postgres": "PostgreSQL"}


def _explain(code: str) -> tuple[str, bool]:
    new = re.sub(r"^(\s*)EXPLAIN(?!\s+QUERY\s+PLAN)(\s+(ANALYZE|FORMAT\s*=\s*\w+))?\s+", r"\1EXPLAIN QUERY PLAN ", code, flags=re.I | re.M)
    return new, new != code


def _transpile(code: str, read: str) -> str | None:
    """The statements in SQLite's dialect; None when SQLite reads them as written."""
    out, differs = [], False
    for statement in sqlglot.parse(code, read=read):
        if statement is None:
            continue
        mine = statement.sql(dialect=read)
        theirs = statement.sql(dialect="sqlite")
        differs |= _plain(mine) != _plain(theirs)
        out.append(theirs + ";")
    return "\n".join(out) if differs else None


def _plain(sql: str) -> str:
    return re.sub(r"[\s`\"]+", "", sql).upper()
