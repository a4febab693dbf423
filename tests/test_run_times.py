"""Run times remembered beyond `_build` order the next check, longest first (converter/run_times.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from converter import execute, run_times
from converter.execute import CheckOptions, NotebookResult


def test_remembered_times_are_found_by_text_then_by_name(tmp_path: Path) -> None:
    times: dict[str, float] = {}
    run_times.remember(tmp_path, times, [(Path("book/a.md"), "k1", 12.345), (Path("book/b.md"), "k2", 1.0)])
    loaded = run_times.load(tmp_path)
    assert loaded == {"key:k1": 12.35, "name:a.md": 12.35, "key:k2": 1.0, "name:b.md": 1.0}
    assert run_times.estimate(loaded, Path("elsewhere/a.md"), "k2") == 1.0  # the same text, wherever it is
    assert run_times.estimate(loaded, Path("book/a.md"), "edited") == 12.35  # an edited notebook: by its name
    assert run_times.estimate(loaded, Path("book/new.md"), "k3") is None


def test_a_later_run_replaces_an_earlier_one_and_the_newest_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_times, "LIMIT", 4)
    times: dict[str, float] = {}
    run_times.remember(tmp_path, times, [(Path(f"{n}.md"), f"k{n}", float(n)) for n in range(3)])
    run_times.remember(tmp_path, times, [(Path("0.md"), "k0", 7.0)])
    loaded = run_times.load(tmp_path)
    assert loaded == {"key:k2": 2.0, "name:2.md": 2.0, "key:k0": 7.0, "name:0.md": 7.0}


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"key:a": "slow", "name:a.md": 3}', ""])
def test_a_damaged_file_is_an_empty_memory(tmp_path: Path, content: str) -> None:
    (tmp_path / run_times.FILE_NAME).write_text(content, encoding="utf-8")
    expected = {"name:a.md": 3.0} if "slow" in content else {}
    assert run_times.load(tmp_path) == expected


def test_nowhere_to_keep_them_changes_nothing(tmp_path: Path) -> None:
    assert run_times.load(None) == {}
    run_times.remember(None, {}, [(Path("a.md"), "k", 1.0)])
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("", encoding="utf-8")
    run_times.remember(blocked, {}, [(Path("a.md"), "k", 1.0)])  # cannot write: no error
    assert blocked.read_text(encoding="utf-8") == ""


def _cells(*sources: str) -> str:
    return "".join(f"```{{code-cell}}\n{source}\n```\n\nSome prose: time.sleep(9) is slow.\n\n" for source in sources)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("Prose only: time.sleep(9), sleep 9.\n", 0.0),
        (_cells("import time\ntime.sleep(2)", "await asyncio.sleep(0.5)"), 2.7),
        (_cells("%%script bash -c 'timeout 5 node -r ./course_settle.js; s=$?; [ $s = 124 ] || exit $s'\nsetInterval(f, 1)"), 5.1),
        (_cells("%%bash\nsleep 3\necho done", "%%script ruby\nsleep 1.5"), 4.7),
        (_cells("%%bash\ntimeout 2 ./server &\ncurl -s --max-time 1 localhost", "requests.get(url, timeout=30)"), 2.2),
        (_cells("time.Sleep(100 * time.Millisecond)", "print('asleep 4')"), 0.2),  # not a literal number of seconds
        (_cells("x = 1"), 0.1),
    ],
)
def test_a_notebook_never_run_is_guessed_by_what_its_code_waits(text: str, seconds: float) -> None:
    assert run_times.guess(text) == pytest.approx(seconds)


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Path], CheckOptions, list[list[str]]]:
    """Four notebooks, check options that remember run times in tmp_path/cache, and a pool that
    records the order it is given (each "takes" as many seconds as its name's number, others 0.5 s)."""
    notebooks = []
    for seconds in (1, 9, 3, 20):
        path = tmp_path / "book" / f"n{seconds}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"# Notebook {seconds}\n", encoding="utf-8")
        notebooks.append(path)
    orders: list[list[str]] = []

    @contextmanager
    def pool(todo: list[tuple[Path, str, Path]], options: CheckOptions) -> Iterator[list[NotebookResult]]:
        orders.append([p.name for p, _, _ in todo])
        yield [NotebookResult(notebook=str(p), key=k, executed=str(e), cells=(), seconds=float(p.stem[1:] if p.stem[1:].isdigit() else 0.5))
               for p, k, e in todo]

    monkeypatch.setattr(execute, "_pool", pool)
    options = CheckOptions(out_dir=tmp_path / "_build" / "executed", report=tmp_path / "_build" / "report.json",
                           use_cache=False, jupyter_cache=None, sandbox=False, run_times=tmp_path / "cache")
    return notebooks, options, orders


def test_a_check_without_a_report_starts_the_longest_first(course: tuple[list[Path], CheckOptions, list[list[str]]]) -> None:
    notebooks, options, orders = course
    execute.check(notebooks, options)
    assert orders[-1] == ["n1.md", "n9.md", "n3.md", "n20.md"]  # nothing known: the book's order
    options.report.unlink()  # a fresh _build
    execute.check(notebooks, options)
    assert orders[-1] == ["n20.md", "n9.md", "n3.md", "n1.md"]


def test_a_new_notebook_starts_before_the_known_ones(course: tuple[list[Path], CheckOptions, list[list[str]]]) -> None:
    notebooks, options, orders = course
    execute.check(notebooks, options)
    new = notebooks[0].with_name("new.md")
    new.write_text("# New\n", encoding="utf-8")
    notebooks[1].write_text("# Notebook 9, edited\n", encoding="utf-8")
    options.report.unlink()
    execute.check([new, *notebooks], options)
    # unknown first (UNKNOWN_SECONDS); the edited n9 keeps its place by its name
    assert orders[-1] == ["new.md", "n20.md", "n9.md", "n3.md", "n1.md"]


def test_among_notebooks_never_run_those_that_wait_longer_start_first(
    course: tuple[list[Path], CheckOptions, list[list[str]]],
) -> None:
    notebooks, options, orders = course
    waits = {"n1.md": "time.sleep(1)", "n9.md": "x = 1", "n3.md": "time.sleep(7)", "n20.md": "sleep 3"}
    for path in notebooks:
        path.write_text(_cells(waits[path.name]), encoding="utf-8")
    execute.check(notebooks, options)
    assert orders[-1] == ["n3.md", "n20.md", "n1.md", "n9.md"]


def test_without_a_place_to_remember_the_report_still_orders(course: tuple[list[Path], CheckOptions, list[list[str]]]) -> None:
    notebooks, options, orders = course
    from dataclasses import replace

    options = replace(options, run_times=None)
    execute.check(notebooks, options)
    execute.check(notebooks, options)  # the report of the first run
    assert orders[-1] == ["n20.md", "n9.md", "n3.md", "n1.md"]
    assert not (options.report.parent.parent / "cache").exists()
    assert json.loads(options.report.read_text(encoding="utf-8"))["summary"]["notebooks"] == 4
