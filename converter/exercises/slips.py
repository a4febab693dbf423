"""Exercise generator: spot the slip, in any language, run or not.

The tutorial's code (a variation of it: its own names renamed, or its numbers moved, so
that the answer is not on the page above) with one realistic slip (`mutants.py`): a
condition turned round, `and`/`or`, the join kind, a dropped `await`, a method swapped.
The learner finds the line and writes it corrected. The check compares digests of the
line (spaces aside), accepts a comparison written the other way round, and says whether
the line given is the slip unchanged, a line that is fine, or a wrong correction.
"""

from __future__ import annotations

import re

from ..document import CodeBlock, Document, Exercise
from .mutants import LANGUAGE_NAMES, mutants, without_comments
from .pieces import MAX_OFFERS, code_of, digest16
from .predict import fenced, section_of
from .variation import renamed, renumbered

_SLIP_CHECK = '''\
import hashlib as _hashlib
_digest = lambda text: _hashlib.sha256(" ".join(str(text).split()).encode()).hexdigest()[:16]
assert fixed is not ..., "Replace the ... with the line that has the slip, corrected (as a string)."
assert isinstance(fixed, str) and fixed.strip(), "Write the corrected line as a string."
_given = _digest(fixed)
assert _given != {slipped!r}, "Not yet: that is the line with the slip, but unchanged. Correct it."
assert _given not in {others!r}, "Not yet: that line is fine as it is. Look for the one that does not do what the section says."
assert _given in {accepted!r}, "Not yet: that is not the line with the slip, corrected as the program needs."
print("✅ Right: that is the slip, corrected.")
'''


def spot_the_slip(doc: Document) -> list[Exercise]:
    """"Spot the slip" on the tutorial's code in any language, run or not: the program with
    one realistic slip (`mutants.py`); the learner writes that line corrected."""
    found: list[Exercise] = []
    page = _normal("\n".join(b.code for b in doc.blocks if isinstance(b, CodeBlock)))
    for index, block in code_of(doc):
        code = "\n".join(line.rstrip() for line in without_comments(block.code, block.language).splitlines() if line.strip())
        # A variation (its names renamed), so that the corrected line is not on the page above.
        code, _renames = renamed(code, block.language, block.code)
        lines = code.splitlines()
        if not 4 <= len(lines) <= 30:
            continue
        slips = [m for m in mutants(code, block.language, block.code) if m.rank <= 2 and _reasoned(m)
                 and _normal(lines[m.line - 1]) not in page]
        if not slips:  # no name of ours on the slip's line: other numbers in it, then
            code = renumbered(code, block.language, block.code)
            lines = code.splitlines()
            slips = [m for m in mutants(code, block.language, block.code) if m.rank <= 2 and _reasoned(m)
                     and _normal(lines[m.line - 1]) not in page]
        # a long program has room for a second slip, on another line, far from the first
        picked = slips[:1] + [m for m in slips[1:] if len(lines) >= LONG and abs(m.line - slips[0].line) >= 5][:1]
        for slip in picked:
            found.append(_slip_exercise(doc, index, block.language, code, slip))
            page += " " + _normal(lines[slip.line - 1])  # one exercise per line across blocks
        if len(found) >= MAX_OFFERS:
            break  # the first ones are offered: later blocks cannot change them
    return found[:MAX_OFFERS]


LONG = 15
"""Lines from which a program gets two slips to spot (one at a time)."""


# Slips a reader can find by reasoning about what the code is for: a condition turned round,
# `and`/`or`, the join kind, a dropped `await`, a method swapped. Not a boundary moved by one
# (`<` for `<=`) or a flag flipped (`blank=False`): only the intended output could tell those.
_UNREASONED = re.compile(r"`(?:>=|<=|>|<)` → `(?:>|<|>=|<=)`$|true|false", re.I)


def _reasoned(mutant) -> bool:
    reversal = mutant.change in ("`>=` → `<`", "`<=` → `>`")
    return reversal or not _UNREASONED.search(mutant.change)


def _normal(line: str) -> str:
    return " ".join(line.split())


def _slip_exercise(doc: Document, index: int, language: str, code: str, slip) -> Exercise:
    lines, changed = code.splitlines(), slip.code.splitlines()
    right_line, slipped = lines[slip.line - 1], changed[slip.line - 1]
    others = {_normal(line) for n, line in enumerate(lines) if n != slip.line - 1} - {_normal(right_line)}
    accepted = [right_line.strip()]
    flipped = _flipped(right_line.strip())
    if flipped:
        accepted.append(flipped)
    check = _SLIP_CHECK.format(
        slipped=digest16(_normal(slipped)), others=sorted(digest16(o) for o in others),
        accepted=sorted(digest16(_normal(a)) for a in accepted))
    prompt = (
        f"This {LANGUAGE_NAMES[language]} code from the section (some names changed) has **one slip** in it: a single change that makes it "
        "do something else than the tutorial explains (a condition, a comparison, a method). Find that line and "
        "set `fixed` to it, corrected, as a string (spaces don't matter).\n\n" + fenced(slip.code, language)
    )
    wrong = [slipped.strip(), *[line.strip() for line in lines if _normal(line) in others][:1], right_line.strip() + ";;"]
    right = [f"  {right_line.strip()}  ", *([flipped] if flipped else [" ".join(right_line.split())])]
    return Exercise(
        kind="fix", title="Spot the slip", prompt=prompt,
        starter="fixed = ...  # the line with the slip, corrected, as a string\n",
        solution=f"fixed = {right_line.strip()!r}\n", check=check, section=section_of(doc, index),
        right=tuple(f"fixed = {r!r}\n" for r in dict.fromkeys(right)),
        wrong=tuple(f"fixed = {w!r}\n" for w in dict.fromkeys(wrong)),
    )


_COMPARISON = re.compile(r"^(?P<left>[\w.\[\]'\"]+)\s*(?P<op>>=|<=|>|<)\s*(?P<right>[\w.\[\]'\"]+)$")
_FLIP = {">=": "<=", "<=": ">=", ">": "<", "<": ">"}


def _flipped(line: str) -> str | None:
    """The same comparison written the other way round (`a >= b` as `b <= a`), when the line is
    a bare comparison inside a condition: a correction a fair instructor accepts too."""
    match = re.search(r"(\(|\bif\s+|\bwhile\s+|return\s+)([^()]*?)(\)|:|\s*\{|$)", line)
    if not match:
        return None
    comparison = _COMPARISON.match(match.group(2).strip())
    if not comparison:
        return None
    swapped = f"{comparison['right']} {_FLIP[comparison['op']]} {comparison['left']}"
    return line[: match.start(2)] + swapped + line[match.end(2):]
