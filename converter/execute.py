"""`course check`: run every notebook with nbclient and report cell by cell.

One fresh kernel per notebook in its own temporary working folder, a per-cell
timeout, notebooks in parallel across processes, and a content-hash cache so an
unchanged notebook is not run again.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import jupytext
import nbformat

CELL_TIMEOUT = 60
SKIP_TAG = "skip-execution"
EXPECTED_ERROR_TAG = "raises-exception"


@dataclass(frozen=True, slots=True)
class CellResult:
    """How one code cell fared."""

    index: int
    status: str
    """"ran", "skipped", "failed", "expected-error" or "not-reached"."""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class NotebookResult:
    """How one notebook fared; `key` is the hash its cache entry is filed under."""

    notebook: str
    key: str
    executed: str
    cells: tuple[CellResult, ...]
    error: str = ""
    cached: bool = False

    @property
    def ok(self) -> bool:
        return not self.error

    def count(self, status: str) -> int:
        return sum(c.status == status for c in self.cells)


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """How `course check` runs notebooks."""

    out_dir: Path = Path("_build/executed")
    report: Path = Path("_build/report.json")
    cell_timeout: int = CELL_TIMEOUT
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    use_cache: bool = True


def cache_key(text: str, timeout: int) -> str:
    """What a run depends on: the notebook text, the timeout and the Python running it."""
    return hashlib.sha256(f"{sys.version}\n{timeout}\n{text}".encode()).hexdigest()[:16]


def check(
    notebooks: Iterable[Path], options: CheckOptions,
    on_done: Callable[[NotebookResult], None] = lambda _: None,
) -> list[NotebookResult]:
    """Run the notebooks (cached ones are reused) and write the JSON report."""
    previous = _load_report(options.report)
    results: list[NotebookResult] = []
    todo: list[tuple[Path, str]] = []
    for path in notebooks:
        key = cache_key(path.read_text(encoding="utf-8"), options.cell_timeout)
        hit = previous.get(str(path))
        if options.use_cache and hit and hit.key == key and Path(hit.executed).exists():
            result = replace(hit, cached=True)
            results.append(result)
            on_done(result)
        else:
            todo.append((path, key))
    options.out_dir.mkdir(parents=True, exist_ok=True)
    if todo:
        with ProcessPoolExecutor(max_workers=max(1, min(options.jobs, len(todo)))) as pool:
            futures = [pool.submit(run_notebook, p, k, options.out_dir, options.cell_timeout) for p, k in todo]
            for future in futures:
                result = future.result()
                results.append(result)
                on_done(result)
    _write_report(options.report, results)
    return results


def run_notebook(path: Path, key: str, out_dir: Path, cell_timeout: int) -> NotebookResult:
    """Execute one notebook in a fresh kernel and a temporary working folder."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = jupytext.read(path)
    executed = out_dir / f"{path.stem}.ipynb"
    error = ""
    with tempfile.TemporaryDirectory(prefix="course-") as workdir:
        client = NotebookClient(
            nb, timeout=cell_timeout, kernel_name="python3", allow_errors=False,
            skip_cells_with_tag=SKIP_TAG, resources={"metadata": {"path": workdir}},
        )
        try:
            # The kernel's own stderr (ipykernel start-up warnings) is noise on the terminal.
            client.execute(stderr=subprocess.DEVNULL)
        except CellTimeoutError as err:
            error = f"timed out after {cell_timeout} s: {str(err).splitlines()[0]}"
        except CellExecutionError as err:
            error = _first_line(err.ename, err.evalue)
        except DeadKernelError as err:
            error = f"kernel died: {err}"
    nbformat.write(nb, executed)
    return NotebookResult(str(path), key, str(executed), _cell_results(nb, error), error)


def _cell_results(nb: nbformat.NotebookNode, error: str) -> tuple[CellResult, ...]:
    results = []
    failed = False
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        reason = cell.metadata.get("runnable", {}).get("reason", "")
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if SKIP_TAG in tags:
            results.append(CellResult(index, "skipped", reason))
        elif failed:
            results.append(CellResult(index, "not-reached"))
        elif errors and EXPECTED_ERROR_TAG in tags:
            results.append(CellResult(index, "expected-error", errors[0].get("ename", "")))
        elif errors or (error and cell.get("execution_count") is None):
            failed = True
            text = _first_line(errors[0].get("ename", ""), errors[0].get("evalue", "")) if errors else error
            results.append(CellResult(index, "failed", text))
        else:
            results.append(CellResult(index, "ran"))
    return tuple(results)


def _first_line(name: str, value: str) -> str:
    return f"{name}: {(value or '').strip().splitlines()[0] if (value or '').strip() else ''}".strip(": ")


def _load_report(path: Path) -> dict[str, NotebookResult]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            n["notebook"]: NotebookResult(**{**n, "cells": tuple(CellResult(**c) for c in n["cells"])})
            for n in data["notebooks"]
        }
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _write_report(path: Path, results: list[NotebookResult]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"notebooks": [asdict(r) for r in sorted(results, key=lambda r: r.notebook)]}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
