"""Benchmark: the cost of the sandbox, `course check --no-cache` with and without it, in one run.

Usage: .venv/bin/python bench/sandbox_cost.py [--runs 3] [-j N]

On a copy of the book (book/, _toc.yml, _config.yml) in a temporary folder, each run
times, in a fresh process each, `course check --no-cache` in the sandbox (bubblewrap)
and `course check --no-cache --no-sandbox`, alternating which goes first so that a
warm disk cache favours neither. Prints the medians and their ratio (target <= 1.1).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _timed(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode:
        print(f"  ! exit {done.returncode}: {' '.join(command[-3:])}\n{done.stderr[-1500:]}", file=sys.stderr)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"sandbox": [], "no-sandbox": []}
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp:
        project = Path(tmp)
        shutil.copytree(ROOT / "book", project / "book")
        for name in ("_toc.yml", "_config.yml"):
            shutil.copy(ROOT / name, project / name)
        course = [str(BIN / "course"), "--root", str(project), "check", "-j", str(args.jobs), "--no-cache"]
        variants = {"sandbox": course, "no-sandbox": [*course, "--no-sandbox"]}
        for run in range(args.runs):
            order = ["sandbox", "no-sandbox"] if run % 2 == 0 else ["no-sandbox", "sandbox"]
            for name in order:
                times[name].append(_timed(variants[name]))
    with_sandbox, without = statistics.median(times["sandbox"]), statistics.median(times["no-sandbox"])
    print(f"course check --no-cache on the book, {os.cpu_count()} cores, -j {args.jobs}, {args.runs} runs, medians:")
    print(f"  in the sandbox (bubblewrap)  {with_sandbox:6.2f} s   runs: {', '.join(f'{t:.2f}' for t in times['sandbox'])}")
    print(f"  --no-sandbox                 {without:6.2f} s   runs: {', '.join(f'{t:.2f}' for t in times['no-sandbox'])}")
    print(f"  ratio sandbox / no-sandbox = {with_sandbox / without:.2f}  (target <= 1.10)")


if __name__ == "__main__":
    main()
