"""Benchmark: wall time of `course convert` on the two seed sources.

Usage: .venv/bin/python bench/convert_seeds.py [--runs 5]

Each run is a fresh process (imports included, as a user pays them) converting
into an empty temporary project, so nothing is reused between runs. Target
(issue 2): under 3 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "sources" / "000_4570511d4ad11a14.txt", ROOT / "sources" / "003_de1538dbbdf76b2e.txt"]


def one_run() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        # Convert's inputs besides the sources: the config, the declared course environment, check's findings.
        for name in ("_config.yml", "pyproject.toml", "findings.json"):
            shutil.copy(ROOT / name, tmp)
        command = [sys.executable, "-m", "converter", "--root", tmp, "convert", *map(str, SOURCES)]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times = [one_run() for _ in range(args.runs)]
    print(f"course convert (2 seeds, 25 notebooks), {args.runs} fresh runs: "
          f"median {statistics.median(times):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s")


if __name__ == "__main__":
    main()
