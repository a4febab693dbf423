"""Small, realistic bugs made from working code: one change each, in any language.

Mutation operators are regular expressions applied to the code outside its strings
and comments (Pygments tokenises the code to find those), so `">= 2"` in a string or
`# x >= 2` in a comment is never changed. Each mutant changes one place on one line.
Whether a mutant really behaves differently is not decided here: the exercises run
both programs in their checks, and `course check` proves the mutant fails.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from pygments.token import Comment, String

from ..languages import pygments_lexer


LANGUAGE_NAMES = {"javascript": "JavaScript", "typescript": "TypeScript", "go": "Go", "ruby": "Ruby",
                  "python": "Python", "sql": "SQL", "shell": "shell"}
"""How exercise prompts name the languages they show code in."""


@dataclass(frozen=True, slots=True)
class Mutant:
    code: str
    line: int
    """1-based number of the line changed."""
    change: str
    """What was changed, for notes and tests (`>=` → `>`)."""
    rank: int
    """Lower is a likelier real mistake (a boundary, a condition) than a higher one (a literal)."""


# (rank, pattern on the masked code, replacement, description). Lookarounds keep arrows
# (`=>`, `->`, `<-`), shifts and generics out. A replacement may be a function of the match.
Operator = tuple[int, str, "str | Callable[[re.Match], str]", str]
_COMPARISONS: tuple[Operator, ...] = (
    (0, r"(?<![<>=!-])>=(?![=>])", "<", "`>=` → `<`"),
    (0, r"(?<![<>=!])<=(?![=>])", ">", "`<=` → `>`"),
    (0, r"(?<![<>=!-])>=(?![=>])", ">", "`>=` → `>`"),
    (0, r"(?<![<>=!])<=(?![=>])", "<", "`<=` → `<`"),
    (0, r"(?<![-=<>!>])>(?![=>])", ">=", "`>` → `>=`"),
    (0, r"(?<![<])<(?![=<>-])", "<=", "`<` → `<=`"),
    (0, r"(?<![=!<>])===(?!=)", "!==", "`===` → `!==`"),
    (0, r"(?<![=!<>])==(?!=)", "!=", "`==` → `!=`"),
    (0, r"(?<![=!])!==?(?!=)", "==", "`!=` → `==`"),
)
_CODE: tuple[Operator, ...] = (
    (0, r"&&", "||", "`&&` → `||`"),
    (0, r"\|\|", "&&", "`||` → `&&`"),
    (0, r"\band\b", "or", "`and` → `or`"),
    (0, r"\bor\b", "and", "`or` → `and`"),
    (1, r"\bTrue\b", "False", "`True` → `False`"),
    (1, r"\bFalse\b", "True", "`False` → `True`"),
    (1, r"\btrue\b", "false", "`true` → `false`"),
    (1, r"\bfalse\b", "true", "`false` → `true`"),
    (1, r"\bupcase\b", "downcase", "`upcase` → `downcase`"),
    (1, r"\bdowncase\b", "upcase", "`downcase` → `upcase`"),
    (1, r"\bupper\b", "lower", "`upper` → `lower`"),
    (1, r"\blower\b", "upper", "`lower` → `upper`"),
    (1, r"\btoUpperCase\b", "toLowerCase", "`toUpperCase` → `toLowerCase`"),
    (1, r"\btoLowerCase\b", "toUpperCase", "`toLowerCase` → `toUpperCase`"),
    (1, r"\bfirst\b", "last", "`first` → `last`"),
    (1, r"\blast\b", "first", "`last` → `first`"),
    (1, r"\bmin\b", "max", "`min` → `max`"),
    (1, r"\bmax\b", "min", "`max` → `min`"),
    (1, r"\.reverse\b(?:\(\))?", "", "`.reverse` dropped"),
    (1, r"\bawait\s+", "", "`await` dropped"),
    (2, r"\+=", "-=", "`+=` → `-=`"),
    (2, r"(?<=[\w)\]]) \+ (?=[\w(])", " - ", "`+` → `-`"),
    (2, r"(?<=[\w)\]]) \* (?=[\w(])", " + ", "`*` → `+`"),
)
_NUMBER: Operator = (3, r"(?<![\w.$@])(\d+)(?![\w.])", lambda m: str(int(m.group(1)) + 1), "a number changed by one")
_OPERATORS = _COMPARISONS + _CODE + (_NUMBER,)

# SQL's own slips (case-insensitive): the join kind, the sort direction, AND/OR, DISTINCT.
_SQL_OPERATORS: tuple[Operator, ...] = (
    (0, r"(?i)\bLEFT\s+(?:OUTER\s+)?JOIN\b", "INNER JOIN", "`LEFT JOIN` → `INNER JOIN`"),
    (0, r"(?i)\bINNER\s+JOIN\b", "LEFT JOIN", "`INNER JOIN` → `LEFT JOIN`"),
    (0, r"(?i)\bAND\b", "OR", "`AND` → `OR`"),
    (0, r"(?i)\bOR\b", "AND", "`OR` → `AND`"),
    (1, r"(?i)\bDESC\b", "ASC", "`DESC` → `ASC`"),
    (1, r"(?i)\bASC\b", "DESC", "`ASC` → `DESC`"),
    (1, r"(?i)\bDISTINCT\s+", "", "`DISTINCT` dropped"),
    (1, r"(?i)\bIS\s+NULL\b", "IS NOT NULL", "`IS NULL` → `IS NOT NULL`"),
    (1, r"(?i)\bIS\s+NOT\s+NULL\b", "IS NULL", "`IS NOT NULL` → `IS NULL`"),
    (0, r"(?i)\bFULL\s+(?:OUTER\s+)?JOIN\b", "LEFT JOIN", "`FULL JOIN` → `LEFT JOIN`"),
    (0, r"(?i)\bRIGHT\s+(?:OUTER\s+)?JOIN\b", "INNER JOIN", "`RIGHT JOIN` → `INNER JOIN`"),
    (0, r"(?i)(?<!NOT )\bIN\s*\(", "NOT IN (", "`IN` → `NOT IN`"),
    (0, r"(?i)\bNOT\s+IN\s*\(", "IN (", "`NOT IN` → `IN`"),
    (1, r"(?i)\bMAX\s*\(", "MIN(", "`MAX` → `MIN`"),
    (1, r"(?i)\bMIN\s*\(", "MAX(", "`MIN` → `MAX`"),
    (1, r"(?i)\bSUM\s*\(", "COUNT(", "`SUM` → `COUNT`"),
    (1, r"(?i)\bAVG\s*\(", "SUM(", "`AVG` → `SUM`"),
    (1, r"(?i)\bCOUNT\s*\(\s*DISTINCT\s+", "COUNT(", "`COUNT(DISTINCT` → `COUNT(`"),
    (2, r"(?<![<>!=])=(?![=>])", "<>", "`=` → `<>`"),
)
_LEXERS = {"shell": "bash"}
# Lines that declare rather than compute (`class Product < Base`, `def f(a=1)`, imports):
# a change there is a syntax error or a different program, not a plausible slip.
_DECLARATION = re.compile(r"^\s*(class|module|def|function|func|import|from|require|package|using|#include)\b")


@lru_cache(maxsize=256)
def _tokens(code: str, language: str) -> tuple[tuple[object, str], ...] | None:
    """Pygments' tokens of `code`, or None. Cached: the generators take one block apart
    several times (masked, without comments), half the calls were repeats."""
    lexer = pygments_lexer(_LEXERS.get(language, language), exact=True)
    if lexer is None:
        return None
    tokens = tuple(lexer.get_tokens(code))
    return tokens if "".join(v for _, v in tokens) == code else None  # a lexer that rewrote the text


def warm_lexers(languages: set[str]) -> None:
    """Look up (and so compile: Pygments compiles a lexer's patterns when first made) the lexers
    for these languages now: budget workers forked after this inherit them instead of each
    compiling its own."""
    for language in sorted(languages):
        try:
            pygments_lexer(_LEXERS.get(language, language), exact=True)
        except Exception:  # noqa: BLE001 (outside the budget: a lexer that fails is the worker's to meet)
            continue


def masked(code: str, language: str) -> str:
    """`code` with every string and comment character replaced by a space (newlines kept)."""
    tokens = _tokens(code, language)
    if tokens is None:
        return code
    return "".join(re.sub(r"[^\n]", " ", v) if t in String or t in Comment else v for t, v in tokens)


def without_comments(code: str, language: str) -> str:
    """`code` with its comments removed (their line breaks kept)."""
    tokens = _tokens(code, language)
    if tokens is None:
        return code
    return "".join("\n" * v.count("\n") if t in Comment else v for t, v in tokens)


def mutants(code: str, language: str) -> list[Mutant]:
    """Every one-place mutant of `code`, likeliest mistakes first, in line order within a rank."""
    return list(_mutants(code, language))


@lru_cache(maxsize=256)
def _mutants(code: str, language: str) -> tuple[Mutant, ...]:
    """Cached: Parsons problems ask for every piece's mutants twice (is there a slip to offer,
    then which), and the slips of a block again."""
    mask = masked(code, language)
    lines = code.splitlines()
    declaring = [bool(_DECLARATION.match(line)) for line in lines]
    starts = [m.end() for m in re.finditer("\n", code)]  # where lines 2, 3, ... start
    found: dict[str, Mutant] = {}
    operators = _SQL_OPERATORS + _COMPARISONS + (_NUMBER,) if language == "sql" else _OPERATORS
    for rank, pattern, replacement, change in operators:
        for match in re.finditer(pattern, mask):
            line = bisect.bisect_right(starts, match.start()) + 1
            if declaring[line - 1]:
                continue
            new = replacement(match) if callable(replacement) else replacement
            mutated = code[: match.start()] + new + code[match.end():]
            if mutated != code and mutated not in found:
                found[mutated] = Mutant(mutated, line, change, rank)
    return tuple(sorted(found.values(), key=lambda m: (m.rank, m.line)))


def spread(candidates: list[Mutant], count: int) -> list[Mutant]:
    """Up to `count` mutants, on different lines where there are enough lines, best first."""
    picked: list[Mutant] = []
    for mutant in candidates:
        if len(picked) < count and all(m.line != mutant.line for m in picked):
            picked.append(mutant)
    for mutant in candidates:
        if len(picked) < count and mutant not in picked:
            picked.append(mutant)
    return picked
