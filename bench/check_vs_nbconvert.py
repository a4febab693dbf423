"""Benchmark: `course check` against executing the same notebooks with `jupyter nbconvert`.

Usage: .venv/bin/python bench/check_vs_nbconvert.py [--runs 1] [-j N]

In one run, on a copy of the book (book/, _toc.yml, _config.yml) in a temporary folder:
  (a) `course check --no-cache` over every notebook of the book (default -j: cores), fresh process;
  (b) the same notebooks executed one after another by one
      `jupyter nbconvert --to notebook --execute` (converted to .ipynb with jupytext first,
      outside the timing), honouring the same tags: `skip-execution` cells are not run
      (ExecutePreprocessor.skip_cells_with_tag, nbclient's default, set explicitly) and
      `raises-exception` cells may raise (nbclient honours that tag itself); same 60 s cell timeout;
  (c) a second `course check` with nothing changed (the cache), fresh process.
Prints the three wall times and the ratio a/b. Targets (issue "Make the course run"):
a/b <= 0.60 and c < 3 s.
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


def _timed(command: list[str], **kwargs: object) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    seconds = time.perf_counter() - start
    if done.returncode:
        print(f"  ! exit {done.returncode}: {' '.join(command[:4])} …\n{done.stderr[-1500:]}", file=sys.stderr)
    return seconds, done.returncode


def one_run(jobs: int) -> tuple[float, float, float, int]:
    import jupytext

    from converter.convert import Layout
    from converter.writers.toc import read_entries

    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        shutil.copytree(ROOT / "book", project / "book")
        for name in ("_toc.yml", "_config.yml"):
            shutil.copy(ROOT / name, project / name)
        layout = Layout(project)
        notebooks = [project / f"{e.path}.md" for e in read_entries(layout.book, layout.root)]

        course = [str(BIN / "course"), "--root", str(project), "check", "-j", str(jobs)]
        a, _ = _timed([*course, "--no-cache"])
        c, _ = _timed(course)

        ipynb_dir = Path(tmp) / "ipynb"
        ipynb_dir.mkdir()
        ipynbs = []
        for path in notebooks:
            target = ipynb_dir / f"{path.stem}.ipynb"
            jupytext.write(jupytext.read(path), target)
            ipynbs.append(str(target))
        nbconvert = [
            str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
            "--ExecutePreprocessor.skip_cells_with_tag=skip-execution",
            "--ExecutePreprocessor.timeout=60", "--ExecutePreprocessor.kernel_name=python3",
            "--output-dir", str(Path(tmp) / "nbconvert-out"), *ipynbs,
        ]
        b, _ = _timed(nbconvert, cwd=ipynb_dir)
        return a, b, c, len(notebooks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    runs = [one_run(args.jobs) for _ in range(args.runs)]
    a = statistics.median(r[0] for r in runs)
    b = statistics.median(r[1] for r in runs)
    c = statistics.median(r[2] for r in runs)
    n = runs[0][3]
    print(f"{n} notebooks, {os.cpu_count()} cores, -j {args.jobs}, {args.runs} run(s), medians:")
    print(f"  (a) course check --no-cache       {a:6.2f} s")
    print(f"  (b) jupyter nbconvert --execute   {b:6.2f} s  (one after another)")
    print(f"  (c) course check, nothing changed {c:6.2f} s  (target < 3 s)")
    print(f"  a/b = {a / b:.2f}  (target <= 0.60)")


if __name__ == "__main__":
    main()
