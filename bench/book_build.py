"""Benchmark: publishing a book of N synthetic notebooks with Jupyter Book 1 and Sphinx `-j`.

Usage: .venv/bin/python bench/book_build.py [--size 1000] [--jobs auto 1] [--seed 0]

Writes N tutorials with bench/synthetic_course.py's generator (all four input formats) into
a fresh project, converts them (`course convert`, not timed here: bench/synthetic_course.py
measures it), then builds the site the way `course build` publishes it, but with Sphinx's
parallel build: `jupyter-book config sphinx .` writes the book's conf.py and `sphinx-build
-j JOBS -b html` builds it, once per value of --jobs, each from an empty _build/html and
doctree cache. Notebooks are not executed (`execute_notebooks: off`: `course check` runs
them, bench/check_vs_nbconvert.py measures that); everything else is the real build: MyST-NB
parsing, sphinx-exercise, the course's extension (learner downloads, launch buttons, the
JupyterLite copy of the course) and the theme.

Reports wall time, time per notebook, the build's peak memory (largest process), and the
size of the site, for each --jobs value.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_course import ROOT, write_course  # noqa: E402

BIN = Path(sys.executable).parent


def _project(folder: Path, size: int, seed: int) -> int:
    for name in ("_config.yml", "pyproject.toml"):
        shutil.copy(ROOT / name, folder)
    config = folder / "_config.yml"
    config.write_text(re.sub(r"execute_notebooks: \w+", "execute_notebooks: 'off'", config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    write_course(folder, size, seed)
    done = subprocess.run([sys.executable, "-m", "converter", "--root", str(folder), "convert", str(folder / "sources")],
                          capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr[-2000:])
    subprocess.run([str(BIN / "jupyter-book"), "config", "sphinx", "."], cwd=folder, check=True, capture_output=True)
    return len(list((folder / "book").rglob("*.md")))


def _build(folder: Path, jobs: str) -> tuple[float, int, int]:
    """(seconds, peak memory in bytes, site size in bytes) of one clean build."""
    shutil.rmtree(folder / "_build", ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run([str(BIN / "sphinx-build"), "-j", jobs, "-q", "-b", "html", ".", "_build/html"],
                          cwd=folder, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONHASHSEED": "0"})
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode:
        raise SystemExit(f"sphinx-build -j {jobs} failed:\n{done.stderr[-3000:]}")
    site = sum(p.stat().st_size for p in (folder / "_build" / "html").rglob("*") if p.is_file())
    return seconds, max(peak, before) * 1024, site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--jobs", nargs="+", default=["auto"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        notebooks = _project(folder, args.size, args.seed)
        print(f"{notebooks} notebooks (from {args.size} tutorials), {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f}")
        for jobs in args.jobs:
            seconds, peak, site = _build(folder, jobs)
            print(f"sphinx-build -j {jobs:>4}: {seconds:7.1f} s, {seconds / notebooks * 1000:5.0f} ms per notebook, "
                  f"peak memory {peak / 2**20:6.0f} MiB (largest process), site {site / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
