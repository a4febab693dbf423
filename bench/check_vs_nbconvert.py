"""Benchmark: `course check` against executing the same notebooks with `jupyter nbconvert`.

Usage: .venv/bin/python bench/check_vs_nbconvert.py [--runs 1] [-j N] [--against DIR]

In one run, on a copy of the project (book/, _toc.yml, _config.yml, pyproject.toml, the npm
packages) in a temporary folder, with a user cache folder of its own:
  (a) `course check --no-cache` over every notebook of the book (its default -j unless -j is
      given), fresh process, from an empty _build, with the run times the check before it
      remembered in the user cache (converter/run_times.py: they order the notebooks longest
      first); beside it, that check before it: a machine's first, nothing remembered, the
      notebooks ordered by what their code says it waits (run_times.guess);
      with `--against DIR`, the check of another checkout too (say a worktree of main), first;
  (b) the same notebooks executed one after another by one
      `jupyter nbconvert --to notebook --execute` (converted to .ipynb with jupytext first,
      outside the timing), honouring the same tags: `skip-execution` cells are not run
      (ExecutePreprocessor.skip_cells_with_tag, nbclient's default, set explicitly) and cells
      may raise (`allow_errors`: check runs past errors too; without it nbconvert stops at the
      first notebook with an error and never runs the rest); same 60 s cell timeout, and the
      kernels find the course's npm packages as check's do;
  (c) a second `course check` with nothing changed (the cache), fresh process;
  (d) `course check` after a change to one notebook (a paragraph added to the shortest one):
      its time, and how many executed notebooks were written again (should be 1).
Two physical floors beside (a), from the kernel start measured here (a sandboxed kernel started
until it answers, median of 5) and the cells' own time, the sum of `cell_seconds` in (a)'s report
(each cell's execute request to its reply, the exercises' answer runs included):
  one notebook per core: (kernel start x notebooks + the cells' own time) / cores;
  any number at once: the longest notebook (kernel start + its cells), which no schedule beats;
  between the two when cells mostly wait (sleeps, timers, servers) rather than compute.
Targets (issue 13): a/b <= 0.35, c < 3 s, d re-runs only the changed notebook.
"""

from __future__ import annotations

import argparse
import json
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


def _timed(command: list[str], **kwargs: object) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    seconds = time.perf_counter() - start
    if done.returncode:
        print(f"  ! exit {done.returncode}: {' '.join(command[:5])} …\n{done.stderr[-1500:]}", file=sys.stderr)
    return seconds


def _course(code: Path, project: Path, jobs: int | None, *args: str) -> float:
    """`course check` of the checkout `code` (its converter package first on the path), fresh
    process, with the benchmark's own user cache folder (beside the project)."""
    command = [sys.executable, "-m", "converter", "--root", str(project), "check", *args]
    if jobs is not None:
        command += ["-j", str(jobs)]
    cache = project.parent / "user-cache"
    return _timed(command, cwd=code, env={**os.environ, "PYTHONPATH": str(code), "XDG_CACHE_HOME": str(cache)})


