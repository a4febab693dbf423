"""`course check` (converter/execute.py) on small notebooks written here: results per cell,
hangs and the notebook limit, the cache, report.json, and the jupyter-cache the book reads."""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from converter.cli import main
from converter.execute import CheckOptions, NotebookResult, check

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
SKIP = ["skip-execution", "nbval-skip"]


def _notebook(*cells: nbformat.NotebookNode) -> str:
    nb = new_notebook(cells=[new_markdown_cell("# A test notebook"), *cells], metadata={"kernelspec": KERNELSPEC})
    return jupytext.writes(nb, fmt="md:myst")


def _code(source: str, tags: list[str] | None = None, **runnable: str) -> nbformat.NotebookNode:
    cell = new_code_cell(source)
    if runnable:
        cell.metadata["runnable"] = runnable
    if tags:
        cell.metadata["tags"] = tags
    return cell


NOTEBOOKS = {
    "passing": _notebook(
        _code("total = 1 + 1\nprint(total)", status="runs"),
        _code("%%writefile helper.py\nANSWER = 42", status="file", reason="", category=""),
        _code("import helper\nprint(helper.ANSWER)"),
    ),
    "failing": _notebook(
        _code("x = 1"),
        _code("1 / 0"),
        _code("print('never')"),
    ),
    "usage-error": _notebook(
        _code("%this_magic_does_not_exist"),  # IPython prints a UsageError on stderr: no error output
        _code("%also_not_a_magic", tags=["raises-exception"], status="raises"),
        _code("print('after')"),
    ),
    "expected": _notebook(
        _code("raise ValueError('the tutorial shows this error')", tags=["raises-exception"], status="raises"),
        _code("print('after the expected error')"),
    ),
    "skipping": _notebook(
        _code("print('runs')"),
        _code("requests.get('https://example.com')", tags=SKIP, status="skipped", reason="needs the network", category="network"),
        _code("x = (", tags=SKIP, status="skipped", reason="a fragment", category="fragment"),
        _code("y = [", tags=SKIP, status="skipped", reason="a fragment", category="fragment"),
    ),
    "nothing-to-run": _notebook(
        _code("x = (", tags=SKIP, status="skipped", reason="a fragment", category="fragment"),
    ),
}


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def _options(tmp: Path, **kwargs: object) -> CheckOptions:
    defaults = dict(
        out_dir=tmp / "_build" / "executed", report=tmp / "_build" / "report.json",
        jupyter_cache=tmp / "_build" / ".jupyter_cache", cell_timeout=20, notebook_timeout=60, jobs=2,
        findings=tmp / "findings.json",
    )
    return CheckOptions(**{**defaults, **kwargs})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, NotebookResult]]:
    """One check over all the small notebooks (kernels start in parallel: the tests stay fast)."""
    tmp = tmp_path_factory.mktemp("check")
    paths = [_write(tmp, name, text) for name, text in NOTEBOOKS.items()]
    results = check(paths, _options(tmp))
    return tmp, {Path(r.notebook).stem: r for r in results}


def _statuses(result: NotebookResult) -> list[str]:
    return [c.status for c in result.cells]


def test_passing_notebook_runs_every_cell_and_writes_files_in_its_own_folder(project) -> None:
    tmp, results = project
    result = results["passing"]
    assert result.ok and result.outcome == "ok" and result.kernel
    assert _statuses(result) == ["ran", "written", "ran"]
    executed = nbformat.read(result.executed, as_version=4)
    assert executed.cells[3].outputs[0]["text"] == "42\n"
    assert not (tmp / "helper.py").exists()  # the kernel ran in a temporary folder


def test_failing_cell_is_reported_and_the_cells_after_it_still_run(project) -> None:
    result = project[1]["failing"]
    assert not result.ok and result.outcome == "failed"
    assert _statuses(result) == ["ran", "failed", "ran"]
    failed = result.failed_cell
    assert failed is not None and failed.index == 2 and failed.reason.startswith("ZeroDivisionError")
    assert result.error.startswith("cell 2: ZeroDivisionError")


