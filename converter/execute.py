"""`course check`: run every notebook with nbclient and report cell by cell.

Execution
    One fresh kernel per notebook, in its own temporary working folder, no stdin
    (nbclient's default), a per-cell timeout (`--timeout`, default 60 s) and a
    per-notebook limit (`--notebook-timeout`, default 300 s). A notebook over its
    limit is stopped (its kernel killed) and reported as a hang; the other
    notebooks go on. Notebooks run in parallel in worker processes (`-j`, default
    three per core: notebooks mostly wait). Each worker starts the kernel of its next notebook
    while the current one runs (a kernel takes about half a second to start), never reusing
    one. A notebook with no cell to run (every code cell skipped, or no
    code at all) needs no kernel: it is "executed" without one, which gives the
    same notebook nbclient would and saves a kernel start (about a second).

Cache
    The report (`_build/report.json`) files every notebook under a key made of
    its text, both timeouts and the Python version; a notebook whose key has not
    changed is not run again. Start-up stays lean: nbclient, jupyter-cache and
    the process pool are only imported/started when something has to run.

Results
    Per code cell: "ran", "written" (a `%%writefile` cell, runnable status
    "file"), "skipped" (tag `skip-execution`; its `runnable.category` is counted),
    "expected-error" (tag `raises-exception` and it raised), "failed",
    "timeout" (the cell hit the cell timeout or the notebook limit) and
    "not-reached" (after a failure). Fenced blocks shown in Markdown cells with
    `runnable` metadata (other languages) are counted as skipped too. A notebook
    is ok, "failed" or "hang"; `course check` exits 1 unless all are ok.

The book build reuses these runs (no second execution)
    After a notebook runs, the executed notebook is also stored in a
    jupyter-cache at `_build/.jupyter_cache`, the folder `_config.yml` points
    MyST-NB to (`execute_notebooks: cache`). MyST-NB hashes each notebook it
    reads (kernelspec + code-cell sources and metadata) and, on a match, merges
    the cached outputs instead of executing. To guarantee the match, the kernel
    runs with `record_timing=False` so executed cells keep exactly the metadata
    of the source cells; MyST-NB's reader and jupytext give the same hash for
    our notebooks (tests/test_execute.py checks it). Notebooks that failed or
    hung are cached too, with the outputs they produced: the book shows the
    error instead of executing the notebook again (and `course build` still
    exits 1). `publish.uncached_notebooks` lists any notebook the book would
    have to execute; `course build` warns about them.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import nbformat

from . import claims, practice, run_times, runtimes
from .atomic import atomic_write
from .check_settings import CELL_TIMEOUT, NOTEBOOK_TIMEOUT, ClusterUnavailable, SandboxUnavailable, default_jobs  # noqa: F401 (its API)
from . import environment as course_environment
from . import findings as found
from .sandbox import HINT, KERNEL_NAME, Limits, bwrap_path, human

SKIP_TAG = "skip-execution"
EXPECTED_ERROR_TAG = "raises-exception"
VOLATILE_TAG = "nbval-ignore-output"
JUPYTER_CACHE = Path("_build/.jupyter_cache")
REPORT_VERSION = 5

# What the python3 kernel (ipykernel) reports; used for notebooks run without a kernel.
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": platform.python_version(),
}

# Reason words -> category, for notebooks written before cells carried `runnable.category`.
_CATEGORY_WORDS = (
    ("fragment", "fragment"), ("package", "package"), ("network", "network"), ("internet", "network"),
    ("server", "service"), ("service", "service"), ("database", "service"), ("shell", "shell"),
    ("command", "shell"), ("file", "file"), ("input", "input"), ("language", "language"),
)


@dataclass(frozen=True, slots=True)
class CellResult:
    """How one cell fared."""

    index: int
    status: str
    """"ran", "written", "skipped", "expected-error", "failed", "timeout" or "not-reached"."""
    reason: str = ""
    category: str = ""
    """For skipped cells: the kind of reason (fragment, network, package, language, ...)."""
    claim: str = ""
    """For cells the tutorial shows an output for: "holds", or how the real output differs."""
    language: str = ""
    """The tutorial block's language ("" for the cells the course adds: setup, exercises)."""


