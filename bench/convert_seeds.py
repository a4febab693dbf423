"""Benchmark: wall time of `course convert` on the two seed sources.

Usage: .venv/bin/python bench/convert_seeds.py [--runs 5] [--against DIR]

Each run is a fresh process (imports included, as a user pays them) converting
into an empty temporary project, so nothing is reused between runs. Besides the
wall time it reports the CPU time of the run (the process and its budget workers),
which a machine busy with other jobs disturbs less. `--against DIR` also runs the
converter package of another checkout (say a worktree of the commit before a change),
alternating with this one, so that both see the same load. Target (issue 13): under
1 s on the 2-core machine.

Each checkout's converter package is byte-compiled first, as pip leaves an installed
package: this machine sets PYTHONDONTWRITEBYTECODE=1, so an editable checkout would
otherwise compile its ~100 modules from source on every run (0.06-0.1 s more here).
`--source` measures that case instead (it removes the checkouts' bytecode).

The command keeps what it compiles at run time (regular expressions, generated code,
Pygments' word-list patterns) in the user's cache folder (converter.compile_cache), as Python
keeps bytecode: any earlier run on the machine, of any project, fills it. The runs use a cache
folder of the benchmark's own, filled by one run first; a third conversion per run, with an
empty cache folder, measures a machine's very first run.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "sources" / "000_4570511d4ad11a14.txt", ROOT / "sources" / "003_de1538dbbdf76b2e.txt"]


def one_run(code: Path, caches: Path) -> tuple[tuple[float, float], ...]:
    """(wall seconds, CPU seconds) of one conversion with the converter package in `code`
    into an empty project; of converting the same sources again in that project (what the
    project's convert cache, _build/.convert-cache, saves); and of one into another empty
    project with no compile cache either. `caches`: the cache folder of the first two."""
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as other, \
            tempfile.TemporaryDirectory() as no_caches:
        # Convert's inputs besides the sources: the config, the declared course environment, check's findings.
        for name in ("_config.yml", "pyproject.toml", "findings.json"):
            shutil.copy(ROOT / name, tmp)
            shutil.copy(ROOT / name, other)
        command = [sys.executable, "-m", "converter", "--root", tmp, "convert", *map(str, SOURCES)]
        env = {**os.environ, "PYTHONPATH": str(code), "XDG_CACHE_HOME": str(caches)}
        first, again = _timed(command, code, env), _timed(command, code, env)
        command[command.index(tmp)] = other
        return first, again, _timed(command, code, {**env, "XDG_CACHE_HOME": no_caches})


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=cwd, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def summary(label: str, runs: list[tuple[float, float]]) -> str:
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    return (f"{label}: median {statistics.median(walls):.2f} s wall (min {min(walls):.2f}, max {max(walls):.2f}), "
            f"median {statistics.median(cpus):.2f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--against", type=Path, metavar="DIR",
                        help="another checkout whose converter runs too, alternating (e.g. a worktree of main)")
    parser.add_argument("--source", action="store_true",
                        help="run the converter from source, without bytecode (as an editable checkout here)")
    args = parser.parse_args()
    codes = [ROOT] + ([args.against.resolve()] if args.against else [])
    for code in codes:
        for cache in (code / "converter").rglob("__pycache__"):
            shutil.rmtree(cache)
        if not args.source:
            compileall.compile_dir(code / "converter", quiet=1)
    labels = ("into an empty project", "again, sources unchanged", "into an empty project, no compile cache")
    runs: dict[Path, list[list[tuple[float, float]]]] = {code: [[] for _ in labels] for code in codes}
    with tempfile.TemporaryDirectory() as caches:
        for code in codes:
            one_run(code, Path(caches))  # fills the compile cache, as any earlier run would
        for _ in range(args.runs):
            for code in codes:
                for kind, measured in zip(runs[code], one_run(code, Path(caches))):
                    kind.append(measured)
    how = "from source" if args.source else "byte-compiled"
    print(f"course convert (2 seeds, 25 notebooks), {args.runs} fresh runs each, converter {how}")
    for code in codes:
        label = "this checkout" if code == ROOT else str(code)
        for what, measured in zip(labels, runs[code]):
            print(summary(f"{label}, {what}", measured))


if __name__ == "__main__":
    main()