def test_an_error_shown_only_on_stderr_is_still_an_error(project) -> None:
    """A magic's UsageError (JupySQL's short SQL errors too) leaves no error output, only the
    kernel's error reply: the cell failed all the same."""
    result = project[1]["usage-error"]
    assert _statuses(result) == ["failed", "expected-error", "ran"]
    assert result.cells[0].reason.startswith("UsageError") and "this_magic_does_not_exist" in result.cells[0].reason


def test_expected_error_is_not_a_failure(project) -> None:
    result = project[1]["expected"]
    assert result.ok
    assert _statuses(result) == ["expected-error", "ran"]
    assert result.cells[0].reason.startswith("ValueError")


def test_skipped_cells_are_counted_by_reason_category(project) -> None:
    result = project[1]["skipping"]
    assert result.ok and result.count("ran") == 1
    assert result.skipped_by_category() == {"fragment": 2, "network": 1}


def test_notebook_with_nothing_to_run_needs_no_kernel(project) -> None:
    result = project[1]["nothing-to-run"]
    assert result.ok and not result.kernel and _statuses(result) == ["skipped"]
    assert nbformat.read(result.executed, as_version=4).metadata["language_info"]["name"] == "python"


def test_report_json(project) -> None:
    tmp, _ = project
    report = json.loads((tmp / "_build" / "report.json").read_text())
    assert report["summary"] == {"notebooks": 6, "ok": 4, "failed": 2, "hang": 0}
    entry = {Path(n["notebook"]).stem: n for n in report["notebooks"]}["skipping"]
    assert entry["outcome"] == "ok"
    assert entry["counts"]["ran"] == 1 and entry["counts"]["skipped"] == 3
    assert entry["skipped_by_category"] == {"fragment": 2, "network": 1}
    assert {"index", "status", "reason", "category"} <= set(entry["cells"][1])
    assert Path(entry["executed"]).exists()


def test_book_build_finds_every_run_in_the_jupyter_cache(project) -> None:
    """MyST-NB (cache mode) must match each page to its run, failed ones included, or it executes it."""
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    from converter.publish import uncached_notebooks

    tmp, results = project
    cache = get_cache(str(tmp / "_build" / ".jupyter_cache"))
    for name, result in results.items():
        path = Path(result.notebook)
        as_the_book_reads_it = read_myst_markdown_notebook(path.read_text(), path=str(path))
        record = cache.match_cache_notebook(as_the_book_reads_it)  # KeyError if the book would execute it
        assert record.hashkey == result.jupyter_cache, name
    assert uncached_notebooks([Path(r.notebook) for r in results.values()], tmp) == []


def test_cache_hit_then_miss_after_an_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", os.environ["PATH"])  # check() points NODE_PATH and PATH at node_modules:
    monkeypatch.delenv("NODE_PATH", raising=False)  # restored after this test
    path = _write(tmp_path, "passing", NOTEBOOKS["passing"])
    options = _options(tmp_path)
    [first] = check([path], options)
    assert not first.cached
    start = time.perf_counter()
    [second] = check([path], options)
    assert second.cached and second.ok and _statuses(second) == _statuses(first)
    assert time.perf_counter() - start < 1  # no kernel, no pool
    path.write_text(NOTEBOOKS["passing"].replace("1 + 1", "2 + 2"))
    [third] = check([path], options)
    assert not third.cached
    [other_timeout] = check([path], _options(tmp_path, cell_timeout=21))
    assert not other_timeout.cached  # the timeout is part of the key
    node_modules = tmp_path / "node_modules"
    node_modules.mkdir()
    (node_modules / ".package-lock.json").write_text('{"packages": {"node_modules/ws": {"version": "8.18.0"}}}')
    [with_npm] = check([path], _options(tmp_path, cell_timeout=21, node_modules=node_modules))
    assert not with_npm.cached  # other npm packages installed: the notebook runs again
    assert check([path], _options(tmp_path, cell_timeout=21, node_modules=node_modules))[0].cached


