"""How long each notebook took to check, remembered beyond `_build`, so that a check with no
report (a fresh `_build`, a copy of the project, a clone on the same machine) still starts the
longest notebooks first: started last, one 18 s notebook made a 27 s check take 33 s. A
notebook never run is placed by what its code says it will wait (`guess`).

Kept in the user's cache folder (beside the compile cache), in one small JSON file: seconds
under the notebook's run key (its text, timeouts and sandbox: `execute.cache_key`) and under its
file name (an edited notebook takes about as long as before). Only a hint for the order: a
missing, damaged or unwritable file changes nothing else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from .atomic import atomic_write

FILE_NAME = "check-times.json"
LIMIT = 4000
"""Entries kept (two per notebook), those written last first: a few hundred kilobytes at most."""


# time.sleep(2), asyncio.sleep(0.5), Ruby's and the shell's `sleep 2`; not Go's `Sleep(2 * time.Second)`
_SLEEP = re.compile(r"\bsleep(?:\(\s*(\d+(?:\.\d+)?)\s*\)|[ \t]+(\d+(?:\.\d+)?)(?![\d.]|[ \t]*\*))", re.IGNORECASE)
# `timeout 5 node ...`: the cap of a program that keeps running (the writer's magic, or the tutorial's own)
_TIME_LIMIT = re.compile(r"\btimeout[ \t]+(\d+(?:\.\d+)?)(?=[ \t])")
_CODE_CELL = re.compile(r"^```\{code-cell\}.*?^```", re.MULTILINE | re.DOTALL)
_PER_CELL = 0.1


def guess(text: str) -> float:
    """Seconds a notebook never run is expected to take, to order it among others never run:
    what its code cells say they wait (sleeps of a literal number of seconds, the time limits
    of programs that keep running), and a little per cell. A rough rank, not a forecast: it
    finds the notebooks that mostly wait, which started last hold up a whole check."""
    cells = _CODE_CELL.findall(text)
    code = "\n".join(cells)
    waits = sum(float(a or b) for a, b in _SLEEP.findall(code)) + sum(float(n) for n in _TIME_LIMIT.findall(code))
    return waits + _PER_CELL * len(cells)


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
        pass  # a read-only or full cache folder: the next check orders by its guesses instead
