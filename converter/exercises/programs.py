"""Exercise generators on whole programs, in every language whose code runs.

The tutorial's own working programs (blocks `course check` ran with a steady,
printed output, and no server or database behind them) become:

* **Fix the bug**: the program with one realistic bug (`mutants.py`: a boundary,
  a condition, a method swapped). The learner edits a `%%writefile` cell in the
  program's own language; the check runs their program and the working one (packed
  in the check, never shown) and compares what they print, line by line.
* **Parsons problem**: the program's lines, shuffled, with one mutated line among
  them as a distractor; the learner gives the order of the lines to keep. The check
  assembles and runs that program: every order that prints what the working program
  prints is accepted, not one order only.

Checks run programs with the language's interpreter (`node`, `ruby`, `python`, ...)
in a fresh temporary folder, with a time limit; feedback names the first line of
output that differs or the error the program stops with, never the answer.
Correct variants and wrong answers (other mutants, a line missing, the distractor
kept) go with each exercise, and `course check` proves the check tells them apart.
"""

from __future__ import annotations

import ast
import hashlib
import random
import sys
from dataclasses import replace

from .. import python_code as py
from ..document import CodeBlock, Document, Exercise
from .checks import EXACT_DIGEST, packed, reference
from .mutants import LANGUAGE_NAMES, Mutant, mutants, spread, without_comments
from .predict import PRINTING, RUNNING, fenced, impure, needs_of, printed_lines, section_of, top_binds
from .variation import renamed

MAX_PER_KIND = 2
MAX_OUTPUT_LINES = 12
PARSONS_LINES = (4, 12)
"""Programs with this many code lines (comments and blank lines aside) make Parsons problems."""

# How a check runs a program, by language: the file name and the command (the file last).
PROGRAMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "python": ("main.py", ("{python}",)),
    "javascript": ("main.js", ("node",)),
    "ruby": ("main.rb", ("ruby",)),
    "go": ("main.go", ("go", "run")),
    "shell": ("main.sh", ("bash",)),
}
_COMMENT = {"python": "#", "ruby": "#", "shell": "#", "javascript": "//", "go": "//"}

# Check-cell code: run a program in the language, return its printed lines or its error.
# Standard library only (checks run in the learner's notebook, without the converter).
_RUNNER = '''\
import os as _os, shutil as _shutil, subprocess as _subprocess, sys as _sys, tempfile as _tempfile

def _run_program(source, name={name!r}, command={command!r}):
    command = [_sys.executable if part == "{{python}}" else part for part in command]
    if _shutil.which(command[0]) is None:
        raise RuntimeError(f"this exercise runs {{command[0]}}, which is not installed here")
    folder = _tempfile.mkdtemp()
    try:
        with open(_os.path.join(folder, name), "w", encoding="utf-8") as file:
            file.write(source)
        done = _subprocess.run([*command, name], cwd=folder, capture_output=True, text=True, timeout=60)
    except _subprocess.TimeoutExpired:
        return None, "it did not finish within 60 seconds"
    finally:
        _shutil.rmtree(folder, ignore_errors=True)
    lines = [line.rstrip() for line in done.stdout.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    if done.returncode != 0:
        errors = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        return lines, (errors[-1] if errors else f"exit status {{done.returncode}}")[:200]
    return lines, ""

def _compare(given, expected, who="your program"):
    given = [_sha(line) for line in given]
    if given == expected:
        return
    for number, (mine, theirs) in enumerate(zip(given, expected), start=1):
        assert mine == theirs, f"Not yet: line {{number}} of what {{who}} prints differs from what the working program prints."
    raise AssertionError(
        f"Not yet: {{who}} prints {{len(given)}} line(s), the working program prints {{len(expected)}}."
    )

'''

# The working program's printed lines, as digests: it is the answer (compressed here).
_REFERENCE = '''\
import base64 as _base64, zlib as _zlib
_expected, _trouble = _run_program(_zlib.decompress(_base64.b64decode({reference!r})).decode())
if _trouble:
    raise RuntimeError(f"the working program does not run here ({{_trouble}}): not your answer's fault")
_expected = [_sha(line) for line in _expected]
'''


def fix_programs(doc: Document) -> list[Exercise]:
    """Fix-the-bug exercises on the tutorial's working programs."""
    return [ex for index, block in _programs(doc) if (ex := _fix_exercise(doc, index, block))][:MAX_PER_KIND]