def test_hang_and_notebook_limit_are_reported_and_block_nothing(tmp_path: Path) -> None:
    hang = _write(tmp_path, "hang", _notebook(_code("print('start')"), _code("while True:\n    pass"), _code("print('never')")))
    slow = _write(tmp_path, "slow", _notebook(*[_code("import time\ntime.sleep(0.5)") for _ in range(20)]))
    fine = _write(tmp_path, "fine", _notebook(_code("print('fine')")))
    start = time.perf_counter()
    results = {Path(r.notebook).stem: r for r in check([hang, slow, fine], _options(tmp_path, cell_timeout=2, notebook_timeout=4))}
    assert time.perf_counter() - start < 30
    assert results["fine"].ok
    assert results["hang"].hang and results["hang"].outcome == "hang"
    assert _statuses(results["hang"]) == ["ran", "timeout", "not-reached"]
    assert "cell 2" in results["hang"].error
    slow_result = results["slow"]
    assert slow_result.hang and "notebook limit of 4 s" in slow_result.error
    assert slow_result.count("timeout") == 1 and slow_result.count("not-reached") > 0
    assert slow_result.seconds < 10
    report = json.loads((tmp_path / "_build" / "report.json").read_text())
    assert report["summary"]["hang"] == 2


def test_cli_table_and_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    skipping = _write(tmp_path, "skipping", NOTEBOOKS["nothing-to-run"])
    assert main(["--root", str(tmp_path), "check", str(skipping)]) == 0
    out = capsys.readouterr().err
    assert "1 fragment" in out and "nothing to run" in out
    assert "tutorial blocks run: 0 of 1 (python 0/1)" in out
    failing = _write(tmp_path, "failing", NOTEBOOKS["failing"])
    assert main(["--root", str(tmp_path), "check", "--notebook-timeout", "30", str(failing)]) == 1
    assert "ZeroDivisionError" in capsys.readouterr().err


