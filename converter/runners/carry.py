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
            comment: str) -> tuple[str, list[str]]:
    """(code with the earlier blocks it needs in front, the names that needed them)."""
    own = defines(code)
    needed: list[str] = []
    names: list[str] = []
    # Latest first, so a redefinition wins; then the blocks those blocks need, once.
    wanted = _used_words(code) - own
    for block in reversed(earlier):
        provided = (defines(block) & wanted) - set(names)
        if provided and quiet(block):
            needed.insert(0, block)
            names += sorted(provided)
            wanted |= _used_words(block) - defines(block)
    if not needed:
        return code, []
    parts = [f"{comment} from an earlier block:\n{block.strip()}" for block in needed]
    return "\n\n".join([*parts, f"{comment} this block:\n{code.strip()}"]) + "\n", names


def _used_words(code: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_$][\w$]*", code))