@dataclass(frozen=True, slots=True)
class NotebookResult:
    """How one notebook fared; `key` is the hash its cache entry is filed under."""

    notebook: str
    key: str
    executed: str
    cells: tuple[CellResult, ...]
    error: str = ""
    hang: bool = False
    seconds: float = 0.0
    cell_seconds: float = 0.0
    """Of `seconds`, the time the kernel spent running cells (answer runs included); the rest is
    the kernel's start and the bookkeeping around it (bench/check_vs_nbconvert.py adds them up)."""
    kernel: bool = True
    """False when nothing had to run, so no kernel was started."""
    jupyter_cache: str = ""
    """jupyter-cache hash key of the executed notebook ("" if not stored)."""
    cached: bool = False
    exercises: int = 0
    """Exercises whose contract this run proved (starter fails its check, solution passes)."""
    disproved: dict[str, str] = field(default_factory=dict)
    """Exercises whose contract this run disproved: label -> why (the next convert drops them)."""
    variants: int = 0
    """Correct variants of proved exercises that their checks accepted."""
    wrong_answers: int = 0
    """Wrong answers to proved exercises that their checks rejected."""
    recorded: dict[str, object] = field(default_factory=dict)
    """Exercise label -> the digests its check's reference gave (`_expected`) when the solution
    passed: learner copies hold them instead of the reference (converter/practice.py)."""
    completed: bool = True
    """The kernel ran to the end (False after a hang, a dead kernel or a kernel that never
    started): only then do the exercise results prove or disprove anything."""

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def outcome(self) -> str:
        return "ok" if self.ok else "hang" if self.hang else "failed"

    def count(self, status: str) -> int:
        return sum(c.status == status for c in self.cells)

    def skipped_by_category(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for cell in self.cells:
            if cell.status == "skipped":
                counts[cell.category or "other"] = counts.get(cell.category or "other", 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    @property
    def failed_cell(self) -> CellResult | None:
        return next((c for c in self.cells if c.status in FAILED), None)


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """How `course check` runs notebooks."""

    out_dir: Path = Path("_build/executed")
    report: Path = Path("_build/report.json")
    cell_timeout: int = CELL_TIMEOUT
    notebook_timeout: float = NOTEBOOK_TIMEOUT
    jobs: int = field(default_factory=default_jobs)
    use_cache: bool = True
    jupyter_cache: Path | None = JUPYTER_CACHE
    """Where the book build finds the executed notebooks (None: don't store them)."""
    sandbox: bool = True
    """Run kernels in the course sandbox (False: `--no-sandbox`, as the user, shown in the report)."""
    limits: Limits = field(default_factory=Limits)
    findings: Path | None = None
    """Where check files what it proved for the next `course convert` (the CLI: `<root>/findings.json`; None: nowhere)."""
    node_modules: Path | None = None
    """The course's npm packages (`npm ci` from its package.json; the CLI: `<root>/node_modules`)."""
    cluster: str | None = None
    """The address of a Dask distributed scheduler (`tcp://host:8786`): the notebooks run on its
    workers, which have the course environment and the sandbox (None: here, `jobs` at once)."""
    run_times: Path | None = None
    """Where the notebooks' run times are remembered beyond the report, to order the next check
    (converter/run_times.py; the CLI: the user's cache folder; None: nowhere)."""

    @property
    def kernel_name(self) -> str:
        return KERNEL_NAME if self.sandbox else "python3"


def use_npm_packages(node_modules: Path) -> None:
    """Kernels, and the programs their cells start, find the course's npm packages through
    NODE_PATH and their programs (ts-node) on PATH; the sandbox binds that folder read-only."""
    folder = node_modules.resolve()
    os.environ["NODE_PATH"] = str(folder)
    if str(folder / ".bin") not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = f"{os.environ.get('PATH', '')}{os.pathsep}{folder / '.bin'}"


def cache_key(text: str, timeout: float, notebook_timeout: float = NOTEBOOK_TIMEOUT, sandbox: str = "") -> str:
    """What a run depends on: the notebook text, the timeouts, the sandbox and the Python running it."""
    raw = f"{REPORT_VERSION}\n{sys.version}\n{timeout}\n{notebook_timeout}\n{sandbox}\n{text}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _sandbox_key(options: CheckOptions) -> str:
    """What else a run depends on: the sandbox and its limits, and the npm packages installed
    (npm's record of node_modules), so that `npm ci` of another package.json runs notebooks again."""
    key = repr(options.limits) if options.sandbox else "no-sandbox"
    installed = options.node_modules / ".package-lock.json" if options.node_modules else None
    if installed is not None and installed.is_file():
        key += " npm " + hashlib.sha256(installed.read_bytes()).hexdigest()[:16]
    return key


def check(
    notebooks: Iterable[Path], options: CheckOptions,
    on_done: Callable[[NotebookResult], None] = lambda _: None,
) -> list[NotebookResult]:
    """Run the notebooks (cached ones are reused) and write the JSON report.

    The report keeps the entries of notebooks not run this time (if they still
    exist), so `course check one.md` does not forget the others.
    """
    if options.node_modules is not None and options.node_modules.is_dir():
        use_npm_packages(options.node_modules)
    if options.sandbox:
        if bwrap_path() is None:
            raise SandboxUnavailable(f"course check runs tutorial code only in a sandbox, and bubblewrap (bwrap) is missing: {HINT}")
        from .provisioner import install_kernelspec

        install_kernelspec()
    previous = _load_report(options.report)
    # Names over this run's notebooks and the report's others: no run overwrites another's file.
    executed = executed_paths([*notebooks, *(Path(n) for n in previous if Path(n).exists())], options.out_dir)
    results: list[NotebookResult] = []
    todo: list[tuple[Path, str]] = []
    guesses: dict[Path, float] = {}
    for path in notebooks:
        text = path.read_text(encoding="utf-8")
        key = cache_key(text, options.cell_timeout, options.notebook_timeout, _sandbox_key(options))
        hit = previous.get(str(path))
        if (options.use_cache and hit and hit.key == key and hit.executed == str(executed[path])
                and _still_there(hit, options)):
            result = replace(hit, cached=True)
            results.append(result)
            on_done(result)
        else:
            todo.append((path, key))
            guesses[path] = run_times.guess(text)
    options.out_dir.mkdir(parents=True, exist_ok=True)
    times = run_times.load(options.run_times) if todo else {}
    todo.sort(key=lambda item: -_expected_seconds(item[0], item[1], previous, times, guesses[item[0]]))
    ran: list[tuple[Path, str, float]] = []
    with _pool([(p, k, executed[p]) for p, k in todo], options) as running:
        for result in running:
            result = _store(result, options)
            results.append(result)
            ran.append((Path(result.notebook), result.key, result.seconds))
            on_done(result)
    run_times.remember(options.run_times, times, ran)
    everything = _write_report(options, previous, results)
    if options.findings is not None:
        _write_findings(options.findings, everything, sandbox=options.sandbox)
    return results


UNKNOWN_SECONDS = 60.0
"""What a notebook never run before is expected to take at least: more than most, so it starts
early; among such notebooks, those whose code says it waits longer (`run_times.guess`) first."""


def _expected_seconds(path: Path, key: str, previous: dict[str, NotebookResult], times: dict[str, float],
                      guess: float) -> float:
    """How long a notebook will take, to start the longest first (started last, a slow notebook
    holds up the whole check): its run in the report, else its remembered run time (a fresh
    `_build`), else `UNKNOWN_SECONDS` and the guess from its code. The workers parse the notebooks
    (a parse takes about as long as a kernel start: done here, one after another, it kept the
    first kernels waiting)."""
    if str(path) in previous:
        return previous[str(path)].seconds
    remembered = run_times.estimate(times, path, key)
    return UNKNOWN_SECONDS + guess if remembered is None else remembered


@contextmanager
def _pool(todo: list[tuple[Path, str, Path]], options: CheckOptions) -> Iterator[Iterable[NotebookResult]]:
    """Start running the notebooks in worker processes; yields their results as they finish."""
    if not todo:
        yield ()
        return
    if options.cluster:
        with _cluster_pool(todo, options) as running:
            yield running
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed
    import multiprocessing

    # fork: workers inherit the imports already done (jupytext, nbformat); no re-import per worker.
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    args = (options.cell_timeout, options.notebook_timeout, options.kernel_name, options.limits)
    workers = max(1, min(options.jobs, len(todo)))
    unstarted = context.Value("i", len(todo))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                             initargs=(unstarted,)) as pool:
        futures = [pool.submit(run_notebook, path, key, executed, *args) for path, key, executed in todo]
        yield (future.result() for future in as_completed(futures))


CLUSTER_TIMEOUT = 30
"""Seconds to wait for a Dask scheduler to answer."""


@contextmanager
def _cluster_pool(todo: list[tuple[Path, str, Path]], options: CheckOptions) -> Iterator[Iterable[NotebookResult]]:
    """Run the notebooks on a Dask cluster's workers. Workers need not share this machine's
    files: each gets the notebook's text and sends back the executed notebook, written here."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ClusterUnavailable("--cluster runs notebooks on a Dask cluster: pip install distributed") from None
    args = (options.cell_timeout, options.notebook_timeout, options.kernel_name, options.limits)
    try:
        client = Client(options.cluster, timeout=CLUSTER_TIMEOUT)
    except OSError as err:
        raise ClusterUnavailable(f"no Dask scheduler answers at {options.cluster} ({err})") from None
    with client:
        # pure=False: a notebook run twice (after an edit and back) is run again, not taken from Dask's memory.
        futures = {
            client.submit(run_elsewhere, path.name, path.read_text(encoding="utf-8"), key, *args, pure=False): (path, executed)
            for path, key, executed in todo
        }

        def finished() -> Iterator[NotebookResult]:
            for future in as_completed(futures):
                path, executed = futures[future]
                result, text = future.result()
                atomic_write(executed, text)
                yield replace(result, notebook=str(path), executed=str(executed))

        yield finished()


def run_elsewhere(name: str, text: str, key: str, *args: object) -> tuple[NotebookResult, str]:
    """`run_notebook` on a machine without the course's files (a cluster worker): from the
    notebook's text; returns the result and the executed notebook's text."""
    from .provisioner import install_kernelspec

    if args[2] == KERNEL_NAME:
        install_kernelspec()  # the worker's Jupyter must know the sandbox kernel
    with tempfile.TemporaryDirectory(prefix="course-worker-") as folder:
        path, executed = Path(folder, name), Path(folder, "executed.ipynb")
        path.write_text(text, encoding="utf-8")
        result = run_notebook(path, key, executed, *args)
        return result, executed.read_text(encoding="utf-8")


def _read(text: str) -> nbformat.NotebookNode:
    from . import _jupytext_without_servers  # noqa: F401 (imports jupytext, without jupyter_server)
    import jupytext

    return jupytext.reads(text, fmt="md:myst")


def _has_cells_to_run(nb: nbformat.NotebookNode) -> bool:
    return any(
        c.cell_type == "code" and SKIP_TAG not in c.metadata.get("tags", []) and c.source.strip()
        for c in nb.cells
    )


def _run_without_kernel(path: Path, key: str, nb: nbformat.NotebookNode, executed: Path) -> NotebookResult:
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)
    _write_notebook(nb, executed)
    return NotebookResult(str(path), key, str(executed), _cell_results(nb, _Run(), Limits()), kernel=False)


def executed_paths(notebooks: Iterable[Path], out_dir: Path) -> dict[Path, Path]:
    """Where each notebook's executed copy goes: `<stem>.ipynb`, or `<folder>-<stem>.ipynb`
    for a stem two notebooks share (book/go/tips.md and book/python/tips.md): each run
    keeps a file of its own (nbval tests them all)."""
    notebooks = sorted(set(notebooks))
    stems = Counter(p.stem for p in notebooks)
    return {p: out_dir / (f"{p.stem}.ipynb" if stems[p.stem] == 1 else f"{p.parent.name}-{p.stem}.ipynb")
            for p in notebooks}


KERNEL_STARTS = 3
"""Attempts to start a kernel (a slow start under load or a clash is retried, then reported)."""
STARTUP_TIMEOUT = 120


def run_notebook(
    path: Path, key: str, executed: Path, cell_timeout: float, notebook_timeout: float = NOTEBOOK_TIMEOUT,
    kernel_name: str = "python3", limits: Limits = Limits(),
) -> NotebookResult:
    """Execute one notebook in a fresh kernel and a temporary working folder; the
    executed notebook is written to `executed`. A notebook with nothing to run needs no kernel.

    Runs past unexpected errors (the notebook still fails, but every cell gets its
    real status); stops (kills the kernel) after `notebook_timeout` seconds in all."""
    import copy
    import time

    start = time.perf_counter()
    source = _read(path.read_text(encoding="utf-8"))
    kernel = _has_cells_to_run(source)
    spare = _WORKER.take(kernel=kernel) if _WORKER is not None else None
    if not kernel:
        return _run_without_kernel(path, key, source, executed)
    shipped = len(source.cells)
    source.cells += answer_runs(source)
    for _attempt in range(KERNEL_STARTS):
        nb = copy.deepcopy(source)
        run = _execute(nb, cell_timeout, notebook_timeout, kernel_name, limits, spare=spare)
        spare = None  # a retry starts a kernel of its own
        if run.started:
            break
    error = run.error
    completed = run.started and not (run.hang or run.died)
    problems, tally = exercise_problems(nb, shipped) if completed else ({}, AnswerTally())
    recorded = recorded_references(nb, shipped) if completed else {}
    del nb.cells[shipped:]  # the answer runs prove the exercises; they are not part of the notebook
    cells = _cell_results(nb, run, limits)
    _skip_where_missing(nb, cells)
    _write_notebook(nb, executed)
    failed = next((c for c in cells if c.status in FAILED), None)
    if run.hang:
        error = f"{error} (cell {run.current})"
    elif failed:
        error = f"cell {failed.index}: {failed.reason}"
    if problems and not error:
        error = "; ".join(f"exercise {label}: {why}" for label, why in problems.items())
    return NotebookResult(
        str(path), key, str(executed), cells, error, run.hang, round(time.perf_counter() - start, 2),
        cell_seconds=round(run.cell_seconds, 2),
        exercises=len(_exercise_cells(nb, "check")) - len(problems) if completed else 0, disproved=problems,
        completed=completed, variants=tally.right, wrong_answers=tally.wrong,
        recorded={label: value for label, value in recorded.items() if label not in problems},
    )


FAILED = ("failed", "timeout", "limit")


@dataclass(slots=True)
class _Run:
    """How one kernel's run of a notebook ended."""

    error: str = ""
    hang: bool = False
    died: bool = False
    started: bool = False
    """A cell started: the kernel came up (otherwise the run may be retried)."""
    current: int = -1
    """The cell running when the run stopped."""
    cut: set[int] = field(default_factory=set)
    """Cells whose output went over the limit (the rest of it dropped)."""
    cell_seconds: float = 0.0
    """From each cell's execute request to its reply, added up."""
    replied: dict[int, dict] = field(default_factory=dict)
    """Cells whose execute reply was an error that left no error output: IPython shows a
    UsageError (a magic's own error: JupySQL's SQL errors, an unknown magic) on stderr."""


def _execute(
    nb: nbformat.NotebookNode, cell_timeout: float, notebook_timeout: float, kernel_name: str, limits: Limits,
    *, spare: _Spare | None = None,
) -> _Run:
    """Run the notebook in `spare` (a kernel started for it, never used) or in a kernel started now."""
    import asyncio
    import time

    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    run = _Run()
    provisioners = []
    sent: dict[int, float] = {}

    def on_cell_start(cell, cell_index):  # noqa: ANN001, ANN202 (nbclient hook)
        run.started, run.current = True, cell_index
        if client.km is not None and client.km.provisioner is not None and not provisioners:
            provisioners.append(client.km.provisioner)
            if _WORKER is not None:  # this kernel is up: the next notebook's boots while these cells run
                _WORKER.prestart(kernel_name, limits)

    def on_cell_execute(cell, cell_index):  # noqa: ANN001, ANN202 (nbclient hook)
        sent[cell_index] = time.perf_counter()

    def on_cell_executed(cell, cell_index, execute_reply):  # noqa: ANN001, ANN202 (nbclient hook)
        run.cell_seconds += time.perf_counter() - sent.pop(cell_index, time.perf_counter())
        content = (execute_reply or {}).get("content", {})
        if content.get("status") == "error":
            run.replied[cell_index] = {"output_type": "error", "ename": content.get("ename", ""),
                                       "evalue": content.get("evalue", ""), "traceback": []}

    folder = spare.workdir if spare is not None else tempfile.TemporaryDirectory(prefix="course-", ignore_cleanup_errors=True)
    with folder as workdir:
        client = _client(nb, run, limits, timeout=cell_timeout, kernel_name=kernel_name, path=workdir,
                         on_cell_start=on_cell_start, on_cell_execute=on_cell_execute, on_cell_executed=on_cell_executed)

        async def execute() -> None:
            if spare is not None:
                try:
                    client.km, client.kc = await spare.connected
                    # nbclient then stops this kernel at the end as it stops its own ones: one notebook per kernel.
                    client.owns_km = True
                except Exception:  # noqa: BLE001 - it did not start: nbclient starts one
                    client.km, client.kc = None, None
            task = asyncio.ensure_future(client.async_execute(**_kernel_options(limits)))
            done, _ = await asyncio.wait({task}, timeout=notebook_timeout)
            if not done:
                # Cancelling runs nbclient's cleanup, which kills the kernel; nbclient then
                # reports the cancelled cell as DeadKernelError, which is not the story here.
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                raise _NotebookLimit
            task.result()

        try:
            (_WORKER.run if _WORKER is not None else asyncio.run)(execute())
        except _NotebookLimit:
            run.error, run.hang = f"hang: stopped after the notebook limit of {notebook_timeout:g} s", True
        except CellTimeoutError:
            run.error, run.hang = f"timeout: a cell ran longer than {cell_timeout:g} s", True
        except DeadKernelError as err:
            run.died = True
            run.error = _death(provisioners[0] if provisioners else None, limits) or f"kernel died: {err}"
        except Exception as err:  # noqa: BLE001 - the report must still be written
            what = "could not run" if run.started else "kernel did not start"
            run.error = f"{what}: {type(err).__name__}: {_first_line('', str(err))}"
    return run


def _kernel_options(limits: Limits) -> dict[str, object]:
    """How nbclient starts a kernel: the sandbox's limits in its environment; its own stderr
    (ipykernel start-up notes) is noise on the terminal."""
    import subprocess

    return {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": {**os.environ, **limits.env()}}


# --- warm kernels: the next notebook's kernel starts while this one runs -------------------------

@dataclass(frozen=True, slots=True)
class _Spare:
    """A kernel started ahead for a worker's next notebook, in its own fresh working folder.
    No code has run in it; it runs one notebook, then it is killed like any other."""

    connected: object
    """A task giving the kernel's manager and a client connected to it once the kernel answers."""
    workdir: tempfile.TemporaryDirectory


class _WarmKernels:
    """One per worker of `check`'s process pool. A kernel takes about half a second to start
    (`bench/check_vs_nbconvert.py` measures it); the worker starts its next notebook's kernel
    once the current notebook's kernel is up, so the start overlaps the cells' own time.
    Kernels are never reused: isolation between notebooks stays what one fresh kernel gives."""

    def __init__(self, unstarted: object) -> None:
        import asyncio

        self.unstarted = unstarted
        """Shared by the workers (multiprocessing.Value): notebooks no worker has taken yet.
        No spare is started when none is left (at worst one per other worker goes unused)."""
        self.runner = asyncio.Runner()
        """One event loop for the worker's notebooks, so a spare outlives the run that started it."""
        self.spare: _Spare | None = None

    def take(self, *, kernel: bool) -> _Spare | None:
        """This worker starts a notebook: the spare kernel if it needs one and there is one."""
        with self.unstarted.get_lock():  # type: ignore[attr-defined]
            self.unstarted.value -= 1  # type: ignore[attr-defined]
        if not kernel:
            return None
        spare, self.spare = self.spare, None
        return spare

    def prestart(self, kernel_name: str, limits: Limits) -> None:
        """Launch a kernel for the next notebook (called in the running loop)."""
        import asyncio

        if self.spare is not None or self.unstarted.value <= 0:  # type: ignore[attr-defined]
            return
        folder = tempfile.TemporaryDirectory(prefix="course-", ignore_cleanup_errors=True)
        # nbclient's own kernel start (kernel manager, working folder, arguments), only earlier.
        starter = _client(nbformat.v4.new_notebook(), _Run(), limits, path=folder.name, kernel_name=kernel_name)
        starter.create_kernel_manager()

        async def launch() -> tuple[object, object]:
            await starter.async_start_new_kernel(**_kernel_options(limits))
            # Connecting waits for the kernel and drains its first messages (0.2 s at least): done
            # here, it overlaps the current notebook too. A kernel that does not answer is killed.
            kc = await starter.async_start_new_kernel_client()
            return starter.km, kc

        self.spare = _Spare(asyncio.ensure_future(launch()), folder)

    def run(self, coroutine: object) -> None:
        """Run one notebook's coroutine in this worker's loop; then cancel what it left behind
        (nbclient's pollers after a hang), as `asyncio.run` would, but not the spare's launch."""
        import asyncio

        async def main() -> None:
            try:
                await coroutine  # type: ignore[misc]
            finally:
                keep = {asyncio.current_task(), self.spare.connected if self.spare else None}
                stray = [t for t in asyncio.all_tasks() if t not in keep]
                for task in stray:
                    task.cancel()
                await asyncio.gather(*stray, return_exceptions=True)

        self.runner.run(main())

    def close(self) -> None:
        """At the worker's exit: kill a spare no notebook took, remove its folder."""
        spare, self.spare = self.spare, None
        if spare is not None:
            async def stop() -> None:
                try:
                    manager, client = await spare.connected  # type: ignore[misc]
                    client.stop_channels()  # type: ignore[attr-defined]
                    await manager.shutdown_kernel(now=True)  # type: ignore[attr-defined]
                except Exception:  # noqa: BLE001, S110 - it never started: nothing to stop
                    pass

            self.runner.run(stop())
            spare.workdir.cleanup()
        self.runner.close()


_WORKER: _WarmKernels | None = None
"""This process's warm kernels when it is a worker of `check`'s pool (None elsewhere)."""


def _start_worker(unstarted: object) -> None:
    """ProcessPoolExecutor initializer."""
    from multiprocessing.util import Finalize

    global _WORKER
    _WORKER = _WarmKernels(unstarted)
    # Pool workers leave through multiprocessing's exit handlers (not atexit): kill the spare there.
    Finalize(_WORKER, _WORKER.close, exitpriority=10)


def _death(provisioner: object, limits: Limits) -> str:
    """Why the sandboxed kernel died, when a limit killed it ("" if unknown)."""
    if provisioner is None:
        return ""
    if getattr(provisioner, "oom_killed", False):
        return f"limit: memory {human(limits.memory)} (the kernel was killed)"
    if getattr(provisioner, "exit_signal", 0) == 24:  # SIGXCPU
        return f"limit: CPU time {limits.cpu_seconds} s (the kernel was killed)"
    return ""


def _client(nb: nbformat.NotebookNode, run: _Run, limits: Limits, *, path: str, **options: object):  # noqa: ANN202
    """An nbclient NotebookClient that keeps at most `limits.output` bytes of a cell's output
    (the rest is dropped, not held in memory) and reports the cell. Inside the sandbox the
    kernel itself stops such a cell (OutputLimit); should a cell undo that, the cell timeout
    stops it. (No interrupt from here: a SIGINT landing inside ipykernel's output machinery
    can deadlock the kernel.)"""
    from nbclient import NotebookClient

    sent: dict[int, int] = {}

    class CappedClient(NotebookClient):
        def output(self, outs, msg, display_id, cell_index):  # noqa: ANN001, ANN201 (nbclient hook)
            total = sent[cell_index] = sent.get(cell_index, 0) + _output_size(msg.get("content", {}))
            if total <= limits.output:
                return super().output(outs, msg, display_id, cell_index)
            if cell_index not in run.cut:
                run.cut.add(cell_index)
                note = f"[course check: output cut at {human(limits.output)}]\n"
                outs.append(nbformat.v4.new_output("stream", name="stderr", text=note))
            return None

    return CappedClient(
        nb, allow_errors=True, skip_cells_with_tag=SKIP_TAG, resources={"metadata": {"path": path}},
        # Executed cells keep the source's metadata, so jupyter-cache hashes them alike.
        record_timing=False, startup_timeout=STARTUP_TIMEOUT,
        # Kill the kernel at the end instead of a polite shutdown (saves ~0.5 s per notebook).
        shutdown_kernel="immediate", **options,
    )


def _output_size(content: dict) -> int:
    if "text" in content:
        return len(content["text"])
    return sum(len(str(v)) for v in (content.get("data") or {}).values()) + len(str(content.get("traceback", "")))


# --- exercises: the check must fail with the starter and pass with the solution ------------------

def _exercise_cells(nb: nbformat.NotebookNode, tag: str) -> dict[str, nbformat.NotebookNode]:
    return {
        c.metadata["exercise"]: c for c in nb.cells
        if c.cell_type == "code" and "exercise" in c.metadata and tag in c.metadata.get("tags", [])
    }


def _answers(cell: nbformat.NotebookNode | None) -> tuple[list[str], list[str]]:
    """The correct variants and wrong answers stored on a solution cell (`answers` metadata)."""
    answers = (cell.metadata.get("answers") if cell is not None else None) or {}
    return [str(a) for a in answers.get("right", [])], [str(a) for a in answers.get("wrong", [])]


def answer_runs(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """Cells run after the notebook in the same kernel to prove each exercise: every wrong
    answer, then every correct variant, then the solution, each as separate cells (the
    exercise's setup, the answer in place of the starter, then the check: an answer may be a
    cell magic such as %%writefile).
    The solution runs last, so the kernel ends in the state a learner who solved it is in.
    Removed before the notebook is saved."""
    solutions, checks = _exercise_cells(nb, "solution"), _exercise_cells(nb, "check")
    functions = practice_checks(nb)
    setups = {c.metadata["exercise"]: c.source for c in nb.cells if c.cell_type == "code" and "exercise" in c.metadata
              and (c.metadata.get("runnable") or {}).get("status") == "setup"}
    runs = []
    for label, check in checks.items():
        if label not in solutions:
            continue
        right, wrong = _answers(solutions[label])
        tries = [("wrong", n, a) for n, a in enumerate(wrong, 1)] + [("right", n, a) for n, a in enumerate(right, 1)]
        for role, n, answer in [*tries, ("solution", 0, solutions[label].source)]:
            # The exercise's own setup again first (a sample database: a later exercise's
            # setup may have replaced it, or a wrong answer changed it).
            steps = [("setup", setups[label])] if label in setups else []
            steps += [("answer", answer), ("check", check.source)]
            if role == "solution" and practice.has_reference(functions.get(label, "")):
                steps.append(("record", _RECORD))
            for part, source in steps:
                cell = nbformat.v4.new_code_cell(source)
                cell.metadata.update({"answer_run": {"label": label, "role": role, "n": n, "part": part},
                                      "tags": [EXPECTED_ERROR_TAG]})
                runs.append(cell)
    return runs


# After the solution's check: what its reference gave, for learner copies (practice.py).
_RECORD = 'print(__import__("json").dumps(_expected))'


def practice_checks(nb: nbformat.NotebookNode) -> dict[str, str]:
    """{label: check function source} from the notebook's practice cell."""
    cell = next((c for c in nb.cells if c.cell_type == "code" and practice.TAG in c.metadata.get("tags", [])), None)
    return practice.checks_in(cell.source) if cell is not None else {}


def recorded_references(nb: nbformat.NotebookNode, shipped: int) -> dict[str, object]:
    """Exercise label -> the `_expected` its record cell printed after the solution passed."""
    found = {}
    for cell in nb.cells[shipped:]:
        run = cell.metadata["answer_run"]
        if run["part"] != "record" or _errors(cell):
            continue
        printed = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stdout")
        try:
            found[run["label"]] = json.loads(printed)
        except ValueError:
            continue
    return found


@dataclass(frozen=True, slots=True)
class AnswerTally:
    """What the answer runs proved: exercises' correct variants accepted, wrong answers rejected."""

    right: int = 0
    wrong: int = 0


def _errors(cell: nbformat.NotebookNode) -> list[dict]:
    return [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def exercise_problems(nb: nbformat.NotebookNode, shipped: int) -> tuple[dict[str, str], AnswerTally]:
    """Exercises that break the contract, with the reason: with the starter the check must
    raise AssertionError; with the solution and with every correct variant it must pass; with
    every wrong answer it must raise AssertionError (or the answer itself fails to run)."""
    problems: dict[str, str] = {}
    for label, check in _exercise_cells(nb, "check").items():
        found = _errors(check)
        if not found:
            problems[label] = "its check passes with the starter"
        elif found[0].get("ename") not in practice.VERDICTS:
            problems[label] = f"with the starter its check raises {found[0].get('ename')}, not AssertionError"
    tries: dict[tuple, dict[str, nbformat.NotebookNode]] = {}
    for cell in nb.cells[shipped:]:
        run = cell.metadata["answer_run"]
        tries.setdefault((run["label"], run["role"], run["n"]), {})[run["part"]] = cell
    passed: dict[str, Counter] = defaultdict(Counter)  # label -> role -> answers that behaved as they should
    for (label, role, n), cells in tries.items():
        if label in problems:
            continue
        answer_error, check_error = _errors(cells["answer"]), _errors(cells["check"])
        if role == "wrong":
            if answer_error or (check_error and check_error[0].get("ename") in practice.VERDICTS):
                passed[label]["wrong"] += 1
            elif check_error:
                problems[label] = f"with wrong answer {n} its check raises {check_error[0].get('ename')}, not AssertionError"
            else:
                problems[label] = f"its check accepts wrong answer {n}"
            continue
        if cells.get("record") is not None and _errors(cells["record"]):
            check_error = check_error or _errors(cells["record"])
        failure = answer_error or check_error
        if failure:
            what = "the solution" if role == "solution" else f"correct variant {n}"
            problems[label] = f"{what} fails its check ({_error_line(failure[0])})"
        elif role == "right":
            passed[label]["right"] += 1
    proved = [counts for label, counts in passed.items() if label not in problems]
    return problems, AnswerTally(sum(c["right"] for c in proved), sum(c["wrong"] for c in proved))


class _NotebookLimit(Exception):
    """The notebook ran past its time limit."""


def _skip_where_missing(nb: nbformat.NotebookNode, cells: tuple[CellResult, ...]) -> None:
    """A cell whose runtime or service this machine lacks is skipped by nbval too (`make test`
    runs the executed notebooks again): the machine, not the course, is missing something."""
    for cell in cells:
        if cell.category == runtimes.MISSING_CATEGORY:
            tags = nb.cells[cell.index].metadata.setdefault("tags", [])
            if "nbval-skip" not in tags:
                tags.append("nbval-skip")


def _write_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    atomic_write(path, nbformat.writes(nb) + "\n")


def _cell_results(nb: nbformat.NotebookNode, run: _Run, limits: Limits) -> tuple[CellResult, ...]:
    """Classify every code cell (and every fenced block shown in a Markdown cell).

    The kernel ran past unexpected errors, so each cell has its own status; only a
    hang or a dead kernel leaves cells "not-reached"."""
    stopped = run.current if (run.hang or run.died or (run.error and not run.started)) else None
    results = []
    for index, cell in enumerate(nb.cells):
        runnable = cell.metadata.get("runnable") or {}
        if cell.cell_type != "code":
            if runnable and cell.cell_type == "markdown":  # a fenced block shown, not run
                results.append(CellResult(index, "skipped", runnable.get("reason", ""), _category(runnable), language=_language(runnable)))
            continue
        tags = cell.metadata.get("tags", [])
        language = _language(runnable)
        errors = _errors(cell) or ([run.replied[index]] if index in run.replied else [])
        if SKIP_TAG in tags:
            results.append(CellResult(index, "skipped", runnable.get("reason", ""), _category(runnable), language=language))
        elif not cell.source.strip():
            continue  # nbclient does not run empty cells
        elif stopped is not None and (index > stopped or (stopped < 0 and cell.get("execution_count") is None)):
            results.append(CellResult(index, "not-reached", language=language))
        elif index == stopped:
            status = "limit" if run.error.startswith("limit") else "timeout" if run.hang else "failed"
            results.append(CellResult(index, status, run.error, language=language))
        elif index in run.cut:
            results.append(CellResult(index, "limit", f"limit: output {human(limits.output)}", language=language))
        elif hint := runtimes.missing_hint(language, runnable.get("services") or ()):
            results.append(CellResult(index, "skipped", hint, runtimes.MISSING_CATEGORY, language=language))
        elif errors and EXPECTED_ERROR_TAG in tags:
            results.append(CellResult(index, "expected-error", _steady(_error_line(errors[0])), claim=_claim(cell), language=language))
        elif errors:
            limit = _limit_hit(errors[0], limits)
            reason = limit or _process_error(cell, errors[0]) or _error_line(errors[0])
            results.append(CellResult(index, "limit" if limit else "failed", _steady(reason), claim=_claim(cell), language=language))
        elif runnable.get("status") == "file" or cell.source.lstrip().startswith("%%writefile"):
            results.append(CellResult(index, "written", language=language))
        else:
            results.append(CellResult(index, "ran", claim=_claim(cell), language=language))
    return tuple(results)


def _process_error(cell: nbformat.NotebookNode, error: dict) -> str:
    """For a cell run through `%%script` that exited with an error: the status and the line of
    what the program wrote that names the error (the magic's own message repeats the whole cell)."""
    match = re.search(r"non-zero exit status (\d+)", str(error.get("evalue", "")))
    if error.get("ename") != "CalledProcessError" or not match:
        return ""
    streams = {name: "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == name)
               for name in ("stderr", "stdout")}
    # What the program said on stderr; a program that reports on stdout (Jest, `2>&1`) said it there.
    said = streams["stderr"] or streams["stdout"]
    lines = [line.strip() for line in said.splitlines() if line.strip() and not line.startswith("#")]
    named = [line for line in lines if _NAMED_ERROR.match(line)]
    return f"exit status {match.group(1)}" + (f": {_steady(_without_location((named or lines)[0]))[:200]}" if lines else "")


# Node prints the failing source line first and the error ("ClientClosedError: The client is closed") below it.
_NAMED_ERROR = re.compile(r"^([\w.]+\.)?[A-Z]\w*(Error|Exception)\b:")
# Where Ruby says its error happened: "/usr/lib/…/dynamic_matchers.rb:22:in `method_missing': ".
_LOCATION = re.compile(r"^\S+:\d+:in [`'][^']*': ")


def _without_location(line: str) -> str:
    """The error message of a program's first stderr line, without the library path it happened in."""
    return _LOCATION.sub("", line)


def _language(runnable: dict) -> str:
    """The language of a tutorial's block ("" for a cell the course adds, or one without metadata)."""
    if not runnable or runnable.get("status") in ("setup", "exercise", "check") or runnable.get("category") == "solution":
        return ""
    return str(runnable.get("language") or "python")


def _claim(cell: nbformat.NotebookNode) -> str:
    """Whether the cell printed what the tutorial shows ("" when it shows nothing)."""
    expected = (cell.metadata.get("runnable") or {}).get("expected")
    if expected is None:
        return ""
    printed = ""
    error = ""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            printed += out.get("text", "")
        elif out.get("output_type") in ("execute_result", "display_data"):
            printed += str(out.get("data", {}).get("text/plain", "")) + "\n"
        elif out.get("output_type") == "error":
            error = _error_line(out)
    runtime = runtimes.RUNTIMES.get((cell.metadata.get("runnable") or {}).get("language", ""))
    return claims.compare(str(expected), printed, error=error, runtime=runtime.name if runtime else "")


# errno -> the limit it means inside the sandbox
_LIMIT_ERRNO = {11: "processes", 24: "open files", 27: "file size", 28: "disk"}


def _limit_hit(error: dict, limits: Limits) -> str:
    """"limit: memory 2 GiB" when a cell's error is one of the sandbox's limits, else ""."""
    name, value = error.get("ename", ""), str(error.get("evalue", ""))
    if name == "MemoryError":
        return f"limit: memory {human(limits.memory)}"
    if name == "OutputLimit":
        return f"limit: output {human(limits.output)}"
    match = re.match(r"\[Errno (\d+)\]", value)
    what = _LIMIT_ERRNO.get(int(match.group(1))) if match else None
    if what == "processes" and "fork" not in value.lower() and name != "BlockingIOError":
        return ""
    amount = {"processes": str(limits.processes), "open files": str(limits.open_files),
              "file size": human(limits.file_size), "disk": human(limits.disk)}.get(what or "")
    return f"limit: {what} {amount}" if amount else ""


def _category(runnable: dict) -> str:
    if runnable.get("category"):
        return str(runnable["category"])
    reason = str(runnable.get("reason", "")).lower()
    guess = next((category for word, category in _CATEGORY_WORDS if word in reason), "")
    if guess:
        return guess
    return "language" if runnable.get("language") not in (None, "", "python") else "other"


def _error_line(error: dict) -> str:
    """An error output in one line: `ZeroDivisionError: division by zero`."""
    return _first_line(error.get("ename", ""), error.get("evalue", ""))


# A moment or an object's address in an error message changes from run to run; the reason
# goes into findings.json and the page, which must come out the same on every check.
_MOMENT = re.compile(r"\b\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?: ?(?:[+-]\d\d:?\d\d|Z|UTC))?")
_ADDRESS = re.compile(r"\b0x[0-9a-f]{6,}\b")


def _steady(reason: str) -> str:
    return _ADDRESS.sub("0x…", _MOMENT.sub("<time>", reason))


# JupySQL puts its own advice first and the database's message after this line.
_DRIVER_SAYS = "Original error message from DB driver:"


def _first_line(name: str, value: str) -> str:
    value = (value or "").strip()
    if _DRIVER_SAYS in value:
        value = value.split(_DRIVER_SAYS, 1)[1].strip()
    return f"{name}: {value.splitlines()[0] if value else ''}".strip(": ")


# --- jupyter-cache: where the book build picks the executed notebooks up -----------------------

def _still_there(hit: NotebookResult, options: CheckOptions) -> bool:
    """A report entry is reusable if its executed notebook (and book cache entry) still exist."""
    if not Path(hit.executed).exists():
        return False
    if options.jupyter_cache is None:
        return True
    return bool(hit.jupyter_cache) and (options.jupyter_cache / "executed" / hit.jupyter_cache / "base.ipynb").exists()


def _store(result: NotebookResult, options: CheckOptions) -> NotebookResult:
    """File the executed notebook in the jupyter-cache MyST-NB reads (done in this process only:
    the cache is one SQLite database)."""
    if options.jupyter_cache is None:
        return result
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(options.jupyter_cache))
    nb = nbformat.read(result.executed, as_version=4)
    data = {"execution_seconds": result.seconds, "course_check": result.outcome}
    record = cache.cache_notebook_bundle(
        CacheBundleIn(nb, str(Path(result.notebook).resolve()), data=data),
        check_validity=False, overwrite=True,
    )
    return replace(result, jupyter_cache=record.hashkey)


# --- findings: what this check proved, for the next convert ------------------------------------

def _write_findings(path: Path, results: list[NotebookResult], *, sandbox: bool) -> None:
    """Rewrite `findings.json` from every notebook in the report. Earlier entries are kept only
    where a notebook was converted from them (its `course.findings`): a demoted cell is no longer
    run and a dropped exercise no longer there, yet their findings must stay to keep them out."""
    current = course_environment.fingerprint(course_environment.read(path.with_name("pyproject.toml")))
    everything = found.Findings(sandbox="bubblewrap" if sandbox else "none", environment=current)
    used: set[str] = set()
    for result in results:
        if Path(result.executed).exists():
            nb = nbformat.read(result.executed, as_version=4)
            used |= set(nb.metadata.get("course", {}).get("findings", []))
            everything = everything.merged(notebook_findings(nb, result))
    old = found.load(path)
    if old.environment != current:
        old = found.Findings()
    kept = found.Findings(
        {k: v for k, v in old.cells.items() if k in used}, {k: v for k, v in old.exercises.items() if k in used},
    )
    found.save(path, kept.merged(everything))


def notebook_findings(nb: nbformat.NotebookNode, result: NotebookResult) -> found.Findings:
    """The findings of one executed notebook: each code cell's status, reason and stdout,
    each exercise's contract."""
    slug = str(nb.metadata.get("course", {}).get("slug") or Path(result.notebook).stem)
    cells = {}
    for cell_result in result.cells:
        cell = nb.cells[cell_result.index]
        if cell.cell_type != "code" or cell_result.status in ("skipped", "written"):
            continue
        stdout = "".join(o.get("text", "") for o in cell.get("outputs", [])
                         if o.get("output_type") == "stream" and o.get("name") == "stdout")
        # Output that changes from run to run (timings, addresses: tagged for nbval to ignore) is
        # not a fact to keep; findings.json must come out the same on every check of the same course.
        steady = VOLATILE_TAG not in cell.metadata.get("tags", [])
        keep = cell_result.status == "ran" and steady and len(stdout) <= found.MAX_STDOUT
        claim = cell_result.claim if cell_result.claim != claims.HOLDS else ""
        cells[found.cell_key(slug, cell.source)] = found.CellFinding(
            cell_result.status, cell_result.reason, stdout if keep else None, claim)
    exercises = {}
    if result.completed and result.kernel:
        for label, key in exercise_keys(nb).items():
            why = result.disproved.get(label, "")
            exercises[key] = found.ExerciseFinding(not why, why, result.recorded.get(label))
    return found.Findings(cells, exercises)


def exercise_keys(nb: nbformat.NotebookNode) -> dict[str, str]:
    """label -> the key of what check proves about the exercise as it stands in the notebook:
    its starter, its solution, its check's function in the practice cell, its other answers."""
    sources = {tag: _exercise_cells(nb, tag) for tag in ("exercise", "solution", "check")}
    functions = practice_checks(nb)
    keys = {}
    for label, check in sources["check"].items():
        starter, solution = sources["exercise"].get(label), sources["solution"].get(label)
        keys[label] = found.exercise_key(label, starter.source if starter else "", solution.source if solution else "",
                                         functions.get(label, check.source), *_answers(solution))
    return keys


# --- report ----------------------------------------------------------------------------------

def _load_report(path: Path) -> dict[str, NotebookResult]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != REPORT_VERSION:
            return {}
        names = set(NotebookResult.__dataclass_fields__)
        return {
            n["notebook"]: NotebookResult(**{
                **{k: v for k, v in n.items() if k in names},
                "cells": tuple(CellResult(**c) for c in n["cells"]),
            })
            for n in data["notebooks"]
        }
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _write_report(
    options: CheckOptions, previous: dict[str, NotebookResult], results: list[NotebookResult],
) -> list[NotebookResult]:
    """Write the JSON report; returns every notebook it holds (this run's and earlier ones)."""
    path = options.report
    path.parent.mkdir(parents=True, exist_ok=True)
    now = {r.notebook: r for r in results}
    kept = {n: r for n, r in previous.items() if n not in now and Path(n).exists() and Path(r.executed).exists()}
    everything = sorted([*kept.values(), *now.values()], key=lambda r: r.notebook)
    # Executed notebooks of notebooks that are gone would otherwise be tested by nbval forever.
    wanted = {Path(r.executed).name for r in everything}
    for stale in options.out_dir.glob("*.ipynb"):
        if stale.name not in wanted:
            stale.unlink(missing_ok=True)
    data = {
        "version": REPORT_VERSION,
        "options": {
            "cell_timeout": options.cell_timeout, "notebook_timeout": options.notebook_timeout,
            # --no-sandbox is shown wherever the results are: here and on the landing page.
            "sandbox": {"tool": "bubblewrap", "limits": asdict(options.limits)} if options.sandbox else None,
        },
        "summary": {
            "notebooks": len(everything),
            "ok": sum(r.ok for r in everything),
            "failed": sum(r.outcome == "failed" for r in everything),
            "hang": sum(r.hang for r in everything),
        },
        "notebooks": [_as_json(r) for r in everything],
    }
    atomic_write(path, json.dumps(data, indent=2) + "\n")
    return everything


def _as_json(result: NotebookResult) -> dict:
    data = asdict(result)
    data["cached"] = False  # "cached" describes one run, not the entry
    data["outcome"] = result.outcome
    data["counts"] = {
        status: result.count(status)
        for status in ("ran", "written", "skipped", "expected-error", "failed", "timeout", "limit", "not-reached")
    }
    data["skipped_by_category"] = result.skipped_by_category()
    data["claims"] = {
        "holds": sum(c.claim == claims.HOLDS for c in result.cells),
        "differs": [{"cell": c.index, "note": c.claim} for c in result.cells if c.claim and c.claim != claims.HOLDS],
    }
    data["by_language"] = by_language(result)
    return data


def by_language(result: NotebookResult) -> dict[str, dict[str, int]]:
    """Per language, how many blocks ran (ran, expected error, written) and how many did not."""
    counts: dict[str, dict[str, int]] = {}
    for cell in result.cells:
        if not cell.language:
            continue
        entry = counts.setdefault(cell.language, {"ran": 0, "not run": 0})
        entry["ran" if cell.status in ("ran", "expected-error", "written") else "not run"] += 1
    return dict(sorted(counts.items()))
