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
from ..needles import may_match, needle


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
_CODE_TABLE = tuple((rank, re.compile(p), new, change, needle(p)) for rank, p, new, change in _OPERATORS)
_SQL_TABLE = tuple((rank, re.compile(p), new, change, needle(p))
                   for rank, p, new, change in _SQL_OPERATORS + _COMPARISONS + (_NUMBER,))
_LEXERS = {"shell": "bash"}
# Lines that declare rather than compute (`class Product < Base`, `def f(a=1)`, imports):
# a change there is a syntax error or a different program, not a plausible slip.
_DECLARATION = re.compile(r"^\s*(class|module|def|function|func|import|from|require|package|using|#include)\b")


def _classes(code: str, language: str, within: str = "") -> str | None:
    """What each character of `code` is: "c" in a comment, "s" in a string, " " elsewhere
    (None: no lexer, or one that rewrote the text). Code cut from a block (`within`: a piece,
    a function's body, the block without its comments, a variation of it) takes its
    characters' classes from the block, as they read there (`_cut_from`), instead of being
    lexed again out of context: those were three lexings in four."""
    if within and within != code and (whole := _lexed(within, language)) is not None:
        cut = _cut_from(code, within, whole)
        if cut is None:
            cut = _cut_from(code, *_bare(within, language))
        if cut is not None:
            return cut
    return _lexed(code, language)


@lru_cache(maxsize=512)
def _lexed(code: str, language: str) -> str | None:
    """`_classes` from Pygments' tokens. Cached: the generators ask about one text several times."""
    lexer = pygments_lexer(_LEXERS.get(language, language), exact=True)
    if lexer is None:
        return None
    tokens = list(lexer.get_tokens(code))
    if "".join(v for _, v in tokens) != code:  # a lexer that rewrote the text
        return None
    return "".join(("c" if t in Comment else "s" if t in String else " ") * len(v) for t, v in tokens)


@lru_cache(maxsize=64)
def _bare(code: str, language: str) -> tuple[str, str]:
    """A lexed block without its comments, and its classes."""
    classes = _lexed(code, language)
    assert classes is not None  # (asked only of a block that has them)
    return _without_comments(code, classes)


def _without_comments(code: str, classes: str) -> tuple[str, str]:
    """`code` and its classes with the comments' characters left out (their line breaks kept)."""
    code_parts, class_parts, last = [], [], 0
    for run in _COMMENT_RUN.finditer(classes):
        breaks = code.count("\n", run.start(), run.end())
        code_parts += [code[last:run.start()], "\n" * breaks]
        class_parts += [classes[last:run.start()], " " * breaks]
        last = run.end()
    code_parts.append(code[last:])
    class_parts.append(classes[last:])
    return "".join(code_parts), "".join(class_parts)


_COMMENT_RUN = re.compile("c+")
_HIDDEN_RUN = re.compile("[cs]+")
_NOT_A_BREAK = re.compile("[^\n]")


@lru_cache(maxsize=64)
def _lines_of(parent: str) -> tuple[list[str], list[int], dict[str, list[int]]]:
    """A parent's lines, where each starts, and the lines holding each stripped text."""
    lines = parent.split("\n")
    starts, offset, holding = [], 0, {}
    for n, line in enumerate(lines):
        starts.append(offset)
        offset += len(line) + 1
        holding.setdefault(line.strip(), []).append(n)
    return lines, starts, holding


def _cut_from(code: str, parent: str, classes: str) -> str | None:
    """The classes of `code` when its lines are consecutive lines of `parent` (blank lines of
    `parent` may be left out), each whole but for whitespace at its ends, or with names and
    numbers in its code changed (`_renamed_line`); else None."""
    lines = code.split("\n")
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return None
    parent_lines, starts, holding = _lines_of(parent)
    # Where its first line is in the parent; or, that line renamed, the parent's first line.
    top = next((n for n, line in enumerate(parent_lines) if line.strip()), 0)
    for start in dict.fromkeys([*holding.get(lines[first].strip(), ()), top]):
        if start >= first:
            cut = _cut_at(lines, parent_lines, starts, classes, start - first)
            if cut is not None:
                return cut
    return None


