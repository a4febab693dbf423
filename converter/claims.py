"""Outputs a tutorial states, and whether a cell's real output matches them.

Compared by doctest's rules (the standard library's `doctest.OutputChecker`):
ELLIPSIS (`...` stands for any text), NORMALIZE_WHITESPACE, and a shown traceback
matched on its exception line only. A mismatch is a finding for the report and
a note beside the cell, never a failure of the course.
"""

from __future__ import annotations

import doctest
import platform
import re

_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
TRACEBACK = "Traceback (most recent call last):"
HOLDS = "holds"


def exception_line(expected: str) -> str | None:
    """The `ValueError: ...` line of a traceback the tutorial shows (None when it shows none)."""
    lines = [line for line in expected.strip().splitlines() if line.strip()]
    # Python's own traceback, or IPython's (a rule of dashes, then `ZeroDivisionError  Traceback (...)`).
    if not lines or not any(line.startswith(TRACEBACK) or line.rstrip().endswith(TRACEBACK.rstrip(":")) for line in lines[:3]):
        return None
    return next((line for line in reversed(lines) if re.match(r"^[\w.]+(Error|Exception|Exit|Interrupt|Warning)\b|^[\w.]+:", line)), lines[-1])


def compare(expected: str, printed: str, *, error: str = "", runtime: str = "") -> str:
    """"holds" when the cell's output matches what the tutorial shows; otherwise a short note
    ("the tutorial shows `{1, 2, 3}`; Python 3.11 printed `{3, 1, 2}`")."""
    printed = _ANSI.sub("", printed)
    shown = exception_line(expected)
    if shown is not None:
        got = error or "no error"
        ok = doctest.OutputChecker().check_output(_name_only(shown) + "\n", _name_only(got) + "\n", _FLAGS) and (
            ":" not in shown or doctest.OutputChecker().check_output(
                _unqualified(shown) + "\n", _unqualified(got) + "\n", _FLAGS))
        return HOLDS if ok else _note(shown, got, runtime)
    if doctest.OutputChecker().check_output(_ending(expected), _ending(printed), _FLAGS):
        return HOLDS
    if error:
        return _note(expected, error, runtime)
    return _note(expected, printed, runtime)


def _name_only(line: str) -> str:
    return line.split(":", 1)[0].rsplit(".", 1)[-1].strip()


def _unqualified(line: str) -> str:
    """The exception line without its module path, as doctest compares it: Python prints
    `json.decoder.JSONDecodeError: ...`, IPython `JSONDecodeError: ...`."""
    return re.sub(r"^[\w.]+\.(?=\w+:)", "", line.strip())


def _ending(text: str) -> str:
    return text.strip("\n") + "\n" if text.strip() else ""


def _note(expected: str, got: str, runtime: str) -> str:
    who = runtime or f"Python {'.'.join(platform.python_version_tuple()[:2])}"
    return f"the tutorial shows {_short(expected)}; {who} printed {_short(got) if got.strip() else 'nothing'}"


def _short(text: str, limit: int = 80) -> str:
    one = " ⏎ ".join(line.rstrip() for line in text.strip("\n").splitlines())
    one = one if len(one) <= limit else one[: limit - 1] + "…"
    return "`" + one.replace("`", "'") + "`"
