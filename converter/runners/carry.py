"""Blocks that build on each other: an earlier block's definitions, carried into a later cell.

A learner runs a tutorial's blocks in order in one session; a cell magic starts a
new process for every cell. So a block that uses a name an earlier block of the
same language defined gets that earlier block in front of its own code, marked.
Only "quiet" earlier blocks are carried (definitions, no top-level output), so
nothing prints twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence


def carried(code: str, earlier: Sequence[str], *, defines: Callable[[str], set[str]], quiet: Callable[[str], bool],
            comment: str, closer: str = "}") -> tuple[str, list[str]]:
    """(code with the earlier definitions it needs in front, the names that needed them).

    From a quiet earlier block the whole block is carried; from one that prints, only its
    top-level definitions (from a line at column 0 that defines to the `closer` line at column 0)."""
    own = defines(code)
    needed: list[str] = []
    names: list[str] = []
    # Latest first, so a redefinition wins; then the blocks those blocks need, once.
    wanted = _used_words(code) - own
    for block in reversed(earlier):
        parts = [block] if quiet(block) else _definitions(block, defines, closer)
        for part in reversed(parts):
            provided = (defines(part) & wanted) - set(names)
            if provided:
                needed.insert(0, part)
                names += sorted(provided)
                wanted |= _used_words(part) - defines(part)
    if not needed:
        return code, []
    parts = [f"{comment} from an earlier block:\n{block.strip()}" for block in needed]
    return "\n\n".join([*parts, f"{comment} this block:\n{code.strip()}"]) + "\n", names


def _used_words(code: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_$][\w$]*", code))


def _definitions(code: str, defines: Callable[[str], set[str]], closer: str) -> list[str]:
    """The top-level definitions of a block, each from its first line to its closing line."""
    lines = code.splitlines()
    out: list[str] = []
    start = None
    for i, line in enumerate(lines):
        if start is None and line[:1].strip() and defines(line):
            balanced = all(line.count(a) == line.count(b) for a, b in ("{}", "()", "[]"))
            if balanced and not re.match(r"(def|class|module)\b", line) and not line.rstrip().endswith(" do"):
                out.append(line)  # a one-line definition
            else:
                start = i
        elif start is not None and re.match(rf"^{re.escape(closer)}\W*$", line):
            out.append("\n".join(lines[start:i + 1]))
            start = None
    return out