def test_a_kernel_that_fails_to_start_is_retried_then_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import converter.execute as execute

    real, calls = execute._execute, []

    def flaky(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        if len(calls) < execute.KERNEL_STARTS:
            return execute._Run(error="kernel did not start: RuntimeError: Kernel didn't respond in 120 seconds")
        return real(*args, **kwargs)

    path = _write(tmp_path, "flaky", NOTEBOOKS["passing"])
    monkeypatch.setattr(execute, "_execute", flaky)
    result = execute.run_notebook(path, "key", tmp_path / "flaky.ipynb", 20, 60, _options(tmp_path).kernel_name)
    assert len(calls) == execute.KERNEL_STARTS and result.ok, result.error

    calls.clear()
    monkeypatch.setattr(execute, "_execute", lambda *a, **k: calls.append(1) or execute._Run(error="kernel did not start: ZMQError: Address already in use"))
    result = execute.run_notebook(path, "key", tmp_path / "flaky.ipynb", 20, 60)
    assert len(calls) == execute.KERNEL_STARTS
    assert not result.ok and result.error == "kernel did not start: ZMQError: Address already in use"
    assert {c.status for c in result.cells} == {"not-reached"}
    # Nothing ran, so nothing about the exercises is proved or disproved (findings.json keeps none).
    assert not result.completed and result.exercises == 0 and result.disproved == {}


@pytest.mark.parametrize(("completed", "disproved", "expected"), [
    (True, {}, [(True, "")]),
    (True, {"ex-1": "its check passes with the starter"}, [(False, "its check passes with the starter")]),
    (False, {}, []),  # a hang or a dead kernel proves nothing about the exercise
])
def test_findings_of_an_exercise_only_when_the_run_completed(completed: bool, disproved: dict, expected: list) -> None:
    from converter import findings
    from converter.execute import CellResult, notebook_findings

    cells = [_code("x = 1")]
    for tag, source in (("exercise", "answer = ..."), ("solution", "answer = 2"), ("check", "assert answer == 2")):
        cell = _code(source, tags=[tag])
        cell.metadata["exercise"] = "ex-1"
        cells.append(cell)
    nb = nbformat.read(io.StringIO(nbformat.writes(new_notebook(cells=cells, metadata={"course": {"slug": "s"}}))), 4)
    result = NotebookResult("s.md", "k", "s.ipynb", (CellResult(0, "ran"),), completed=completed, disproved=disproved)
    found = notebook_findings(nb, result)
    assert [(f.ok, f.reason) for f in found.exercises.values()] == expected
    if expected:
        assert list(found.exercises) == [findings.exercise_key("ex-1", "answer = ...", "answer = 2", "assert answer == 2")]
    assert list(found.cells) == [findings.cell_key("s", "x = 1")]


def test_findings_keep_what_a_cell_printed_unless_its_output_is_volatile() -> None:
    from converter.execute import CellResult, notebook_findings

    steady, volatile = _code("print(1)"), _code("print(time.time())", tags=["nbval-ignore-output"])
    for cell, text in ((steady, "1\n"), (volatile, "1733.2\n")):
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    nb = new_notebook(cells=[steady, volatile], metadata={"course": {"slug": "s"}})
    result = NotebookResult("s.md", "k", "s.ipynb", (CellResult(0, "ran"), CellResult(1, "ran")))
    assert [f.stdout for f in notebook_findings(nb, result).cells.values()] == ["1\n", None]


def test_a_cell_whose_runtime_this_machine_lacks_is_skipped_here_and_by_nbval(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from converter import runtimes

    monkeypatch.setitem(runtimes.RUNTIMES, "ruby", replace(runtimes.RUNTIMES["ruby"], program="no-such-ruby-here"))
    path = _write(tmp_path, "ruby", _notebook(
        _code("print('python runs')"),
        _code("%%script no-such-ruby-here\nputs 1", status="runs", language="ruby"),
    ))
    [result] = check([path], _options(tmp_path, jobs=1))
    assert [(c.status, c.reason) for c in result.cells] == [
        ("ran", ""), ("skipped", "needs Ruby: `sudo apt-get install ruby`")]
    assert result.ok
    executed = nbformat.read(result.executed, as_version=4)
    assert "nbval-skip" in executed.cells[2].metadata["tags"] and "tags" not in executed.cells[1].metadata


@pytest.mark.parametrize(("stderr", "reason"), [
    ("/usr/share/gems/activerecord/dynamic_matchers.rb:22:in `method_missing': undefined method `published' for Article:Class (NoMethodError)\n\tfrom -:9:in `<main>'\n",
     "exit status 1: undefined method `published' for Article:Class (NoMethodError)"),
    ("/app/node_modules/@redis/client/index.js:520\n        return Promise.reject(new ClientClosedError());\n        ^\n\nClientClosedError: The client is closed\n    at Commander (/app/index.js:520:31)\n",
     "exit status 1: ClientClosedError: The client is closed"),
    ("./main.go:8:12: undefined: loadConfig\n", "exit status 1: ./main.go:8:12: undefined: loadConfig"),
    ("", "exit status 1: FAIL ./sum.test.js"),  # Jest's report, sent to stdout by the cell
])
def test_a_program_cells_error_is_its_message_not_where_it_happened(stderr: str, reason: str) -> None:
    from converter.execute import _process_error

    outputs = [nbformat.v4.new_output("stream", name="stdout", text="FAIL ./sum.test.js\n  ● adds\n")]
    outputs += [nbformat.v4.new_output("stream", name="stderr", text=stderr)] if stderr else []
    cell = new_code_cell("%%script ruby\nputs 1", outputs=outputs)
    error = {"ename": "CalledProcessError", "evalue": "Command 'b'...'' returned non-zero exit status 1."}
    assert _process_error(cell, error) == reason


# Each notebook leaves a mark in its kernel, its working folder and /tmp; the next notebook a
# worker runs (in a kernel started while this one ran) must find none of them.
_MARKS = """\
import builtins, os, tempfile
seen = (getattr(builtins, 'course_mark', None), os.listdir('.'), 'mark.txt' in os.listdir(tempfile.gettempdir()))
builtins.course_mark = 'left by an earlier notebook'
open('mark.txt', 'w').write('x'); open(os.path.join(tempfile.gettempdir(), 'mark.txt'), 'w').write('x')
print(seen)"""


def test_every_notebook_gets_a_fresh_kernel_and_no_kernel_is_left_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The kernels' folders (connection files, working folders) go here, so that what is left can be
    # counted: a short path, as the kernels' IPC sockets are in it (tmp_path can be too long for them).
    kernels = Path(tempfile.mkdtemp(prefix="course-test-"))
    monkeypatch.setattr("tempfile.tempdir", str(kernels))
    paths = [_write(tmp_path, f"marks-{n}", _notebook(_code(_MARKS))) for n in range(5)]
    try:
        results = check(paths, _options(tmp_path, jobs=2, jupyter_cache=None))
        left = list(kernels.iterdir())
    finally:
        shutil.rmtree(kernels, ignore_errors=True)
    for result in results:
        nb = nbformat.read(result.executed, as_version=4)
        assert result.ok and nb.cells[1].outputs[0].text == "(None, [], False)\n", result.notebook
        assert 0 < result.cell_seconds <= result.seconds
    # The kernels that ran a notebook, and any started ahead that no notebook took, are gone.
    assert left == []


def test_changing_one_notebook_runs_only_that_one_again(tmp_path: Path) -> None:
    paths = [_write(tmp_path, name, NOTEBOOKS[name]) for name in ("passing", "expected", "skipping")]
    options = _options(tmp_path)
    assert not any(r.cached for r in check(paths, options))
    paths[1].write_text(NOTEBOOKS["expected"].replace("after the expected error", "after the error"), encoding="utf-8")
    again = {Path(r.notebook).stem: r.cached for r in check(paths, options)}
    assert again == {"passing": True, "expected": False, "skipping": True}


def test_jupysql_errors_name_the_database_message() -> None:
    from converter.execute import _error_line

    evalue = ("If using snippets, you may pass the --with argument explicitly.\nFor more details please refer: "
              "https://jupysql.ploomber.io/\n\n\nOriginal error message from DB driver:\n"
              "(sqlite3.OperationalError) near \"(\": syntax error\n[SQL: ALTER TABLE posts ADD FULLTEXT(content);]")
    assert _error_line({"ename": "UsageError", "evalue": evalue}) == 'UsageError: (sqlite3.OperationalError) near "(": syntax error'
    assert _error_line({"ename": "ValueError", "evalue": "bad\nmore"}) == "ValueError: bad"


@pytest.mark.parametrize(("reason", "steady"), [
    ('undefined method `author\' for #<Article id: 2, created_at: "2026-12-06 12:14:26.848398000 +0000">',
     'undefined method `author\' for #<Article id: 2, created_at: "<time>">'),
    ("TypeError: bad object <Foo at 0x7f3a2b4c5d60>", "TypeError: bad object <Foo at 0x…>"),
    ("ValueError: 2024-01-31T10:00Z is late", "ValueError: <time> is late"),
    ("ZeroDivisionError: division by zero", "ZeroDivisionError: division by zero"),
])
def test_reasons_do_not_change_from_run_to_run(reason: str, steady: str) -> None:
    from converter.execute import _steady

    assert _steady(reason) == steady
