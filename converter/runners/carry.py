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
            comment: str, closer: str = "}", uses: Callable[[str], set[str]] | None = None,
            reopens: bool = False, setup: Callable[[str], bool] | None = None) -> tuple[str, list[str]]:
    """(code with the earlier definitions it needs in front, in the tutorial's order; the names that needed them).

    From a quiet earlier block the whole block is carried; from one that prints, only its
    top-level definitions (from a line at column 0 that defines to the `closer` line at column 0).
    The latest definition of a name wins, except that with `reopens` (Ruby) every definition of
    a class or module is carried, since a later one adds to the earlier ones.
    `uses`: the names a piece of code uses (default: every word in it). `setup`: which top-level
    calls of a printing block may be carried with what it defines, when they set it up (a
    connection opened, a handler registered), as a learner's session would have run them."""
    uses = uses or _used_words
    own = defines(code)
    # A block that reopens a class needs the class as defined before (its constructor, say).
    wanted = (uses(code) - own) | ({n for n in own if n[:1].isupper()} if reopens else set())
    chosen: dict[tuple[int, int], str] = {}
    names: list[str] = []
    # Latest first, so a redefinition wins; then the blocks those blocks need, once.
    for b in range(len(earlier) - 1, -1, -1):
        parts = [earlier[b]] if quiet(earlier[b]) else _definitions(earlier[b], defines, closer)
        for p in range(len(parts) - 1, -1, -1):
            defined = defines(parts[p]) & wanted
            provided = defined - set(names)
            if provided or (reopens and any(n[:1].isupper() for n in defined)):
                chosen[(b, p)] = parts[p]
                names += sorted(provided)
                wanted |= uses(parts[p]) - defines(parts[p])
        if setup and not quiet(earlier[b]) and any(key[0] == b for key in chosen):
            chosen.update(_setup_calls(earlier[b], parts, b, chosen, defines=defines, uses=uses, setup=setup))
    if not chosen:
        return code, []
    parts = [f"{comment} from an earlier block:\n{chosen[key].strip()}" for key in sorted(chosen)]
    return "\n\n".join([*parts, f"{comment} this block:\n{code.strip()}"]) + "\n", names


def _setup_calls(block: str, parts: list[str], b: int, chosen: dict[tuple[int, int], str], *,
                 defines: Callable[[str], set[str]], uses: Callable[[str], set[str]],
                 setup: Callable[[str], bool]) -> dict[tuple[int, int], str]:
    """The top-level calls of block `b` that act on what was carried from it (`client.on(...)`),
    or call a function of it that does (`connectRedis()`), with those functions; after its definitions."""
    carried = set().union(*(defines(part) for (i, _p), part in chosen.items() if i == b))
    helpers = {p: part for p, part in enumerate(parts) if uses(part) & carried and setup(part)}
    found: dict[tuple[int, int], str] = {}
    for s, statement in enumerate(_calls(block, defines)):
        used = uses(statement)
        calls = {p: part for p, part in helpers.items() if defines(part) & used}
        if setup(statement) and (used & carried or calls):
            found[(b, len(parts) + s)] = statement
            found.update({(b, p): part for p, part in calls.items()})
    return found


def _calls(code: str, defines: Callable[[str], set[str]]) -> list[str]:
    """Top-level call statements (`connect();`, `client.on('error', ...);`), each whole."""
    out: list[str] = []
    current: list[str] = []
    for line in code.splitlines():
        if not current and not (re.match(r"(await\s+)?[A-Za-z_$][\w$.]*\(", line) and not defines(line)):
            continue
        current.append(line)
        text = "\n".join(current)
        if text.count("(") <= text.count(")") and text.count("{") <= text.count("}"):
            out.append(text)
            current = []
    return out


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
