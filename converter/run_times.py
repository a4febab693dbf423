"""How long each notebook took to check, remembered beyond `_build`, so that a check with no
report (a fresh `_build`, a copy of the project, a clone on the same machine) still starts the
longest notebooks first: started last, one 18 s notebook made a 27 s check take 33 s.

Kept in the user's cache folder (beside the compile cache), in one small JSON file: seconds
under the notebook's run key (its text, timeouts and sandbox: `execute.cache_key`) and under its
file name (an edited notebook takes about as long as before). Only a hint for the order: a
missing, damaged or unwritable file changes nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from .atomic import atomic_write

FILE_NAME = "check-times.json"
LIMIT = 4000
"""Entries kept (two per notebook), those written last first: a few hundred kilobytes at most."""


def load(directory: Path | None) -> dict[str, float]:
    """The remembered times ("key:<run key>" and "name:<file name>" -> seconds); {} if none."""
    if directory is None:
        return {}
    try:
        data = json.loads((directory / FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: float(v) for k, v in data.items() if isinstance(k, str) and isinstance(v, (int, float))}


def estimate(times: dict[str, float], path: Path, key: str) -> float | None:
    """Seconds this notebook is expected to take: the same text's last run, else the last run
    of a notebook of that name; None if neither is known."""
    return times.get(f"key:{key}", times.get(f"name:{path.name}"))


def remember(directory: Path | None, times: dict[str, float], runs: Iterable[tuple[Path, str, float]]) -> None:
    """Add (path, run key, seconds) of this check's runs to `times` and write them out, newest
    last, keeping the newest `LIMIT` entries."""
    runs = list(runs)
    if directory is None or not runs:
        return
    for path, key, seconds in runs:
        for name in (f"key:{key}", f"name:{path.name}"):
            times.pop(name, None)  # re-inserted: dicts keep insertion order, so newest last
            times[name] = round(seconds, 2)
    kept = dict(list(times.items())[-LIMIT:])
    try:
        atomic_write(directory / FILE_NAME, json.dumps(kept, separators=(",", ":")))
    except OSError:
        pass  # a read-only or full cache folder: the next check orders by the book instead