def parsons_problems(doc: Document) -> list[Exercise]:
    """Parsons problems on the tutorial's working programs."""
    return [ex for index, block in _programs(doc) if (ex := _parsons_exercise(doc, index, block))][:MAX_PER_KIND]


def _programs(doc: Document) -> list[tuple[int, CodeBlock]]:
    """Blocks that ran as whole programs and printed a steady, short output."""
    found = []
    for index, block in enumerate(doc.blocks):
        if not isinstance(block, CodeBlock) or block.language not in PROGRAMS or block.status not in RUNNING:
            continue
        if block.volatile or block.services or not block.printed or not block.printed.strip():
            continue
        if len(printed_lines(block.printed)) > MAX_OUTPUT_LINES:
            continue
        if block.language == "python" and not _self_contained(block.code):
            continue
        found.append((index, block))
    return found


def _self_contained(code: str) -> bool:
    """Python that runs on its own, as a script in an empty folder (standard library only),
    and always prints the same."""
    tree = py.parse(code)
    if tree is None or impure(tree) or any(isinstance(n, ast.Await) for n in py.walk(tree)):
        return False
    imported = {a.name.split(".")[0] for n in py.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {(n.module or ".").split(".")[0] for n in py.walk(tree) if isinstance(n, ast.ImportFrom)}
    if not imported <= sys.stdlib_module_names:
        return False
    bound = set().union(*(top_binds(node) for node in tree.body))
    return not needs_of(tree) - bound


def _file(block: CodeBlock, kind: str) -> str:
    name, _ = PROGRAMS[block.language]
    digest = hashlib.sha256(block.code.encode()).hexdigest()[:6]
    return f"{kind}_{digest}.{name.rsplit('.', 1)[1]}"


def _writefile(path: str, code: str) -> str:
    return f"%%writefile {path}\n{code.rstrip()}\n"


def _runner(block: CodeBlock) -> str:
    name, command = PROGRAMS[block.language]
    return EXACT_DIGEST + _RUNNER.format(name=name, command=command) + reference(_REFERENCE.format(reference=packed(block.code)))


def _expected_output(block: CodeBlock) -> str:
    return fenced("\n".join(printed_lines(block.printed or "")), "text")


# --- fix the bug -----------------------------------------------------------------------------


def _fix_exercise(doc: Document, index: int, block: CodeBlock) -> Exercise | None:
    language = block.language
    comment = _COMMENT[language]
    # A variation (its own names renamed): the fixed program is not the one on the page above.
    # It prints what the tutorial's prints; the check proves it, running both.
    code, renames = renamed(block.code, language)
    if not renames:
        return None
    block = replace(block, code=code)
    candidates = mutants(block.code, language)
    if not candidates or candidates[0].rank > 2:
        return None  # only a literal to change: a guessing game, not a bug to find
    bug = candidates[0]
    # Wrong answers a learner gives: a change somewhere else that leaves the bug in, or only a comment.
    compounded = [m for m in mutants(bug.code, language, block.code) if m.code != block.code and m.line != bug.line]
    others = [m for m in candidates if m is not bug]  # the bug fixed, but something else changed
    wrong = [m.code for m in spread(compounded, 2) + spread(others, 2)][:2]
    without = "\n".join(line for n, line in enumerate(bug.code.splitlines(), 1) if n != bug.line)
    wrong.append(without)  # the line with the bug deleted instead of fixed
    wrong.append(f"{comment} fixed\n{bug.code}")  # only a comment added: still the bug
    wrong.append(f"{bug.code.rstrip()}\n\n")  # run as it was
    path = _file(block, "fix")
    check = (
        _runner(block)
        + f"with open({path!r}, encoding='utf-8') as _file:\n    _given, _trouble = _run_program(_file.read())\n"
        + 'assert not _trouble, f"Not yet: your program stops with an error: {_trouble}"\n'
        + "_compare(_given, _expected)\n"
        + 'print("✅ Fixed: your program prints exactly what the working program prints.")\n'
    )
    prompt = (
        f"Someone copied the tutorial's {LANGUAGE_NAMES[language]} program from this section, renamed some of its "
        "variables, and slipped in "
        "**one small bug**: it runs, but it no longer prints what it should. Find the bug and fix it "
        "in the cell below, then run the cell (it saves your program) and the check (it runs it).\n\n"
        f"The working program prints:\n\n{_expected_output(block)}"
    )
    return Exercise(
        kind="fix", title="Find and fix the bug", prompt=prompt,
        starter=_writefile(path, bug.code), solution=_writefile(path, block.code), check=check,
        section=section_of(doc, index),
        right=(_writefile(path, f"{comment} fixed\n{block.code}"), _writefile(path, _respaced(block.code, bug.line))),
        wrong=tuple(_writefile(path, code) for code in wrong),
    )


def _respaced(code: str, line: int) -> str:
    """The same program with a blank line added before line `line` (a harmless edit around the fix)."""
    lines = code.splitlines()
    return "\n".join([*lines[: line - 1], "", *lines[line - 1:]])


# --- Parsons problems ------------------------------------------------------------------------

_PARSONS_CHECK = '''\
assert order is not ..., "Replace the ... with the letters of the lines, in order."
_letters = [c for c in (order if isinstance(order, str) else "".join(map(str, order))).upper() if c.isalpha()]
_unknown = sorted(set(_letters) - set(_lines))
assert not _unknown, f"Not yet: there is no line {', '.join(_unknown)}; use the letters shown."
_given, _trouble = _run_program("\\n".join(_lines[letter] for letter in _letters) + "\\n")
assert not _trouble, f"Not yet: the program in your order stops with an error: {_trouble}"
_compare(_given, _expected, "the program in your order")
print("✅ Right: in your order the program prints exactly what the working program prints.")
'''


def _parsons_exercise(doc: Document, index: int, block: CodeBlock) -> Exercise | None:
    language = block.language
    lines = _code_lines(block.code, language)
    if not PARSONS_LINES[0] <= len(lines) <= PARSONS_LINES[1]:
        return None
    program = "\n".join(lines) + "\n"
    distractors = [m for m in mutants(program, language, block.code) if m.rank <= 1]
    if not distractors:
        return None
    distractor: Mutant = distractors[0]
    pieces = [*lines, distractor.code.splitlines()[distractor.line - 1]]  # the last one is the distractor
    rng = random.Random(hashlib.sha256(program.encode()).digest())
    shown = list(range(len(pieces)))  # piece numbers in the order shown
    while shown[: len(lines)] == list(range(len(lines))):
        rng.shuffle(shown)
    letter = {piece: "ABCDEFGHIJKLMNOP"[n] for n, piece in enumerate(shown)}
    right_order = "".join(letter[n] for n in range(len(lines)))
    fake = len(lines)
    with_fake = "".join(letter[fake] if n == distractor.line - 1 else letter[n] for n in range(len(lines)))
    swapped = right_order[1] + right_order[0] + right_order[2:]
    printing = [n for n, line in enumerate(lines) if PRINTING.search(line)]
    dropped = printing[-1] if printing else 0
    missing = right_order[:dropped] + right_order[dropped + 1:]
    table = "\n".join(f"{letter[piece]}: {pieces[piece]}" for piece in shown)
    prompt = (
        f"The lines of a {LANGUAGE_NAMES[language]} program from this section are shuffled below, and **one line "
        "does not belong**: it is a subtly wrong copy of another line. Put the program back together: set "
        "`order` to the letters of the lines to keep, in order (for example `\"BDA...\"`). Keep each line's "
        "indentation as shown. The check runs your program and compares what it prints with the working "
        f"program's output:\n\n{_expected_output(block)}\n\nThe lines:\n\n{fenced(table, language)}"
    )
    check = (
        _runner(replace(block, code=program))
        + f"_lines = {dict(sorted((letter[piece], pieces[piece]) for piece in shown))!r}\n"
        + _PARSONS_CHECK
    )
    return Exercise(
        kind="parsons", title="Put the program together", prompt=prompt,
        starter='order = ...  # the letters of the lines to keep, in order, e.g. "BDA..."\n',
        solution=f"order = {right_order!r}\n", check=check, section=section_of(doc, index),
        right=(f"order = {' '.join(right_order.lower())!r}\n", f"order = {list(right_order)!r}\n"),
        wrong=(f"order = {with_fake!r}\n", f"order = {missing!r}\n", f"order = {swapped!r}\n"),
    )


def _code_lines(code: str, language: str) -> list[str]:
    """The program's lines without comments (they may state the output) and blank lines."""
    return [line.rstrip() for line in without_comments(code, language).splitlines() if line.strip()]
