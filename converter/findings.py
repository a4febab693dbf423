"""What `course check` proved, as data for the next `course convert`.

Convert proposes, check proves: `course convert` never runs tutorial code, so
whether a cell really runs, what it prints and whether an exercise keeps its
contract are only known after `course check` ran the notebook in the sandbox.
Check files those facts here; convert reads them (one more input, like the
sources) and demotes what check disproved, with check's reason.

The file (`findings.json` at the project root) is committed with the book: a
fresh clone converts to the same notebooks without running anything. It holds
no timings or paths, only facts keyed by content, so re-checking an unchanged
course rewrites it byte for byte.

    cells       cell_key(slug, source) -> CellFinding
    exercises   exercise_key(label, ...) -> ExerciseFinding
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .atomic import atomic_write

FINDINGS_FILE = "findings.json"
VERSION = 1
MAX_STDOUT = 4000
"""Longer printed output is not kept (nothing a predict exercise would ask about)."""


@dataclass(frozen=True, slots=True)
class CellFinding:
    """How one code cell fared when check last ran it."""

    status: str
    """"ran", "expected-error", "failed", "timeout", "limit" or "not-reached"."""
    reason: str = ""
    """Why it failed, in one line (`NameError: name 'app' is not defined`, `limit: memory 2 GiB`)."""
    stdout: str | None = None
    """What it printed on stdout (None: not kept, e.g. too long or the cell did not run)."""
    claim: str = ""
    """How its output differs from the output the tutorial shows ("" when it holds or none is shown)."""


@dataclass(frozen=True, slots=True)
class ExerciseFinding:
    """Whether an exercise kept its contract: starter fails its check, solution passes."""

    ok: bool
    reason: str = ""
    expected: object = None
    """What the check's reference gave when the solution passed (`_expected`: digests only),
    for checks that compare with one; learner copies hold it instead (converter/practice.py)."""


@dataclass(frozen=True, slots=True)
class Findings:
    """Everything check proved, keyed by content (see `cell_key`, `exercise_key`)."""

    cells: Mapping[str, CellFinding] = field(default_factory=dict)
    exercises: Mapping[str, ExerciseFinding] = field(default_factory=dict)
    sandbox: str = ""
    """How check ran the code: "bubblewrap" (the course sandbox) or "none" (`--no-sandbox`);
    the landing page's build note says so."""
    environment: str = ""
    """The course environment check ran in (`environment.fingerprint`): findings from another
    one are not applied, since a cell that failed for want of a package may run now."""

    def merged(self, newer: Findings) -> Findings:
        """These findings updated with `newer` (a later check run wins)."""
        return Findings(
            {**self.cells, **newer.cells}, {**self.exercises, **newer.exercises}, newer.sandbox or self.sandbox,
            newer.environment or self.environment,
        )


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


def cell_key(slug: str, source: str) -> str:
    """The key of a code cell: its notebook's slug and its exact source (as written to the notebook;
    trailing blank lines aside, which the MyST file does not keep)."""
    return _digest("cell", slug, source.rstrip("\n"))


def exercise_key(
    label: str, starter: str, solution: str, check: str, right: Sequence[str] = (), wrong: Sequence[str] = (),
) -> str:
    """The key of an exercise: its label, the sources of its three cells and the other
    answers check tried (correct variants, wrong answers)."""
    if not right and not wrong:
        return _digest("exercise", label, starter, solution, check)
    return _digest("exercise", label, starter, solution, check, json.dumps([list(right), list(wrong)]))


def load(path: Path) -> Findings:
    """The findings in `path`; empty when the file is missing or unreadable (then nothing is demoted)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Findings()
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return Findings()
    try:
        return Findings(
            {k: CellFinding(**v) for k, v in data.get("cells", {}).items()},
            {k: ExerciseFinding(**v) for k, v in data.get("exercises", {}).items()},
            str(data.get("sandbox", "")),
            str(data.get("environment", "")),
        )
    except TypeError:
        return Findings()


def save(path: Path, findings: Findings) -> None:
    """Write atomically, keys sorted: the same findings give the same bytes."""
    data = {
        "version": VERSION,
        "cells": {k: _compact(asdict(v)) for k, v in sorted(findings.cells.items())},
        "exercises": {k: _compact(asdict(v)) for k, v in sorted(findings.exercises.items())},
        "sandbox": findings.sandbox,
        "environment": findings.environment,
    }
    text = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    atomic_write(path, text)


def _compact(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if v not in ("", None)}