def kernel_start(samples: int = 5) -> float:
    """Median seconds from asking for a sandboxed kernel to its first answer."""
    from jupyter_client.manager import start_new_kernel

    from converter.provisioner import install_kernelspec
    from converter.sandbox import KERNEL_NAME

    install_kernelspec()
    times = []
    for _ in range(samples):
        with tempfile.TemporaryDirectory() as workdir:
            start = time.perf_counter()
            km, kc = start_new_kernel(kernel_name=KERNEL_NAME, cwd=workdir, startup_timeout=120,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    return statistics.median(times)


def _project(tmp: Path) -> Path:
    project = tmp / "project"
    project.mkdir()
    shutil.copytree(ROOT / "book", project / "book")
    for name in ("_toc.yml", "_config.yml", "pyproject.toml", "package.json", "package-lock.json"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, project / name)
    if (ROOT / "node_modules").is_dir():  # JavaScript cells need the course's npm packages
        (project / "node_modules").symlink_to(ROOT / "node_modules")
    return project


def one_run(jobs: int | None, against: Path | None) -> dict[str, float]:
    import jupytext

    from converter.convert import Layout
    from converter.writers.toc import read_entries

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-check-") as folder:
        tmp = Path(folder)
        project = _project(tmp)
        layout = Layout(project)
        notebooks = [project / f"{e.path}.md" for e in read_entries(layout.book, layout.root)]

        # Every check of (a) starts from an empty _build: no report to order the notebooks by.
        if against is not None:
            figures["a_against"] = _course(against, project, jobs, "--no-cache")
            shutil.rmtree(project / "_build")
        figures["a_first"] = _course(ROOT, project, jobs, "--no-cache")  # nor any run times remembered
        shutil.rmtree(project / "_build")
        figures["a"] = _course(ROOT, project, jobs, "--no-cache")  # the run times (a_first) remembered
        report = json.loads((project / "_build" / "report.json").read_text(encoding="utf-8"))["notebooks"]
        figures["cells"] = sum(n.get("cell_seconds", 0.0) for n in report)
        figures["longest_cells"] = max(n.get("cell_seconds", 0.0) for n in report)
        figures["kernels"] = sum(n["kernel"] for n in report)
        figures["c"] = _course(ROOT, project, jobs)

        shortest = Path(min((n for n in report if n["kernel"]), key=lambda n: n["seconds"])["notebook"])
        executed = project / "_build" / "executed"
        before = {p.name: p.stat().st_mtime_ns for p in executed.glob("*.ipynb")}
        original = shortest.read_text(encoding="utf-8")
        shortest.write_text(original + "\nA paragraph added by the benchmark.\n", encoding="utf-8")
        figures["d"] = _course(ROOT, project, jobs)
        figures["d_rerun"] = sum(before.get(p.name) != p.stat().st_mtime_ns for p in executed.glob("*.ipynb"))
        shortest.write_text(original, encoding="utf-8")

        ipynb_dir = tmp / "ipynb"
        ipynb_dir.mkdir()
        ipynbs = []
        for path in notebooks:
            target = ipynb_dir / f"{path.stem}.ipynb"
            jupytext.write(jupytext.read(path), target)
            ipynbs.append(str(target))
        nbconvert = [
            str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
            "--ExecutePreprocessor.skip_cells_with_tag=skip-execution", "--ExecutePreprocessor.allow_errors=True",
            "--ExecutePreprocessor.timeout=60", "--ExecutePreprocessor.kernel_name=python3",
            "--output-dir", str(tmp / "nbconvert-out"), *ipynbs,
        ]
        node = project / "node_modules"
        env = {**os.environ, "NODE_PATH": str(node.resolve()), "PATH": f"{os.environ['PATH']}{os.pathsep}{node / '.bin'}"}
        figures["b"] = _timed(nbconvert, cwd=ipynb_dir, env=env)
        figures["notebooks"] = len(notebooks)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("-j", "--jobs", type=int, help="passed to every course check (default: each one's own default)")
    parser.add_argument("--against", type=Path, metavar="DIR",
                        help="another checkout whose `course check` runs too, first (e.g. a worktree of main)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    load = os.getloadavg()[0]
    start = kernel_start()
    runs = [one_run(args.jobs, args.against.resolve() if args.against else None) for _ in range(args.runs)]
    start = statistics.median([start, kernel_start()])

    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    a, b, c, d = median("a"), median("b"), median("c"), median("d")
    kernels, cells, cores = median("kernels"), median("cells"), os.cpu_count() or 1
    per_core = (start * kernels + cells) / cores
    longest = start + median("longest_cells")
    print(f"{runs[0]['notebooks']:.0f} notebooks ({kernels:.0f} need a kernel), {cores} cores, -j {args.jobs or 'default'}, "
          f"{args.runs} run(s), medians; load average {load:.2f} before, {os.getloadavg()[0]:.2f} after:")
    print(f"  (a) course check --no-cache       {a:6.2f} s  (empty _build; run times remembered from the line below)")
    print(f"      the same, a machine's first   {median('a_first'):6.2f} s  (a/b {median('a_first') / b:.2f}; nothing"
          " remembered: ordered by what the code waits)")
    if args.against:
        print(f"      the same with {args.against}: {median('a_against'):6.2f} s  (a/b {median('a_against') / b:.2f})")
    print(f"  (b) jupyter nbconvert --execute   {b:6.2f} s  (one after another)")
    print(f"  (c) course check, nothing changed {c:6.2f} s  (target < 3 s)")
    print(f"  (d) course check, one changed     {d:6.2f} s  ({median('d_rerun'):.0f} notebook(s) run again; target 1)")
    print(f"  floor, one notebook per core      {per_core:6.2f} s  = (kernel start {start:.2f} s x {kernels:.0f}"
          f" + cells {cells:.1f} s) / {cores} cores")
    print(f"  floor, any number at once         {longest:6.2f} s  = the longest notebook (kernel start + its cells)")
    print(f"  a/b = {a / b:.2f}  (target <= 0.35); floors/b = {per_core / b:.2f} and {longest / b:.2f}")


if __name__ == "__main__":
    main()