def _cut_at(lines: list[str], parent_lines: list[str], starts: list[int], classes: str, j: int) -> str | None:
    """`_cut_from` with the first line of `lines` at line `j` of the parent."""
    cut: list[str] = []
    for n, line in enumerate(lines):
        if n:  # the line break ending the parent's line taken last
            end = starts[j - 1] + len(parent_lines[j - 1])
            cut.append(classes[end] if end < len(classes) else " ")
        if line.strip():
            while j < len(parent_lines) and not parent_lines[j].strip():
                j += 1  # blank lines of the parent left out
        if j >= len(parent_lines):
            return None
        source = parent_lines[j]
        column = (len(source) - len(source.lstrip())) - (len(line) - len(line.lstrip()))
        if not line.strip():
            if source.strip() or len(line) > len(source):
                return None
            column = 0
        elif column < 0 or source[column:column + len(line)] != line or source[column + len(line):].strip():
            renamed = _renamed_line(line, source, classes[starts[j]:starts[j] + len(source)])
            if renamed is None:
                return None
            cut.append(renamed)
            j += 1
            continue
        cut.append(classes[starts[j] + column:starts[j] + column + len(line)])
        j += 1
    return "".join(cut)


_WORDS = re.compile(r"\w+|\s+|.")
_WORD = re.compile(r"\w+")


def _renamed_line(line: str, source: str, classes: str) -> str | None:
    """The classes of `line` when it is `source` (whitespace at the ends aside) with names or
    numbers in its code changed (a variation's renames: `count` -> `my_count`, `280` -> `300`),
    never inside a string or a comment; else None."""
    core, column = line.strip(), len(source) - len(source.lstrip())
    ours, theirs = _WORDS.findall(core), _WORDS.findall(source.strip())
    if len(ours) != len(theirs):
        return None
    out = [" " * (len(line) - len(line.lstrip()))]
    for mine, original in zip(ours, theirs):
        kinds = classes[column:column + len(original)]
        if mine != original and (not _WORD.fullmatch(mine) or not _WORD.fullmatch(original) or kinds.strip()):
            return None  # a change that is not a name or a number for another, or one in a string or a comment
        out.append(kinds if mine == original else " " * len(mine))
        column += len(original)
    out.append(" " * (len(line) - len(line.rstrip())))
    return "".join(out)


def warm_lexers(languages: set[str]) -> None:
    """Look up (and so compile: Pygments compiles a lexer's patterns when first made) the lexers
    for these languages now: budget workers forked after this inherit them instead of each
    compiling its own."""
    for language in sorted(languages):
        try:
            pygments_lexer(_LEXERS.get(language, language), exact=True)
        except Exception:  # noqa: BLE001 (outside the budget: a lexer that fails is the worker's to meet)
            continue


def masked(code: str, language: str, within: str = "") -> str:
    """`code` with every string and comment character replaced by a space (newlines kept).
    `within`: the block `code` was cut from, if any (see `_classes`)."""
    classes = _classes(code, language, within)
    if classes is None:
        return code
    parts, last = [], 0
    for run in _HIDDEN_RUN.finditer(classes):
        parts += [code[last:run.start()], _NOT_A_BREAK.sub(" ", code[run.start():run.end()])]
        last = run.end()
    parts.append(code[last:])
    return "".join(parts)


def without_comments(code: str, language: str, within: str = "") -> str:
    """`code` with its comments removed (their line breaks kept)."""
    classes = _classes(code, language, within)
    return code if classes is None else _without_comments(code, classes)[0]


def mutants(code: str, language: str, within: str = "") -> list[Mutant]:
    """Every one-place mutant of `code`, likeliest mistakes first, in line order within a rank
    (`within`: the block `code` was cut from, if any)."""
    return list(_mutants(code, language, within))


@lru_cache(maxsize=256)
def _mutants(code: str, language: str, within: str) -> tuple[Mutant, ...]:
    """Cached: Parsons problems ask for every piece's mutants twice (is there a slip to offer,
    then which), and the slips of a block again."""
    mask = masked(code, language, within)
    lines = code.splitlines()
    declaring = [bool(_DECLARATION.match(line)) for line in lines]
    starts = [m.end() for m in re.finditer("\n", code)]  # where lines 2, 3, ... start
    found: dict[str, Mutant] = {}
    lowered = mask.lower()
    for rank, pattern, replacement, change, required in _SQL_TABLE if language == "sql" else _CODE_TABLE:
        if not may_match(required, mask, lowered):
            continue  # (most operators are not in a given program: a substring test says so sooner)
        for match in pattern.finditer(mask):
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
