"""The text every match of a regular expression must contain, to skip a pattern cheaply.

Language detection and the exercise generators try dozens of patterns on each block, most of
which cannot match it. A pattern without alternation at its top level has runs of plain
characters that every match holds in order (`\\bcout\\s*<<` holds "cout" and "<<"): when the
text lacks the longest of them, the pattern cannot match, and `str.__contains__` tells that
far sooner than the regular expression engine.
"""

from __future__ import annotations

import re

_META = set(".^$*+?{}[]|()")
_INLINE_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")
_QUANTIFIERS = set("*?{")
"""After a character, these may make it optional (`+` keeps one: it stays in the run)."""


def needle(pattern: str, flags: int = 0) -> tuple[str, bool] | None:
    """(the longest run of characters every match of `pattern` contains, whether to compare
    case-insensitively), or None when there is no such run or the pattern's form is not one
    this reads (an alternation at its top level, a backreference)."""
    ignore_case = bool(flags & re.IGNORECASE)
    inline = _INLINE_FLAGS.match(pattern)  # (?i), (?im)...: the pattern's flags
    if inline:
        pattern, ignore_case = pattern[inline.end():], ignore_case or "i" in inline.group(1)
    runs, run, i = [], "", 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt.isalnum():  # \b \s \w \d \1 ...: not a character of the text
                if nxt.isdigit():
                    return None
                runs, run = runs + [run], ""
                i += 2
                continue
            char, i = nxt, i + 2
        elif c in "([":  # a group or a class: what it matches is not known here
            end = (_group_end if c == "(" else _class_end)(pattern, i)
            if end is None:
                return None
            runs, run, i = runs + [run], "", end + 1
            continue
        elif c == "|":
            return None
        elif c in _META:
            if c in _QUANTIFIERS:
                run = run[:-1]  # the character before (a plain one, or none after a group) may be left out
            runs, run, i = runs + [run], "", i + 1
            continue
        else:
            char, i = c, i + 1
        run += char
    longest = max(runs + [run], key=len)
    return (longest.lower() if ignore_case else longest, ignore_case) if longest else None


def _group_end(pattern: str, start: int) -> int | None:
    """Where the group opened at `start` closes (escapes and classes inside skipped)."""
    depth, i = 0, start
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            end = _class_end(pattern, i)
            if end is None:
                return None
            i = end + 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _class_end(pattern: str, start: int) -> int | None:
    """Where the character class opened at `start` closes (`[]...]` and `[^]...]` hold a `]`)."""
    i = start + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "]":
            return i
        i += 1
    return None


def may_match(found: tuple[str, bool] | None, text: str, lowered: str) -> bool:
    """False when `text` lacks the needle, so the pattern cannot match it (`lowered`:
    `text.lower()`). Ignoring case, only ASCII text is told: the engine also matches some
    other letters to ASCII ones (the dotless ı to i, the long ſ to s)."""
    if found is None:
        return True
    run, ignore_case = found
    if not ignore_case:
        return run in text
    return run in lowered or not text.isascii()
